import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemons and commands this run started, by PID, so that each is ended on every way
/// out: normal return, a thrown error, or SIGINT/SIGTERM sent to the benchmark itself.
/// Only these PIDs are ever signalled.
enum ChildProcesses {
    /// The running children, each with whether it is ended gracefully (SIGTERM, for a child
    /// that cleans up after itself) rather than killed.
    private static let running = Mutex<[Int32: Bool]>([:])
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// Remembers a started child; a `graceful` one gets SIGTERM instead of SIGKILL on the
    /// way out (the PostgreSQL peer, which then stops its servers and removes its files).
    static func register(_ pid: Int32, graceful: Bool = false) {
        running.withLock { $0[pid] = graceful }
    }

    /// Forgets a child that has exited.
    static func unregister(_ pid: Int32) {
        running.withLock { _ = $0.removeValue(forKey: pid) }
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

    /// Sends SIGKILL to every child still registered (the last resort on the way out), and
    /// SIGTERM to the graceful ones, which finish their cleanup on their own.
    static func terminateAll() {
        let children = running.withLock { children in
            defer { children.removeAll() }
            return children
        }
        for (pid, graceful) in children { kill(pid, graceful ? SIGTERM : SIGKILL) }
    }

    /// On SIGINT or SIGTERM: end the registered children, then exit with 128 + the signal.
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
