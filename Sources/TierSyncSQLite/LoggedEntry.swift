import Foundation
import GRDB
import GRDBSQLite
import TierSyncModel

/// A row's entry in the change log (`_ts_log`), as stored: the columns the apply and the
/// repair read before merging. ``columns`` lists them in the order read.
struct LoggedEntry {
    var hlc: Int64
    var origin: String
    var source: String
    var scope: String
    var previousScope: String?
    var deleted: Bool
    var meta: String
    var tomb: String?
    /// The key text (`pk`), as the log's index holds it.
    var keyText: String
    /// The position of the row's first entry here; nil for one logged before births were.
    var born: Int64?
    /// The entry's position in the log.
    var seq: Int64

    /// The columns of `_ts_log` an entry is read from, in order.
    static let columns = "hlc, origin, source, scope, prev_scope, deleted, meta, tomb, pk, born, seq"

    /// Reads the entry a prepared statement selecting ``columns`` finds, stepping it through
    /// SQLite's C API (the apply looks up every row it receives), and resets it.
    static func read(_ statement: Statement) throws -> LoggedEntry? {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        guard try DigestScan.step(statement) else { return nil }
        let raw = RawColumns(statement: handle)
        let text: (Int32) -> String? = { sqlite3_column_type(handle, $0) == SQLITE_NULL ? nil : String(decoding: raw.textBytes($0), as: UTF8.self) }
        return LoggedEntry(
            hlc: sqlite3_column_int64(handle, 0), origin: text(1) ?? "", source: text(2) ?? "", scope: text(3) ?? "",
            previousScope: text(4), deleted: sqlite3_column_int64(handle, 5) != 0, meta: text(6) ?? "", tomb: text(7),
            keyText: text(8) ?? "", born: sqlite3_column_type(handle, 9) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 9),
            seq: sqlite3_column_int64(handle, 10))
    }

    /// The state the entry records for the row `key` of `table`. The row's values are in
    /// the entry only when it is not held here (`tomb`); the merge reads them from the table
    /// if it needs them.
    func state(table: TableSchema, key: [SQLValue]) throws -> Change {
        var values = try tomb.map(MetaText.values)
        if let count = values?.count, count != table.columns.count { values = nil }
        return Change(
            table: table.name, key: key, values: values, deleted: deleted,
            version: Version(stamp: HybridTimestamp(rawValue: hlc), origin: try NodeID(origin)),
            scope: try NodeID(scope), previousScope: try previousScope.map { try NodeID($0) },
            source: try NodeID(source), meta: try MetaText.meta(meta))
    }
}
