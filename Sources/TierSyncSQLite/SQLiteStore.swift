import Foundation
import GRDB
import Synchronization
import TierSyncModel
import TierSyncStore

/// A node's store in one SQLite file, through GRDB.
///
/// Opening it brings TierSync's own tables to this build's layout (``StoreMigrations``),
/// installs the capture triggers, creates the synced tables that do not exist yet, and
/// adopts rows that were there before TierSync (they enter the change log as local
/// writes). Any other process may write the file meanwhile.
public final class SQLiteStore: ChangeStore {
    /// The node this store belongs to.
    public let node: NodeID
    /// The synced tables, with columns and keys read from the database.
    public let schema: SyncSchema
    /// The change log's epoch: a random id fixed when the log was created.
    public let epoch: String
    /// The database file's path.
    public let path: String
    /// When the backup this file was restored from was taken, if this open found the file
    /// to be a restored backup (``backup(to:)``): the store then started a new epoch.
    public let restoredBackupTakenAt: Date?

    let pool: DatabasePool
    /// True for a store opened with ``init(readingAt:node:schema:)``: reads see the change
    /// log as it is, without folding the writes waiting in the capture log.
    let readOnly: Bool
    let observers = Mutex<[any ApplyObserver]>([])

    /// Opens (and if needed creates) the store of `node` at `path`. With `adoptingRows` (the
    /// default), rows without a log entry are adopted as local writes; a resync, which
    /// finds and adopts them itself in the key ranges that differ, opens without that
    /// scan of every table.
    /// - Throws: ``StoreError`` when the file belongs to another node, was set up by a newer
    ///   TierSync, or a table cannot be synced as declared.
    public init(path: String, node: NodeID, schema: SyncSchema, adoptingRows: Bool = true) throws {
        // Nothing is acknowledged before it is durable (DurableConnection). Reads copy pages
        // through SQLite's cache rather than map the file: mapped pages count as the
        // daemon's memory (a province at 605 MB while 1M rows flowed down), and a resync
        // of 1M rows was no faster with them.
        do {
            pool = try DurableConnection.pool(path: path, label: "tiersync.\(node)")
        } catch {
            throw StoreError.database(operation: "open \(path)", message: "\(error); check that the directory exists and is writable")
        }
        self.path = path
        self.readOnly = false
        self.node = node
        var resolved = schema
        var epoch = ""
        var restored: Date?
        do {
            try SQLiteStore.migrate(pool, node: node, path: path)
            try pool.writeWithoutTransaction { db in
                try StorageFailure.mapping(db, path: path) {
                    try db.inTransaction(.immediate) {
                        epoch = try SQLiteStore.install(db, node: node, path: path, schema: &resolved, adopt: adoptingRows)
                        if let mark = try SQLiteStore.takeBackupMark(db) {
                            (epoch, restored) = (mark.epoch, mark.takenAt)
                        }
                        return .commit
                    }
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(operation: "install TierSync in \(path)", message: "\(error)")
        }
        self.schema = resolved
        self.epoch = epoch
        self.restoredBackupTakenAt = restored
    }

    /// Opens the existing store of `node` at `path` for reading only (`tiersync status`):
    /// nothing is installed, created, folded or written, so looking at a node changes
    /// nothing, and it works while the daemon runs or on a file the reader may not write.
    /// Writes still waiting in the capture log count in the log head and the backlog.
    /// - Throws: ``StoreError`` when the file is missing, was never opened by TierSync (or
    ///   not by this build yet, or by a newer one), belongs to another node, or lacks a
    ///   synced table.
    public init(readingAt path: String, node: NodeID, schema: SyncSchema) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.database(operation: "open \(path) to read", message: "no such file; check node.database, or start the node once to create it")
        }
        do {
            pool = try DurableConnection.readOnlyPool(path: path, label: "tiersync.\(node).read")
        } catch {
            throw StoreError.database(operation: "open \(path) to read", message: "\(error); check that the file is readable and is a TierSync store")
        }
        self.path = path
        self.readOnly = true
        self.restoredBackupTakenAt = nil
        self.node = node
        var resolved = schema
        do {
            epoch = try pool.read { db in
                // A file set up by a newer TierSync, or by an earlier one and not upgraded
                // yet, may hold its tables in a layout this build cannot read.
                try StoreMigrations.refuseUnknownLayout(db, path: path)
                guard let row = try SQLiteStore.claim(db, node: node, path: path) else {
                    throw StoreError.database(operation: "read \(path)", message: "TierSync has not set this file up yet; start the node once")
                }
                try StoreMigrations.requireMigrated(db, path: path)
                for index in resolved.tables.indices {
                    guard try db.tableExists(resolved.tables[index].name) else {
                        throw StoreError.unusableTable(table: resolved.tables[index].name, reason: "it is not in \(path) yet; start the node once to create it")
                    }
                    try SQLiteStore.readColumns(db, table: &resolved.tables[index])
                }
                return row["epoch"]
            }
        } catch let error as StoreError {
            try? pool.close()
            throw error
        } catch {
            try? pool.close()
            throw StoreError.database(operation: "read \(path)", message: "\(error)")
        }
        self.schema = resolved
    }

