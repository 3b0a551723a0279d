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
            if existed[index] { try evolveTable(db, table: schema.tables[index]) }
            try resolveTable(db, table: &schema.tables[index])
            try recordRules(db, table: schema.tables[index])
        }
        try db.execute(sql: "UPDATE _ts_node SET schema_version = ? WHERE id = 1", arguments: [schema.version])
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

    /// Brings an existing synced table to its declaration (SYNC.md 2.1): adds the columns
    /// the schema declares that the table lacks, and refuses a column the schema no longer
    /// declares or a changed key.
    /// - Throws: ``StoreError/unusableTable(table:reason:)`` with the safe procedure.
    private static func evolveTable(_ db: Database, table: TableSchema) throws {
        let declared = try DeclaredColumn.all(of: table)
        let present = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
        let presentNames = Set(present.map { $0["name"] as String })
        for row in present where !declared.contains(where: { $0.name == row["name"] as String }) {
            throw StoreError.unusableTable(table: table.name, reason: SchemaEvolution.removedColumn(row["name"], table: table.name))
        }
        let declaredKey = declared.filter { $0.key > 0 }.sorted { $0.key < $1.key }.map(\.name)
        let presentKey = present.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] as String }
        guard declaredKey == presentKey else {
            throw StoreError.unusableTable(table: table.name, reason: "its primary key is (\(presentKey.joined(separator: ", "))) and the schema declares (\(declaredKey.joined(separator: ", "))); a running tree cannot change a table's key: declare a new table with the new key and copy the rows into it")
        }
        let added = declared.filter { !presentNames.contains($0.name) }
        if !added.isEmpty && table.isColumnwise {
            throw StoreError.unusableTable(table: table.name, reason: SchemaEvolution.columnAddedToMerge(added.map(\.name)))
        }
        for column in added {
            if column.notNull && column.defaultValue == nil {
                throw StoreError.unusableTable(table: table.name, reason: "the schema adds column \(column.name) as NOT NULL without a DEFAULT, which the rows already there cannot have; declare a DEFAULT, or let it be NULL")
            }
            let declaration = [quoted(column.name), column.type, column.notNull ? "NOT NULL" : "", column.defaultValue.map { "DEFAULT \($0)" } ?? ""]
                .filter { !$0.isEmpty }.joined(separator: " ")
            do {
                try db.execute(sql: "ALTER TABLE \(quoted(table.name)) ADD COLUMN \(declaration)")
            } catch {
                throw StoreError.unusableTable(table: table.name, reason: "cannot add column \(column.name) as the schema declares it (\(declaration)): \(error)")
            }
        }
    }

    /// Records the table's rules the first time this node runs with it, and refuses a
    /// change of them afterwards (``SchemaEvolution``).
    private static func recordRules(_ db: Database, table: TableSchema) throws {
        let line = SchemaEvolution.ruleLine(of: table)
        if let recorded = try String.fetchOne(db, sql: "SELECT rules FROM _ts_schema WHERE tbl = ?", arguments: [table.name]),
           let change = SchemaEvolution.ruleChange(recorded: recorded, table: table) {
            throw StoreError.unusableTable(table: table.name, reason: change)
        }
        try db.execute(sql: "INSERT OR REPLACE INTO _ts_schema(tbl, rules) VALUES (?, ?)", arguments: [table.name, line])
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
