import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Refuses the file if it belongs to another node, then brings TierSync's own tables to
    /// this build's layout (``StoreMigrations``, each migration in its own transaction).
    /// Run before ``install(_:node:path:schema:adopt:)``.
    static func migrate(_ pool: DatabasePool, node: NodeID, path: String) throws {
        // Another node's file is refused before a migration changes it.
        _ = try pool.read { db in try claim(db, node: node, path: path) }
        try StoreMigrations.migrate(pool, path: path)
    }

    /// Claims the migrated file for `node`, creates missing synced tables, reads their
    /// columns, folds the writes captured before (``CaptureFold``), (re)creates the capture
    /// log and triggers (recording a ``CaptureGap`` for those someone dropped; a store made
    /// by an earlier TierSync gets the thin triggers, its log kept as it is) and, with
    /// `adopt`, adopts unlogged rows. Returns the log's epoch.
    static func install(_ db: Database, node: NodeID, path: String, schema: inout SyncSchema, adopt: Bool) throws -> String {
        let epoch: String
        let row = try claim(db, node: node, path: path)
        if let row {
            epoch = row["epoch"]
        } else {
            epoch = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO _ts_node(id, node, hlc, applying, epoch) VALUES (1, ?, 0, 0, ?)", arguments: [node.description, epoch])
        }
        try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
        var existed: [Bool] = []
        for index in schema.tables.indices {
            existed.append(try db.tableExists(schema.tables[index].name))
            try resolveTable(db, table: &schema.tables[index])
        }
        try installCaptureLog(db, width: schema.tables.map(\.columns.count).max() ?? 0)
        // Writes captured before this open are logged before anything else looks at the log.
        try CaptureFold.foldPending(db, node: node, schema: schema)
        for (index, table) in schema.tables.enumerated() where row != nil && existed[index] {
            try recordCaptureGap(db, triggers: try lostTriggers(db, table: table))
        }
        for table in schema.tables {
            try installTriggers(db, table: table, node: node)
            if adopt { try adoptUnloggedRows(db, table: table, node: node) }
        }
        try CaptureFold.foldPending(db, node: node, schema: schema)
        return epoch
    }

    /// The file's claim (`_ts_node`: node and epoch), nil when no node has claimed it yet.
    /// - Throws: ``StoreError/wrongNode(database:holds:configured:)`` when it belongs to
    ///   another node than `node`.
    static func claim(_ db: Database, node: NodeID, path: String) throws -> Row? {
        guard try db.tableExists("_ts_node"), let row = try Row.fetchOne(db, sql: "SELECT node, epoch FROM _ts_node WHERE id = 1") else {
            return nil
        }
        let holder: String = row["node"]
        guard holder == node.description else {
            throw StoreError.wrongNode(database: path, holds: holder, configured: node.description)
        }
        return row
    }

    /// Creates the capture log, or adds the image columns a wider table needs.
    private static func installCaptureLog(_ db: Database, width: Int) throws {
        try db.execute(sql: CaptureSQL.table(width: width))
        let present = Set(try db.columns(in: "_ts_capture").map(\.name))
        for index in 0..<width where !present.contains(CaptureSQL.imageColumn(index)) {
            try db.execute(sql: "ALTER TABLE _ts_capture ADD COLUMN \(CaptureSQL.imageColumn(index))")
        }
    }

    /// Creates the synced table if it does not exist, and reads its columns and key.
    private static func resolveTable(_ db: Database, table: inout TableSchema) throws {
        let existed = try db.tableExists(table.name)
        if !existed {
            do {
                try db.execute(sql: table.createSQL)
            } catch {
                throw StoreError.unusableTable(table: table.name, reason: "its sql failed: \(error)")
            }
            guard try db.tableExists(table.name) else {
                throw StoreError.unusableTable(table: table.name, reason: "its sql does not create a table named \(table.name)")
            }
        }
        try readColumns(db, table: &table)
        guard table.columns.contains("scope") else {
            throw StoreError.unusableTable(table: table.name, reason: "it has no scope column; add `scope TEXT NOT NULL` holding the owning node's id")
        }
        guard !table.keyColumns.isEmpty else {
            throw StoreError.unusableTable(table: table.name, reason: "it has no PRIMARY KEY; declare one (INTEGER or TEXT columns)")
        }
        for column in table.columnConflicts.keys.sorted() where !table.columns.contains(column) || table.keyColumns.contains(column) {
            throw StoreError.unusableTable(table: table.name, reason: "conflict.\(column) names no non-key column; its columns are \(table.columns.joined(separator: ", "))")
        }
    }

    /// Fills in a table's columns, key columns and the columns that keep each value's type
    /// from the database.
    static func readColumns(_ db: Database, table: inout TableSchema) throws {
        let columns = try Row.fetchAll(db, sql: "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
        table.columns = columns.map { $0["name"] }
        table.keyColumns = columns.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] }
        table.typeKeepingColumns = Set(columns.filter { keepsType(declared: $0["type"] ?? "") }.map { $0["name"] })
    }

    /// True when a column declared with type `declared` stores each value with the type it
    /// was written with: SQLite's BLOB affinity (no type, or a type naming BLOB), and `ANY`.
    /// Every other affinity converts a real that equals an integer into one storage class
    /// (INTEGER and NUMERIC to the integer, REAL to the real, TEXT to text), so there an
    /// integer and an equal real cannot both be stored.
    static func keepsType(declared: String) -> Bool {
        let type = declared.uppercased()
        if type.contains("INT") || ["CHAR", "CLOB", "TEXT"].contains(where: type.contains) { return false }
        if type.isEmpty || type.contains("BLOB") || type.trimmingCharacters(in: .whitespaces) == "ANY" { return true }
        return false
    }

    /// Rows present before TierSync (or written while its triggers were off) enter the
    /// capture log as local inserts, so they are replicated like any other. Rows whose
    /// scope this node does not hold are left alone: they could only be written here by
    /// mistake, and a resync removes them into the error queue instead of sending them to
    /// their owner.
    private static func adoptUnloggedRows(_ db: Database, table: TableSchema, node: NodeID) throws {
        let literal = "'" + table.name.replacingOccurrences(of: "'", with: "''") + "'"
        let keyImage = table.keyIndexes.map { CaptureSQL.imageColumn($0) }.joined(separator: ", ")
        let key = table.keyColumns.map { "t.\(quoted($0))" }.joined(separator: ", ")
        try db.execute(sql: """
            INSERT INTO _ts_capture(tbl, op, at, scope, \(keyImage))
              SELECT \(literal), 'I', \(CaptureSQL.wallClockMillis), t.scope, \(key) FROM \(quoted(table.name)) t
              WHERE NOT EXISTS (SELECT 1 FROM _ts_log l WHERE l.tbl = \(literal) AND l.pk = \(ChangeLogSQL.keyExpression(table, row: "t")))
                AND \(ChangeLogSQL.holds(node, table: table, scope: "t.scope"))
            """)
    }
}