    /// Adds an observer that every later apply tells of the rows it writes.
    public func observeApplies(with observer: any ApplyObserver) {
        observers.withLock { $0.append(observer) }
    }

    /// Runs `body` with write access, in one immediate transaction. A transaction that
    /// fails because the file cannot grow throws ``StoreError/storageFull(database:cause:)``.
    func writeTransaction<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        let path = self.path
        return try await pool.writeWithoutTransaction { db in
            var result: T?
            try StorageFailure.mapping(db, path: path) {
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
            }
            return result!
        }
    }

    /// The highest sequence the change log has issued, counting the position each write
    /// waiting in the capture log takes when it is folded: it moves as soon as the
    /// application commits a write.
    public func logHead() async throws -> Int64 {
        try await pool.read { db in try SQLiteStore.logHead(db) + (Int64.fetchOne(db, sql: CaptureSQL.pending) ?? 0) }
    }

    /// The head of `_ts_log` read in `db` (see ``ChangeLogSQL/head``), without the captures.
    static func logHead(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: ChangeLogSQL.head) ?? 0
    }

    /// The node's hybrid clock: the last stamp it issued or took in (`_ts_node.hlc`).
    public func clock() async throws -> HybridTimestamp {
        try await pool.read { db in try HybridTimestamp(rawValue: Int64.fetchOne(db, sql: "SELECT hlc FROM _ts_node WHERE id = 1") ?? 0) }
    }

    /// The number of rows in each synced table.
    public func rowCounts() async throws -> [String: Int] {
        let tables = schema.tables.map(\.name)
        return try await pool.read { db in
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(table))") ?? 0
            }
            return counts
        }
    }

    /// What the change log holds, the size of the database file with its WAL, and how far
    /// purges have removed history.
    public func logSize() async throws -> LogSize {
        let path = self.path
        return try await pool.read { db in
            let entries = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(deleted), 0) FROM _ts_log")
            let records = try Int.fetchOne(db, sql: "SELECT count(*) FROM _ts_evict") ?? 0
            let purged = try Int64.fetchOne(db, sql: "SELECT purged FROM _ts_node WHERE id = 1") ?? 0
            let bytes = [path, path + "-wal"].reduce(Int64(0)) { total, file in
                total + (((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0)
            }
            return LogSize(entries: entries?[0] ?? 0, deleted: entries?[1] ?? 0, evictionRecords: records, fileBytes: bytes, purgedThrough: purged)
        }
    }

    /// The number of changes this node refused and holds in its error queue.
    public func rejectedCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _ts_rejected") ?? 0 }
    }

    /// The newest changes of the error queue, newest first.
    public func rejections(limit: Int) async throws -> [RejectedChange] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM _ts_rejected ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                RejectedChange(
                    table: row["tbl"], key: row["pk"], version: row["version"], reason: row["reason"], id: row["id"],
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]), peer: row["peer"])
            }
        }
    }

    /// What the connection that commits this store's writes promises of a commit
    /// (``DurableConnection``).
    public func writerSettings() async throws -> DurableConnection.Settings {
        try await pool.write { db in try DurableConnection.settings(db) }
    }

    /// Closes the database. A writable store first checkpoints its write-ahead log into the
    /// file and truncates it: the pool's last connection to close may be a read-only one,
    /// which cannot, and would leave the whole log beside a stopped node's file.
    public func close() throws {
        if !readOnly {
            // Another process reading the file may hold the checkpoint back: wait a second at
            // most, and leave the log to SQLite's next checkpoint if it still does.
            try? pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA busy_timeout = 1000")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        try pool.close()
    }
}
