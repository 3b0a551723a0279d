import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

/// Online backups of a node's file, and what a daemon does when it opens a restored one.
///
/// A backup is a consistent copy taken with SQLite's backup API while the daemon keeps
/// syncing. The copy carries a mark (`_ts_backup`) that the live file never has. When a
/// store opens a file with the mark, that file is a restored backup: it has forgotten every
/// write made, received and served since the copy. So the store starts a new log epoch (each
/// child's cursor into the old log is refused, 409 `epoch_changed`, and the child repairs
/// itself with a digest resync) and breaks its own pull cursor at its parent (the daemon's
/// next round is refused the same way and resyncs, taking back from the parent what this
/// node had sent it after the copy), then drops the mark.
extension SQLiteStore {
    /// What a backup copied.
    public struct Backup: Sendable, Equatable {
        /// The copy's path.
        public var path: String
        /// The node whose file was copied.
        public var node: NodeID
        /// When the copy was taken.
        public var takenAt: Date
        /// The change log's head in the copy, captures waiting to be folded included.
        public var logHead: Int64
        /// The rows of each synced table in the copy.
        public var rows: [String: Int]
    }

    /// Copies this store's file to `path`, a new file, consistently, while others read and
    /// write it; the copy is marked as a backup (see the type's discussion).
    /// - Throws: ``StoreError/database(operation:message:)`` when `path` exists or cannot
    ///   be written; nothing is left at `path` then.
    public func backup(to path: String) async throws -> Backup {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.database(operation: "back up \(self.path) to \(path)", message: "\(path) exists; remove it or choose another path (a backup never overwrites a file)")
        }
        // The copy is committed as durably as the store itself.
        let copy: DatabasePool
        do {
            copy = try DurableConnection.pool(path: path, label: "tiersync.\(node).backup")
        } catch {
            throw StoreError.database(operation: "back up \(self.path) to \(path)", message: "\(error); check that the directory exists and is writable")
        }
        do {
            // One step: the copy is the file as one read transaction sees it.
            try pool.backup(to: copy)
            let tables = schema.tables.map(\.name)
            let node = self.node
            let backup = try await copy.write { db in
                guard let holder = try String.fetchOne(db, sql: "SELECT node FROM _ts_node WHERE id = 1"), holder == node.description else {
                    throw StoreError.database(operation: "back up to \(path)", message: "the copy does not hold \(node)'s TierSync tables")
                }
                let takenAt = Date()
                let head = try SQLiteStore.logHead(db) + (Int64.fetchOne(db, sql: CaptureSQL.pending) ?? 0)
                try db.execute(sql: SQLiteStore.backupMarkTable)
                try db.execute(sql: "INSERT INTO _ts_backup(taken_at, node, log_head) VALUES (?, ?, ?)",
                               arguments: [takenAt.timeIntervalSince1970, node.description, head])
                var rows: [String: Int] = [:]
                for table in tables { rows[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(table))") ?? 0 }
                return Backup(path: path, node: node, takenAt: takenAt, logHead: head, rows: rows)
            }
            try copy.close()
            return backup
        } catch {
            try? copy.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            if let error = error as? StoreError { throw error }
            throw StoreError.database(operation: "back up \(self.path) to \(path)", message: "\(error)")
        }
    }

    /// The mark a backup copy carries.
    static let backupMarkTable = "CREATE TABLE _ts_backup(taken_at REAL NOT NULL, node TEXT NOT NULL, log_head INTEGER NOT NULL)"

    /// The epoch a restored store gives its pull cursor at its parent: no log has it, so the
    /// parent refuses the cursor and the daemon resyncs.
    static let restoredParentEpoch = "restored-from-backup"

    /// In a store being opened for writing: when the file is a restored backup, starts a new
    /// log epoch, breaks the pull cursor at the parent and drops the mark. Returns the new
    /// epoch and when the backup was taken; nil for a file that is not a restored backup.
    static func takeBackupMark(_ db: Database) throws -> (epoch: String, takenAt: Date)? {
        guard try db.tableExists("_ts_backup") else { return nil }
        let taken = try Double.fetchOne(db, sql: "SELECT max(taken_at) FROM _ts_backup") ?? 0
        let epoch = UUID().uuidString.lowercased()
        try db.execute(sql: "UPDATE _ts_node SET epoch = ? WHERE id = 1", arguments: [epoch])
        try db.execute(sql: "UPDATE _ts_peer SET epoch = ? WHERE role = 'parent'", arguments: [restoredParentEpoch])
        try db.execute(sql: "DROP TABLE _ts_backup")
        return (epoch, Date(timeIntervalSince1970: taken))
    }
}
