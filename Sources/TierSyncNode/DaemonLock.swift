import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The exclusive lock a daemon holds on its node's database for its whole life, so that a
/// second `tiersync serve` on the same file is refused, even on another port.
///
/// The lock is `flock(2)` on `<database>.lock`, which holds the holder's pid and listen
/// address for the refusal's message. The kernel releases it when the process ends, however
/// it ends, so a stale file never blocks a start. One-shot commands (`status`, `resync`,
/// `sync`) do not take it.
public final class DaemonLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock of `database` and records this process's pid and `address` in it.
    /// - Throws: ``StartError/storeInUse(database:holder:)`` naming the running daemon's pid
    ///   and address, or ``StartError/lockUnavailable(path:message:)``.
    public init(database: String, address: String) throws {
        path = database + ".lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        guard descriptor >= 0 else {
            throw StartError.lockUnavailable(path: path, message: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            close(descriptor)
            guard failure == EWOULDBLOCK else {
                throw StartError.lockUnavailable(path: path, message: String(cString: strerror(failure)))
            }
            let described = holder.split(separator: "\n").prefix(2).joined(separator: ", ")
            throw StartError.storeInUse(database: database, holder: described.isEmpty ? "its pid is not recorded in \(path)" : described)
        }
        let record = "pid \(getpid())\nlistening on \(address)\nsince \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        close(descriptor)
    }
}
