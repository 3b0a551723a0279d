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
///
/// The PIDs live in a fixed table that a plain signal handler reads: it only calls `kill`,
/// `write` and `_exit`, which are safe there, so it works however busy the process's
/// threads are (a dispatch signal source needs a free worker thread, and the benchmark's
/// blocking calls can take them all).
enum ChildProcesses {
    /// How many children can be registered at once.
    private static let capacity = 64
    /// The table: 0 is a free slot, a positive PID is killed (SIGKILL), a negative one is
    /// a graceful child that gets SIGTERM and cleans up after itself.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<Int32> = {
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        table.initialize(repeating: 0, count: capacity)
        return table
    }()
    /// Serialises changes to the table (the signal handler only reads it).
    private static let lock = Mutex<Void>(())

    /// Remembers a started child; a `graceful` one gets SIGTERM instead of SIGKILL on the
    /// way out (the PostgreSQL peer, which then stops its servers and removes its files).
    static func register(_ pid: Int32, graceful: Bool = false) {
        lock.withLock { _ in
            guard let free = (0..<capacity).first(where: { slots[$0] == 0 }) else {
                FileHandle.standardError.write(Data("tiersync-bench: more than \(capacity) children; \(pid) will not be stopped on an interruption\n".utf8))
                return
            }
            slots[free] = graceful ? -pid : pid
        }
    }

    /// Forgets a child that has exited.
    static func unregister(_ pid: Int32) {
        lock.withLock { _ in
            for index in 0..<capacity where abs(slots[index]) == pid { slots[index] = 0 }
        }
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
        lock.withLock { _ in signalAll() }
    }

    /// Signals every registered child and clears the table. Safe in a signal handler.
    private static func signalAll() {
        for index in 0..<capacity {
            let entry = slots[index]
            slots[index] = 0
            if entry > 0 { kill(entry, SIGKILL) } else if entry < 0 { kill(-entry, SIGTERM) }
        }
    }

    /// On SIGINT or SIGTERM: end the registered children, then exit with 128 + the signal.
    static func installSignalHandlers() {
        _ = slots  // initialised now, never first inside the handler
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                ChildProcesses.signalAll()
                let message: StaticString = "tiersync-bench: interrupted; daemons stopped\n"
                _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
                _exit(128 + received)
            }
        }
    }
}
