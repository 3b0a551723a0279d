import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemons this run started, by PID, so that each is ended on every way out: normal
/// return, a thrown error, or SIGINT/SIGTERM sent to the benchmark itself. Only these
/// PIDs are ever signalled.
enum ChildProcesses {
    private static let running = Mutex<Set<Int32>>([])
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// Remembers a started daemon.
    static func register(_ pid: Int32) {
        running.withLock { _ = $0.insert(pid) }
    }

    /// Forgets a daemon that has exited.
    static func unregister(_ pid: Int32) {
        running.withLock { _ = $0.remove(pid) }
    }

    /// Sends SIGTERM to `process`, waits up to `grace` seconds for it to exit, then sends
    /// SIGKILL and waits for that.
    static func stop(_ process: Process, grace: Double = 10) {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill(pid, SIGKILL)
                process.waitUntilExit()
            }
        }
        unregister(pid)
    }

    /// Sends SIGKILL to every daemon still registered (the last resort on the way out).
    static func terminateAll() {
        let pids = running.withLock { pids in
            defer { pids.removeAll() }
            return pids
        }
        for pid in pids { kill(pid, SIGKILL) }
    }

    /// On SIGINT or SIGTERM: kill the registered daemons, then exit with 128 + the signal.
    static func installSignalHandlers() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                terminateAll()
                FileHandle.standardError.write(Data("tiersync-bench: interrupted; daemons stopped\n".utf8))
                exit(128 + number)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
