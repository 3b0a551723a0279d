import GRDB
import TierSyncModel
import TierSyncStore

/// One column as a synced table's declaration (its `sql`) makes it, read by creating the
/// table in a scratch in-memory database: never a node's file, so no durable connection.
struct DeclaredColumn {
    var name: String
    var type: String
    var notNull: Bool
    /// The DEFAULT clause's expression, as SQLite reports it.
    var defaultValue: String?
    /// The column's place in the primary key (1 and up), 0 outside it.
    var key: Int

    /// The columns `table`'s `sql` declares, in order.
    /// - Throws: ``StoreError/unusableTable(table:reason:)`` when the sql fails.
    static func all(of table: TableSchema) throws -> [DeclaredColumn] {
        let scratch = try DatabaseQueue()
        return try scratch.write { db in
            do {
                try db.execute(sql: table.createSQL)
            } catch {
                throw StoreError.unusableTable(table: table.name, reason: "its sql failed: \(error)")
            }
            return try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
                .map { DeclaredColumn(name: $0["name"], type: $0["type"] ?? "", notNull: ($0["notnull"] as Int) != 0, defaultValue: $0["dflt_value"], key: $0["pk"]) }
        }
    }
}
