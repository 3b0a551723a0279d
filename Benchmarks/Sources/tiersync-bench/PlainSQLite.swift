import GRDB
import TierSyncSQLite
import TierSyncModel

/// SQLite files written with GRDB alone, as a local application writes them. The
/// baselines use them without TierSync; the capture benchmark also writes a TierSync store
/// through them.
enum PlainSQLite {
    /// The default schema's `CREATE TABLE customer ...`.
    static let customerSQL = SyncSchema.standard.table(named: "customer")!.createSQL

    /// The application's insert of one whole customer row.
    static let insertSQL = "INSERT INTO customer VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// The application's update of one customer row: its name and status (arguments as
    /// ``updateArguments(_:)`` makes them).
    static let updateSQL = "UPDATE customer SET name = ?, status = ? WHERE id = ?"

    /// The same update of every row in one statement, as the e2e figure and the PostgreSQL
    /// peer (`pg-cascade.py`) run it.
    static let updateAllSQL = "UPDATE customer SET name = name || ' (updated)', status = 'updated'"

    /// The condition an updated row meets.
    static let updatedCondition = "status = 'updated'"

    /// The upsert a plain replica would run for each received row.
    static let upsertSQL = """
        INSERT INTO customer(id, unified_code, name, classes, industry, manager, credit_level, status, scope)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET unified_code = excluded.unified_code, name = excluded.name,
          classes = excluded.classes, industry = excluded.industry, manager = excluded.manager,
          credit_level = excluded.credit_level, status = excluded.status, scope = excluded.scope
        """

    /// Creates `path` with one table, in WAL mode as a TierSync store is (a `DatabasePool`
    /// sets it, and it stays with the file).
    static func createFile(at path: String, tableSQL: String) throws {
        let pool = try DatabasePool(path: path)
        try pool.write { db in try db.execute(sql: tableSQL) }
        try pool.close()
    }

    /// Opens a connection the way a local application would, waiting up to 30 s for locks.
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Opens a read-only connection, for polling row counts.
    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Rows as statement arguments, converted before any timing starts.
    static func arguments(_ rows: [[SQLValue]]) -> [StatementArguments] {
        rows.map { StatementArguments($0.map(\.databaseValue)) }
    }

    /// The arguments of ``updateSQL`` for every row: the name with ` (updated)`, status
    /// `updated`, the id.
    static func updateArguments(_ rows: CustomerRows) -> [StatementArguments] {
        rows.values.map { row in
            let name = row[2].textValue ?? ""
            return StatementArguments([(name + " (updated)").databaseValue, "updated".databaseValue, row[0].databaseValue])
        }
    }

    /// Runs `sql` once per row of arguments with one prepared statement, in immediate
    /// transactions of `transactionSize` rows.
    static func execute(_ sql: String, _ rows: [StatementArguments], into queue: DatabaseQueue, transactionSize: Int) throws {
        try queue.inDatabase { db in
            let statement = try db.makeStatement(sql: sql)
            for chunk in rows.chunked(transactionSize) {
                try db.inTransaction(.immediate) {
                    for arguments in chunk {
                        statement.setUncheckedArguments(arguments)
                        try statement.execute()
                    }
                    return .commit
                }
            }
        }
    }

    /// Runs one statement in its own transaction.
    static func execute(_ sql: String, in queue: DatabaseQueue) throws {
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// `SELECT count(*)` of a table, of the rows meeting `condition` when there is one.
    static func count(_ table: String, where condition: String? = nil, in reader: any DatabaseReader) throws -> Int {
        try reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"" + (condition.map { " WHERE \($0)" } ?? "")) ?? 0 }
    }
}
