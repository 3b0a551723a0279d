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

    /// Resolves in the caller's transaction. When a later write has already superseded a
    /// side, nothing is written: the record is closed and the reason returned.
    private static func resolve(_ db: Database, id: Int64, choice: ConflictChoice, schema: SyncSchema, node: NodeID) throws -> (ConflictRecord, String?) {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM _ts_conflict WHERE id = ?", arguments: [id]) else {
            throw StoreError.conflictNotFound(id: id)
        }
        let record = try SQLiteStore.conflictRecord(row)
        func refuse(_ reason: String) -> StoreError { .cannotResolve(id: id, reason: reason) }
        guard record.status != .resolved else { throw refuse("it was resolved already (\(record.resolution ?? "?"))") }
        guard let table = schema.table(named: record.table) else { throw refuse("table \(record.table) is no longer synced here") }
        let keyText = MetaText.text(record.key)
        // Local writes are the row's latest state: fold them before looking at it.
        try CaptureFold.foldPending(db, node: node, schema: schema)
        // Resolving a conflict that later writes have settled would overwrite them.
        let entry = try Row.fetchOne(db, sql: "SELECT meta, deleted FROM _ts_log WHERE tbl = ? AND pk = ?", arguments: [table.name, keyText])
        let meta = try (entry?["meta"] as String?).map(MetaText.meta)
        let held = (record.register == Conflict.existence ? meta?.existence : meta?.registers[record.register]) ?? []
        let standing = Set(held.map { ConflictRecord.text($0.version) })
        guard standing.contains(record.localVersion), standing.contains(record.remoteVersion) else {
            let reason = "a later write has superseded it, and writing either side now would overwrite that write; the conflict is closed"
            try db.execute(sql: "UPDATE _ts_conflict SET status = 'resolved', resolution = 'superseded', resolved_at = ? WHERE id = ?",
                           arguments: [Date().timeIntervalSince1970, id])
            return (try SQLiteStore.conflictRecord(try Row.fetchOne(db, sql: "SELECT * FROM _ts_conflict WHERE id = ?", arguments: [id])!), reason)
        }
        let current = try SQLiteStore.currentValues(db, table: table, keyText: keyText)
        let match = table.keyColumns.map { "\(quoted($0)) = ?" }.joined(separator: " AND ")
        let keyArguments = StatementArguments(record.key.map(\.databaseValue))
        func side() throws -> [SQLValue] {
            switch choice {
            case .local: guard let values = record.localValues else { throw refuse("the local value is not known") }; return values
            case .remote: guard let values = record.remoteValues else { throw refuse("the remote value is not known") }; return values
            case .value: throw refuse("--keep value=... chooses one column's value; for \(record.register == Conflict.existence ? "a delete against an update" : "a whole-row conflict") keep local or remote, or edit the row with SQL")
            }
        }
        switch record.register {
        case Conflict.existence:
            if try side() == [.integer(1)] {
                if current != nil {
                    try db.execute(sql: "DELETE FROM \(quoted(table.name)) WHERE \(match)", arguments: keyArguments)
                } else if (entry?["deleted"] as Int64?) != 1 {
                    throw refuse("the row is live but not held here (outside this node's scope); resolve it where it is held")
                }
            } else if current == nil {
                guard let tomb = try String.fetchOne(db, sql: "SELECT tomb FROM _ts_log WHERE tbl = ? AND pk = ?", arguments: [table.name, keyText]),
                      let values = try? MetaText.values(tomb), values.count == table.columns.count,
                      Routing.holds(node, table: table, scope: table.scopeIndex.flatMap { values[$0].textValue }.flatMap { try? NodeID($0) } ?? node) else {
                    throw refuse("the row's last values are not held here; resolve it at a node that holds the row")
                }
                try db.execute(sql: "INSERT INTO \(quoted(table.name))(\(table.columns.map(quoted).joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))",
                               arguments: StatementArguments(values.map(\.databaseValue)))
            }
        case RowMeta.wholeRow:
            let values = try side()
            guard current != nil else { throw refuse("the row is not held here (deleted, or outside this node's scope); resolve it where it is held") }
            guard values.count == table.columns.count else { throw refuse("the recorded row does not match the table's \(table.columns.count) columns") }
            let columns = table.columns.indices.filter { !table.keyColumns.contains(table.columns[$0]) }
            try db.execute(sql: "UPDATE \(quoted(table.name)) SET \(columns.map { "\(quoted(table.columns[$0])) = ?" }.joined(separator: ", ")) WHERE \(match)",
                           arguments: StatementArguments(columns.map { values[$0].databaseValue }) + keyArguments)
        default:
            let value: SQLValue
            if case let .value(given) = choice { value = given } else { value = try side().first ?? .null }
            guard let current else { throw refuse("the row is not held here (deleted, or outside this node's scope); resolve it where it is held") }
            try db.execute(sql: "UPDATE \(quoted(table.name)) SET \(quoted(record.register)) = ? WHERE \(match)",
                           arguments: [value.databaseValue] + keyArguments)
            // The write supersedes both sides even when the value did not change: the
            // column takes the write's own version.
            let scope = table.scopeIndex.flatMap { current[$0].textValue }.flatMap { try? NodeID($0) }
            let priority = table.rule(forRegister: record.register).priority(writer: node, scope: scope)
            try CaptureFold.foldPending(db, node: node, schema: schema)
            if let written = try Row.fetchOne(db, sql: "SELECT hlc, meta FROM _ts_log WHERE tbl = ? AND pk = ? AND origin = ?",
                                              arguments: [table.name, keyText, node.description]),
               var meta = try? MetaText.meta(written["meta"]) {
                let version = Version(stamp: HybridTimestamp(rawValue: written["hlc"]), origin: node)
                meta.registers[record.register] = [Sibling(version: version, priority: priority, values: nil)]
                try db.execute(sql: "UPDATE _ts_log SET meta = ? WHERE tbl = ? AND pk = ?", arguments: [MetaText.text(meta), table.name, keyText])
            }
        }
        try CaptureFold.foldPending(db, node: node, schema: schema)
        try db.execute(sql: """
            UPDATE _ts_conflict SET status = 'resolved', resolution = ?, resolved_at = ?
            WHERE id = ? OR (tbl = ? AND pk = ? AND register = ? AND status <> 'resolved' AND id < ?)
            """, arguments: [choice.description, Date().timeIntervalSince1970, id, table.name, keyText, record.register, id])
        return (try SQLiteStore.conflictRecord(try Row.fetchOne(db, sql: "SELECT * FROM _ts_conflict WHERE id = ?", arguments: [id])!), nil)
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
