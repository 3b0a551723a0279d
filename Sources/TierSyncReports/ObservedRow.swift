import GRDB
import TierSyncModel

/// Where the columns the report aggregates read sit in a table's rows, found once per
/// batch rather than by name for every row.
struct ObservedColumns {
    let id: Int?
    let scope: Int?
    let unifiedCode: Int?
    let industry: Int?
    let classes: Int?
    let customerID: Int?
    let period: Int?
    let category: Int?
    let amount: Int?

    init(_ table: TableSchema) {
        let columns = table.columns
        id = columns.firstIndex(of: "id")
        scope = columns.firstIndex(of: "scope")
        unifiedCode = columns.firstIndex(of: "unified_code")
        industry = columns.firstIndex(of: "industry")
        classes = columns.firstIndex(of: "classes")
        customerID = columns.firstIndex(of: "customer_id")
        period = columns.firstIndex(of: "period")
        category = columns.firstIndex(of: "category")
        amount = columns.firstIndex(of: "amount_fen")
    }
}

/// A written row's values, read as the aggregate triggers read them.
struct ObservedRow {
    let values: [SQLValue]

    /// The value at `position`, NULL for a column the table lacks.
    func value(_ position: Int?) -> SQLValue {
        position.map { values[$0] } ?? .null
    }

    /// The value as a bucket key holds it: as SQLite's TEXT affinity would store it, empty for NULL.
    func text(_ position: Int?) -> String {
        switch value(position) {
        case .null: ""
        case let .text(text): text
        case let .integer(integer): String(integer)
        case let other: other.description
        }
    }

    /// The amount at `position` as the triggers read it: `coalesce(CAST(amount_fen AS INTEGER), 0)`.
    func amount(_ position: Int?, _ db: Database) throws -> Int64 {
        switch value(position) {
        case let .integer(integer): return integer
        case .null: return 0
        case let other: return try Int64.fetchOne(db, sql: "SELECT coalesce(CAST(? AS INTEGER), 0)", arguments: [other.databaseValue]) ?? 0
        }
    }
}
