import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// The conflicts met here, newest first; with `all`, the resolved ones too.
    public func conflicts(all: Bool, limit: Int) async throws -> [ConflictRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM _ts_conflict \(all ? "" : "WHERE status <> 'resolved'") ORDER BY id DESC LIMIT ?",
                             arguments: [limit]).map(SQLiteStore.conflictRecord)
        }
    }

    /// The number of conflicts waiting for an operator.
    public func openConflictCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _ts_conflict WHERE status = 'open'") ?? 0 }
    }

    /// The number of conflicts recorded here, whatever their status.
    public func conflictCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _ts_conflict") ?? 0 }
    }

    /// Writes the chosen value as a local change (through the capture triggers, folded into
    /// the log at once, so it gets a new version that supersedes both sides) and marks the conflict, and any older record
    /// of the same register, resolved, in one transaction.
    public func resolveConflict(id: Int64, keep choice: ConflictChoice) async throws -> ConflictRecord {
        let schema = self.schema
        let node = self.node
        let (record, superseded) = try await writeTransaction { db in
            try SQLiteStore.resolve(db, id: id, choice: choice, schema: schema, node: node)
        }
        if let superseded { throw StoreError.cannotResolve(id: record.id, reason: superseded) }
        return record
    }

    /// Resolves in the caller's transaction: reads the row's state, asks
    /// ``ConflictResolution`` what the choice writes, and writes it. When a later write has
    /// already superseded a side, nothing is written: the record is closed and the reason
    /// returned.
    private static func resolve(_ db: Database, id: Int64, choice: ConflictChoice, schema: SyncSchema, node: NodeID) throws -> (ConflictRecord, String?) {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM _ts_conflict WHERE id = ?", arguments: [id]) else {
            throw StoreError.conflictNotFound(id: id)
        }
        let record = try SQLiteStore.conflictRecord(row)
        let table = schema.table(named: record.table)
        let keyText = MetaText.text(record.key)
        // Local writes are the row's latest state: fold them before looking at it.
        try CaptureFold.foldPending(db, node: node, schema: schema)
        let entry = try Row.fetchOne(db, sql: "SELECT meta, deleted, tomb FROM _ts_log WHERE tbl = ? AND pk = ?", arguments: [record.table, keyText])
        let current = try table.flatMap { try SQLiteStore.currentValues(db, table: $0, keyText: keyText) }
        let state = ConflictResolution.RowState(
            meta: try (entry?["meta"] as String?).map(MetaText.meta), deleted: (entry?["deleted"] as Int64?) == 1, current: current,
            tomb: current == nil ? (entry?["tomb"] as String?).flatMap { try? MetaText.values($0) } : nil)
        let write = try ConflictResolution.decide(record, choice: choice, table: table, row: state, node: node)
        func reread() throws -> ConflictRecord {
            try SQLiteStore.conflictRecord(try Row.fetchOne(db, sql: "SELECT * FROM _ts_conflict WHERE id = ?", arguments: [id])!)
        }
        if case let .superseded(reason) = write {
            try db.execute(sql: "UPDATE _ts_conflict SET status = 'resolved', resolution = 'superseded', resolved_at = ? WHERE id = ?",
                           arguments: [Date().timeIntervalSince1970, id])
            return (try reread(), reason)
        }
        guard let table else { throw StoreError.cannotResolve(id: id, reason: "table \(record.table) is no longer synced here") }
        try apply(write, table: table, key: record.key, keyText: keyText, db: db, node: node, schema: schema)
        try CaptureFold.foldPending(db, node: node, schema: schema)
        try db.execute(sql: """
            UPDATE _ts_conflict SET status = 'resolved', resolution = ?, resolved_at = ?
            WHERE id = ? OR (tbl = ? AND pk = ? AND register = ? AND status <> 'resolved' AND id < ?)
            """, arguments: [choice.description, Date().timeIntervalSince1970, id, table.name, keyText, record.register, id])
        return (try reread(), nil)
    }

    /// Writes a resolution as an application would, through the capture triggers.
    private static func apply(_ write: ConflictResolution.Write, table: TableSchema, key: [SQLValue], keyText: String, db: Database,
                              node: NodeID, schema: SyncSchema) throws {
        let match = table.keyColumns.map { "\(quoted($0)) = ?" }.joined(separator: " AND ")
        let keyArguments = StatementArguments(key.map(\.databaseValue))
        switch write {
        case .superseded, .nothing:
            return
        case .delete:
            try db.execute(sql: "DELETE FROM \(quoted(table.name)) WHERE \(match)", arguments: keyArguments)
        case let .insert(values):
            try db.execute(sql: "INSERT INTO \(quoted(table.name))(\(table.columns.map(quoted).joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))",
                           arguments: StatementArguments(values.map(\.databaseValue)))
        case let .updateRow(values):
            let columns = table.columns.indices.filter { !table.keyColumns.contains(table.columns[$0]) }
            try db.execute(sql: "UPDATE \(quoted(table.name)) SET \(columns.map { "\(quoted(table.columns[$0])) = ?" }.joined(separator: ", ")) WHERE \(match)",
                           arguments: StatementArguments(columns.map { values[$0].databaseValue }) + keyArguments)
        case let .updateColumn(name, value, priority):
            try db.execute(sql: "UPDATE \(quoted(table.name)) SET \(quoted(name)) = ? WHERE \(match)", arguments: [value.databaseValue] + keyArguments)
            // The write supersedes both sides even when the value did not change: the
            // column takes the write's own version.
            try CaptureFold.foldPending(db, node: node, schema: schema)
            if let written = try Row.fetchOne(db, sql: "SELECT hlc, meta FROM _ts_log WHERE tbl = ? AND pk = ? AND origin = ?",
                                              arguments: [table.name, keyText, node.description]),
               var meta = try? MetaText.meta(written["meta"]) {
                let version = Version(stamp: HybridTimestamp(rawValue: written["hlc"]), origin: node)
                meta.registers[name] = [Sibling(version: version, priority: priority, values: nil)]
                try db.execute(sql: "UPDATE _ts_log SET meta = ? WHERE tbl = ? AND pk = ?", arguments: [MetaText.text(meta), table.name, keyText])
            }
        }
    }

    static func conflictRecord(_ row: Row) throws -> ConflictRecord {
        func values(_ column: String) -> [SQLValue]? {
            (row[column] as String?).flatMap { try? MetaText.values($0) }
        }
        return ConflictRecord(
            id: row["id"], detectedAt: Date(timeIntervalSince1970: row["detected_at"]), peer: row["peer"], table: row["tbl"],
            key: values("pk") ?? [], register: row["register"], rule: row["rule"],
            localVersion: row["local_version"], localValues: values("local_value"),
            remoteVersion: row["remote_version"], remoteValues: values("remote_value"),
            baseVersion: row["base_version"], baseValues: values("base_value"), winner: row["winner"],
            status: ConflictRecord.Status(rawValue: row["status"]) ?? .decided, resolution: row["resolution"])
    }
}
