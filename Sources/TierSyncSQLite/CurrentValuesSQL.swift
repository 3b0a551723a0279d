import Synchronization
import TierSyncModel

/// The statement that reads a row's current values by its key text, built once per table
/// and kept: the log reader and the apply look rows up one by one.
enum CurrentValuesSQL {
    private struct Built {
        let columns: [String]
        let keyColumns: [String]
        let sql: String
    }

    private static let built = Mutex<[String: Built]>([:])

    /// The statement's text for `table`.
    static func text(for table: TableSchema) -> String {
        if let known = built.withLock({ $0[table.name] }), known.columns == table.columns, known.keyColumns == table.keyColumns {
            return known.sql
        }
        let match = table.keyColumns.enumerated().map { "\(quoted($1)) = json_extract(?1, '$[\($0)]')" }.joined(separator: " AND ")
        let sql = "SELECT \(table.columns.map(quoted).joined(separator: ", ")) FROM \(quoted(table.name)) WHERE \(match)"
        built.withLock { $0[table.name] = Built(columns: table.columns, keyColumns: table.keyColumns, sql: sql) }
        return sql
    }
}
