import GRDB
import TierSyncStore

/// Notices, within a few milliseconds, commits to a node's database made by any connection:
/// an application's in another process, or this process's own. It reads
/// `PRAGMA data_version` on a read-only connection of its own, which changes whenever
/// another connection commits to the file; the read costs no I/O.
public final class CommitWatcher: Sendable {
    private let queue: DatabaseQueue
    /// The database file's path.
    public let path: String

    /// Opens the watcher's own read-only connection on the database at `path`.
    /// - Throws: ``StoreError/database(operation:message:)`` when it cannot be opened.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "tiersync.watch"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError.database(operation: "open \(path) to watch for commits", message: "\(error)")
        }
        self.path = path
    }

    /// The connection's current data version; it differs from the last one read whenever
    /// another connection committed in between.
    public func dataVersion() async throws -> Int64 {
        try await queue.read { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }

    /// Reads the data version every `period` and calls `onCommit` after each read that finds
    /// it changed, until the task is cancelled. A failed read is retried at the next period.
    public func watch(every period: Duration, onCommit: @Sendable () async -> Void) async {
        var seen = try? await dataVersion()
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: period)
            } catch {
                return
            }
            guard let version = try? await dataVersion() else { continue }
            if version != seen {
                seen = version
                await onCommit()
            }
        }
    }

    /// Closes the connection.
    public func close() throws {
        try queue.close()
    }
}
