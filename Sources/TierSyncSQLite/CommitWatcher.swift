import GRDBSQLite
import Synchronization
import TierSyncStore

/// Notices, within a few milliseconds, commits to a node's database made by any connection:
/// an application's in another process, or this process's own. It reads
/// `PRAGMA data_version` through SQLite's C API on a connection of its own, which never
/// writes; the value changes whenever another connection commits to the file, and reading
/// it costs no I/O.
public final class CommitWatcher: Sendable {
    private struct Connection {
        var database: OpaquePointer?
        var statement: OpaquePointer?
    }

    private let connection: Mutex<Connection>
    /// The database file's path.
    public let path: String

    /// Opens the watcher's own connection on the database at `path`.
    /// - Throws: ``StoreError/database(operation:message:)`` when it cannot be opened.
    public init(path: String) throws {
        self.path = path
        var database: OpaquePointer?
        var statement: OpaquePointer?
        // Opened for reading and writing, though it never writes: a read-only connection
        // takes the WAL index's locks its own way, and made writers of other processes
        // find the file locked after a daemon was killed.
        let opened = sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        if opened == SQLITE_OK, let database {
            sqlite3_busy_timeout(database, 1000)
            if sqlite3_prepare_v2(database, "PRAGMA data_version", -1, &statement, nil) == SQLITE_OK {
                connection = Mutex(Connection(database: database, statement: statement))
                return
            }
        }
        let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite result code \(opened)"
        sqlite3_close_v2(database)
        throw StoreError.database(operation: "open \(path) to watch for commits", message: message)
    }

    deinit {
        close()
    }

    /// The connection's current data version; it differs from the last one read whenever
    /// another connection committed in between.
    /// - Throws: ``StoreError/database(operation:message:)`` when it cannot be read.
    public func dataVersion() throws -> Int64 {
        let read: Result<Int64, StoreError> = connection.withLock { connection in
            guard let statement = connection.statement else {
                return .failure(.database(operation: "read the data version of \(path)", message: "the watcher is closed"))
            }
            defer { sqlite3_reset(statement) }
            guard sqlite3_step(statement) == SQLITE_ROW else {
                return .failure(.database(operation: "read the data version of \(path)", message: String(cString: sqlite3_errmsg(connection.database))))
            }
            return .success(sqlite3_column_int64(statement, 0))
        }
        return try read.get()
    }

    /// Reads the data version every `period` while commits come, every `idle` once none
    /// came for `quietAfter` (a daemon with nothing to do then wakes twenty times a second,
    /// not two hundred), and calls `onCommit` after each read that finds it changed, until
    /// the task is cancelled. A failed read is tried again at the next period. `since` is
    /// a data version read earlier, so that a commit made before the watch begins is not
    /// missed; without it, the watch starts from the version it first reads.
    public func watch(every period: Duration, idle: Duration = .milliseconds(50), quietAfter: Duration = .seconds(2),
                      since: Int64? = nil, onCommit: @Sendable () async -> Void) async {
        let clock = ContinuousClock()
        var seen = since ?? (try? dataVersion())
        var lastCommit = clock.now
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: clock.now - lastCommit < quietAfter ? period : idle)
            } catch {
                return
            }
            guard let version = try? dataVersion() else { continue }
            if version != seen {
                seen = version
                lastCommit = clock.now
                await onCommit()
            }
        }
    }

    /// Closes the connection; later reads fail.
    public func close() {
        connection.withLock { connection in
            sqlite3_finalize(connection.statement)
            sqlite3_close_v2(connection.database)
            connection = Connection()
        }
    }
}
