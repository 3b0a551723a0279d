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
        // Writes captured before this open are logged before anything else looks at the log,
        // at the width their tables had when they were made.
        try CaptureFold.foldPending(db, node: node, schema: schema)
        for index in schema.tables.indices where existed[index] {
            if try evolveTable(db, table: schema.tables[index]) {
                try readColumns(db, table: &schema.tables[index])
            }
        }
        for table in schema.tables {
            try checkColumnRules(table)
            try recordRules(db, table: table)
        }
        try db.execute(sql: "UPDATE _ts_node SET schema_version = ? WHERE id = 1", arguments: [schema.version])
        try installCaptureLog(db, width: schema.tables.map(\.columns.count).max() ?? 0)
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
    /// the schema declares that the table lacks (widening the row images the log keeps),
    /// and refuses a column the schema declared at the last start and no longer does, or a
    /// key changed since then. A table this node never ran with is taken as it is, columns
    /// of the application's own included. Returns true when it added a column.
    /// - Throws: ``StoreError/unusableTable(table:reason:)`` with the safe procedure.
    private static func evolveTable(_ db: Database, table: TableSchema) throws -> Bool {
        let declared = try DeclaredColumn.all(of: table)
        let present = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
        // SQLite's names are case-insensitive.
        let presentNames = Set(present.map { ($0["name"] as String).lowercased() })
        let declaredNames = Set(declared.map { $0.name.lowercased() })
        let recorded = try String.fetchOne(db, sql: "SELECT columns FROM _ts_schema WHERE tbl = ?", arguments: [table.name])
            .map { $0.split(separator: ",").map { String($0).lowercased() } } ?? []
        for column in recorded where presentNames.contains(column) && !declaredNames.contains(column) {
            throw StoreError.unusableTable(table: table.name, reason: SchemaEvolution.removedColumn(column, table: table.name))
        }
        let declaredKey = declared.filter { $0.key > 0 }.sorted { $0.key < $1.key }.map(\.name)
        let presentKey = present.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] as String }
        // A table made before TierSync first ran with it keeps the key it was made with.
        guard recorded.isEmpty || declaredKey.map({ $0.lowercased() }) == presentKey.map({ $0.lowercased() }) else {
            throw StoreError.unusableTable(table: table.name, reason: "its primary key is (\(presentKey.joined(separator: ", "))) and the schema declares (\(declaredKey.joined(separator: ", "))); a running tree cannot change a table's key: declare a new table with the new key and copy the rows into it")
        }
        let added = declared.filter { !presentNames.contains($0.name.lowercased()) }
        for column in added {
            if column.notNull && column.defaultValue == nil {
                throw StoreError.unusableTable(table: table.name, reason: "the schema adds column \(column.name) as NOT NULL without a DEFAULT, which the rows already there cannot have; declare a DEFAULT, or let it be NULL")
            }
            let declaration = column.definition
            do {
                try db.execute(sql: "ALTER TABLE \(quoted(table.name)) ADD COLUMN \(declaration)")
            } catch {
                throw StoreError.unusableTable(table: table.name, reason: "cannot add column \(column.name) as the schema declares it (\(declaration)): \(error)")
            }
        }
        guard !added.isEmpty else { return false }
        // The log keeps whole-row images (a row not held here, losing writes, bases) at the
        // width they were written with: each gains the new columns' DEFAULT, as the rows in
        // the table did, so that they still fit the table.
        var fill: [SQLValue] = []
        for column in added {
            guard let value = try Self.fill(db, default: column.defaultValue, notNull: column.notNull) else {
                throw StoreError.unusableTable(table: table.name, reason: "the schema adds column \(column.name) with DEFAULT \(column.defaultValue ?? "?"), which is not a constant; nodes not yet upgraded need one value that stands for it: declare a literal DEFAULT")
            }
            fill.append(value)
        }
        try widenImages(db, table: table.name, from: present.count, by: fill)
        return true
    }

    /// Appends `fill` to every whole-row image of `table` in the log that has `width` values.
    private static func widenImages(_ db: Database, table: String, from width: Int, by fill: [SQLValue]) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, meta, tomb FROM _ts_log WHERE tbl = ?", arguments: [table])
        var updates: [(Int64, String, String?)] = []
        while let row = try rows.next() {
            let metaText: String = row["meta"]
            let tombText: String? = row["tomb"]
            var changed = false
            var tomb = tombText
            if let text = tombText, let values = try? MetaText.values(text), values.count == width {
                tomb = MetaText.text(values + fill)
                changed = true
            }
            // Unreadable metadata stays as it is: every read skips the entry (SYNC.md 13).
            var newMeta = metaText
            if var meta = try? MetaText.meta(metaText) {
                var widened = false
                if var siblings = meta.registers[RowMeta.wholeRow] {
                    for index in siblings.indices where siblings[index].values?.count == width {
                        siblings[index].values = siblings[index].values! + fill
                        widened = true
                    }
                    meta.registers[RowMeta.wholeRow] = siblings
                }
                if var base = meta.bases[RowMeta.wholeRow], base.values.count == width {
                    base.values += fill
                    meta.bases[RowMeta.wholeRow] = base
                    widened = true
                }
                if widened {
                    newMeta = MetaText.text(meta)
                    changed = true
                }
            }
            if changed { updates.append((row["seq"], newMeta, tomb)) }
        }
        let write = try db.makeStatement(sql: "UPDATE _ts_log SET meta = ?, tomb = ? WHERE seq = ?")
        for (seq, meta, tomb) in updates {
            write.setUncheckedArguments([meta, tomb, seq])
            try write.execute()
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
        let declared = try DeclaredColumn.all(of: table).map(\.name).joined(separator: ",")
        try db.execute(sql: "INSERT OR REPLACE INTO _ts_schema(tbl, rules, columns) VALUES (?, ?, ?)", arguments: [table.name, line, declared])
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
    }

    /// Refuses a `conflict.COLUMN` that names no non-key column of the table.
    private static func checkColumnRules(_ table: TableSchema) throws {
        for column in table.columnConflicts.keys.sorted() where !table.columns.contains(column) || table.keyColumns.contains(column) {
            throw StoreError.unusableTable(table: table.name, reason: "conflict.\(column) names no non-key column; its columns are \(table.columns.joined(separator: ", "))")
        }
    }

    /// Fills in a table's columns, key columns and the columns that keep each value's type
    /// from the database.
    static func readColumns(_ db: Database, table: inout TableSchema) throws {
        let columns = try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
        table.columns = columns.map { $0["name"] }
        table.keyColumns = columns.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] }
        table.typeKeepingColumns = Set(columns.filter { keepsType(declared: $0["type"] ?? "") }.map { $0["name"] })
        var fills: [String: SQLValue] = [:]
        for column in columns where (column["pk"] as Int) == 0 {
            if let value = try fill(db, default: column["dflt_value"], notNull: column["notnull"]) { fills[column["name"]] = value }
        }
        table.fills = fills
    }

    /// The value a column declared with `expression` as its DEFAULT takes in a row written
    /// without it, or nil when that is not one value everywhere: a NOT NULL column without a
    /// DEFAULT, or a DEFAULT that is not a literal (the current time, or any expression,
    /// which SQLite reports without its parentheses).
    static func fill(_ db: Database, default expression: String?, notNull: Bool) throws -> SQLValue? {
        guard let expression else { return notNull ? nil : .null }
        let text = expression.trimmingCharacters(in: .whitespaces)
        // A double-quoted DEFAULT is a string to SQLite's DEFAULT clause, and an identifier
        // to a SELECT.
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            return .text(String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\""))
        }
        guard isLiteral(text) else { return nil }
        return SQLValue(try DatabaseValue.fetchOne(db, sql: "SELECT \(text)") ?? .null)
    }

    /// True when `text` is one SQL literal: NULL, TRUE, FALSE, a signed number, a string or
    /// a blob.
    static func isLiteral(_ text: String) -> Bool {
        let upper = text.uppercased()
        if ["NULL", "TRUE", "FALSE"].contains(upper) { return true }
        if upper.wholeMatch(of: /[+-]?(0X[0-9A-F]+|([0-9]+(\.[0-9]*)?|\.[0-9]+)(E[+-]?[0-9]+)?)/) != nil { return true }
        if upper.wholeMatch(of: /X'([0-9A-F]{2})*'/) != nil { return true }
        return text.wholeMatch(of: /'([^']|'')*'/) != nil
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
