import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite

/// Keeps the report aggregates current through the daemon's applies at a fraction of what
/// the triggers cost there: it sums each batch's revenue in memory and writes each touched
/// bucket once at the end, while the triggers stand aside (`_ts_node.observing`). The
/// figures are exactly those the triggers would write (the tests compare both with a
/// rebuild).
struct ReportApplyObserver: ApplyObserver {
    var tables: Set<String> { ["customer", "revenue"] }

    func begin(_ db: Database) throws -> any ApplyObservation {
        ReportBatch(db: db)
    }
}

/// One apply transaction's pending sums.
final class ReportBatch: ApplyObservation {
    let db: Database
    /// A customer's industry and classes as the buckets use them (empty when unknown).
    typealias Attributes = (industry: String, classes: String)
    private var attributes: [String: Attributes] = [:]
    /// Pending sums by bucket; a bucket's key is its key columns joined by ``separator``.
    private var province: [String: Sums] = [:]
    private var city: [String: Sums] = [:]
    private var classes: [String: Sums] = [:]
    private var customerPeriod: [String: Sums] = [:]
    private var cells: [String: Sums] = [:]
    /// Joins the key columns of a bucket; no key holds it (it is a control character).
    static let separator = "\u{1F}"

    /// Two running sums: amount and lines, or customers and accounts.
    struct Sums {
        var first: Int64 = 0
        var second: Int64 = 0
        mutating func add(_ first: Int64, _ second: Int64) {
            self.first &+= first
            self.second &+= second
        }
    }

    init(db: Database) {
        self.db = db
    }

    func rowWritten(_ table: TableSchema, before: [SQLValue]?, after: [SQLValue]?) throws {
        switch table.name {
        case "revenue":
            if let before { try addRevenue(Row(table, before), sign: -1) }
            if let after { try addRevenue(Row(table, after), sign: 1) }
        case "customer":
            try customerWritten(before: before.map { Row(table, $0) }, after: after.map { Row(table, $0) })
        default:
            break
        }
    }

    func finish() throws {
        try flushRevenue()
        try write("_ts_rpt_customer", ["city", "industry", "classes"], extra: ["province"], sums: ["customers", "accounts"], cells) { [ReportDimension.province(of: $0[0])] }
        cells = [:]
    }

    // MARK: revenue

    private func addRevenue(_ row: Row, sign: Int64) throws {
        let customer = row.text("customer_id")
        let owner = try attributes(of: customer)
        let period = row.text("period"), scope = row.text("scope"), category = row.text("category")
        let amount = sign * (try row.amount(db))
        let s = Self.separator
        province[period + s + ReportDimension.province(of: scope) + s + owner.industry + s + category, default: Sums()].add(amount, sign)
        city[period + s + scope + s + owner.industry + s + category, default: Sums()].add(amount, sign)
        classes[period + s + scope + s + owner.classes, default: Sums()].add(amount, sign)
        customerPeriod[period + s + customer, default: Sums()].add(amount, sign)
    }

    private func attributes(of customer: String) throws -> Attributes {
        if let known = attributes[customer] { return known }
        let statement = try db.cachedStatement(sql: "SELECT coalesce(industry, ''), coalesce(classes, '') FROM customer WHERE id = ?")
        statement.setUncheckedArguments([customer])
        let found = try GRDB.Row.fetchOne(statement).map { (industry: $0[0] as String, classes: $0[1] as String) } ?? ("", "")
        attributes[customer] = found
        return found
    }

    private func flushRevenue() throws {
        let sums = ["amount", "lines"]
        try write("_ts_rpt_revenue_province", ["period", "province", "industry", "category"], sums: sums, province) { _ in [] }
        try write("_ts_rpt_revenue_city", ["period", "city", "industry", "category"], extra: ["province"], sums: sums, city) { [ReportDimension.province(of: $0[1])] }
        try write("_ts_rpt_revenue_class", ["period", "city", "classes"], extra: ["province"], sums: sums, classes) { [ReportDimension.province(of: $0[1])] }
        try write("_ts_rpt_revenue_customer", ["period", "customer_id"], sums: sums, customerPeriod) { _ in [] }
        province = [:]; city = [:]; classes = [:]; customerPeriod = [:]
    }

    /// Adds each bucket's pending sums to its row, skipping buckets whose sums are all zero.
    private func write(_ table: String, _ key: [String], extra: [String] = [], sums: [String], _ buckets: [String: Sums],
                       extraValues: ([String]) -> [String]) throws {
        let columns = key + extra + sums
        let sql = ReportAggregates.upsert(table, columns: columns, source: "VALUES (" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")",
                                          conflict: key, sums: sums)
        let statement = try db.cachedStatement(sql: sql)
        for (bucket, values) in buckets where values.first != 0 || values.second != 0 {
            let parts = bucket.components(separatedBy: Self.separator)
            statement.setUncheckedArguments(StatementArguments(parts + extraValues(parts)) + [values.first, values.second])
            try statement.execute()
        }
    }

    // MARK: customer

    private func customerWritten(before: Row?, after: Row?) throws {
        func bucket(_ row: Row?) -> Attributes? { row.map { ($0.text("industry"), $0.text("classes")) } }
        let relevant = ["id", "scope", "unified_code", "industry", "classes"]
        if let before, let after, relevant.allSatisfy({ before.value($0) == after.value($0) }) { return }
        guard let present = after ?? before else { return }
        let selfID = present.text("id")
        if let before { try count(before, sign: -1, excluding: selfID) }
        if let after { try count(after, sign: 1, excluding: selfID) }
        let moved = before?.text("id") != after?.text("id") || bucket(before)! != bucket(after)!
        guard moved else { return }
        let unknown: Attributes = ("", "")
        defer {
            if let before { attributes[before.text("id")] = unknown }
            if let after { attributes[after.text("id")] = bucket(after)! }
        }
        let ids = [before?.text("id"), after?.text("id")].compactMap { $0 }
        let held = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM revenue WHERE customer_id IN (?, ?))")
        held.setUncheckedArguments([ids[0], ids.last!])
        guard try Bool.fetchOne(held) == true else { return }
        // Revenue summed so far in this batch is in its buckets before any of it moves.
        try flushRevenue()
        if let before, let after, before.text("id") == after.text("id") {
            try move(after.text("id"), from: bucket(before)!, to: bucket(after)!)
        } else {
            if let before { try move(before.text("id"), from: bucket(before)!, to: unknown) }
            if let after { try move(after.text("id"), from: unknown, to: bucket(after)!) }
        }
    }


    /// Counts a customer in or out of its bucket, with its account when no other customer
    /// of the bucket shares its unified code (the table holds the write already).
    private func count(_ row: Row, sign: Int64, excluding selfID: String) throws {
        var account: Int64 = 1
        let code = row.value("unified_code")
        if code != .null {
            let statement = try db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM customer c WHERE c.unified_code = ? AND c.id IS NOT ?
                  AND coalesce(c.scope, '') = ? AND coalesce(c.industry, '') = ? AND coalesce(c.classes, '') = ?)
                """)
            statement.setUncheckedArguments([code.databaseValue, selfID, row.text("scope"), row.text("industry"), row.text("classes")])
            account = try Bool.fetchOne(statement) == true ? 0 : 1
        }
        cells[[row.text("scope"), row.text("industry"), row.text("classes")].joined(separator: Self.separator), default: Sums()].add(sign, sign * account)
    }

    private func move(_ customer: String, from: Attributes, to: Attributes) throws {
        // Each statement uses the parameters of its own bucket (industry or classes), so the
        // arguments are set without GRDB's count check.
        for sql in ReportAggregates.moveRevenue(of: "?1", from: (industry: "?2", classes: "?3"), to: (industry: "?4", classes: "?5")) {
            let statement = try db.cachedStatement(sql: sql)
            statement.setUncheckedArguments([customer, from.industry, from.classes, to.industry, to.classes])
            try statement.execute()
        }
    }

    /// A written row's values by column name.
    struct Row {
        let table: TableSchema
        let values: [SQLValue]

        init(_ table: TableSchema, _ values: [SQLValue]) {
            self.table = table
            self.values = values
        }

        func value(_ column: String) -> SQLValue {
            table.columns.firstIndex(of: column).map { values[$0] } ?? .null
        }

        /// The value as a bucket key holds it: as SQLite's TEXT affinity would store it, empty for NULL.
        func text(_ column: String) -> String {
            switch value(column) {
            case .null: ""
            case let .text(text): text
            case let .integer(integer): String(integer)
            default: value(column).description
            }
        }

        /// `amount_fen` as the triggers read it: `coalesce(CAST(amount_fen AS INTEGER), 0)`.
        func amount(_ db: Database) throws -> Int64 {
            switch value("amount_fen") {
            case let .integer(integer): return integer
            case .null: return 0
            case let other: return try Int64.fetchOne(db, sql: "SELECT coalesce(CAST(? AS INTEGER), 0)", arguments: [other.databaseValue]) ?? 0
            }
        }
    }
}
