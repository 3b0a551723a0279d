import Foundation
import GRDB
import GRDBSQLite
import TierSyncModel
import TierSyncSQLite

/// One apply transaction's pending sums.
///
/// Revenue of a customer the batch writes is summed under the customer's industry and
/// classes as they were when the batch began; at its end, after those sums are written, the
/// revenue of each customer whose bucket changed moves in one step to its new bucket. So a
/// batch of new customers asks once, not once a row, whether any of them has revenue here.
final class ReportBatch: ApplyObservation {
    let db: Database
    /// A customer's industry and classes as the buckets use them (empty when unknown), as
    /// ids of ``texts``.
    struct Attributes: Equatable {
        var industry: Int32
        var classes: Int32
        static let unknown = Attributes(industry: 0, classes: 0)
    }

    /// The key of a bucket: up to four text key columns as ids of ``texts``, unused ones 0.
    struct Bucket: Hashable {
        var a: Int32, b: Int32, c: Int32, d: Int32 = 0
        /// The first `count` key columns.
        func parts(_ count: Int) -> [Int32] { Array([a, b, c, d].prefix(count)) }
    }

    /// Two running sums: amount and lines, or customers and accounts.
    struct Sums {
        var first: Int64 = 0
        var second: Int64 = 0
        mutating func add(_ first: Int64, _ second: Int64) {
            self.first &+= first
            self.second &+= second
        }
    }

    /// A customer the batch has met, by its revenue or its row.
    struct Customer {
        /// Its id as an id of ``texts``, once its revenue needs one.
        var text: Int32?
        /// The bucket its revenue is counted under while the batch runs: as at its start.
        var counted: Attributes
        /// The bucket it is in now, if the batch wrote it (unknown once it is gone).
        var written: Attributes?
    }

    /// The texts of the batch's bucket keys.
    private var texts = TextIDs()
    /// The province of each scope met, both as ids of ``texts``.
    private var provinces: [Int32: Int32] = [:]
    /// The customers the batch has met, by id.
    private var customers: [String: Customer] = [:]
    /// Pending sums by bucket.
    private var province: [Bucket: Sums] = [:]
    private var city: [Bucket: Sums] = [:]
    private var classes: [Bucket: Sums] = [:]
    private var customerPeriod: [Bucket: Sums] = [:]
    private var cells: [Bucket: Sums] = [:]
    private var customerColumns: ObservedColumns?
    private var revenueColumns: ObservedColumns?

    /// The number of changes in the batch: room for as many customers is made when the
    /// first customer row arrives.
    private let changes: Int

    /// Starts the batch of `changes` changes.
    init(db: Database, changes: Int) {
        self.db = db
        self.changes = changes
    }

    func rowWritten(_ table: TableSchema, before: [SQLValue]?, after: [SQLValue]?) throws {
        switch table.name {
        case "revenue":
            let columns = revenueColumns ?? ObservedColumns(table)
            revenueColumns = columns
            if let before { try addRevenue(ObservedRow(values: before), columns, sign: -1) }
            if let after { try addRevenue(ObservedRow(values: after), columns, sign: 1) }
        case "customer":
            let columns = customerColumns ?? ObservedColumns(table)
            if customerColumns == nil { customers.reserveCapacity(changes) }
            customerColumns = columns
            try customerWritten(before: before.map(ObservedRow.init), after: after.map(ObservedRow.init), columns)
        default:
            break
        }
    }

    func finish() throws {
        try flushRevenue()
        try moveRevenue()
        try write("_ts_rpt_customer", keys: 3, ["city", "industry", "classes"], sums: ["customers", "accounts"], cells) { $0.a }
        cells = [:]
    }

    // MARK: revenue

    private func addRevenue(_ row: ObservedRow, _ columns: ObservedColumns, sign: Int64) throws {
        let (customer, owner) = try counted(row.text(columns.customerID))
        let period = texts.id(row.text(columns.period)), scope = texts.id(row.text(columns.scope)), category = texts.id(row.text(columns.category))
        let amount = sign * (try row.amount(columns.amount, db))
        province[Bucket(a: period, b: provinceID(of: scope), c: owner.industry, d: category), default: Sums()].add(amount, sign)
        city[Bucket(a: period, b: scope, c: owner.industry, d: category), default: Sums()].add(amount, sign)
        classes[Bucket(a: period, b: scope, c: owner.classes), default: Sums()].add(amount, sign)
        customerPeriod[Bucket(a: period, b: customer, c: 0), default: Sums()].add(amount, sign)
    }

    /// The province of `scope`, both as ids of ``texts``.
    private func provinceID(of scope: Int32) -> Int32 {
        if let known = provinces[scope] { return known }
        let found = texts.id(ReportDimension.province(of: texts[scope]))
        provinces[scope] = found
        return found
    }

    /// The id of `customer` in ``texts``, and the bucket its revenue is counted under in
    /// this batch.
    private func counted(_ customer: String) throws -> (Int32, Attributes) {
        if let known = customers[customer] {
            if let text = known.text { return (text, known.counted) }
            let text = texts.id(customer)
            customers[customer]?.text = text
            return (text, known.counted)
        }
        let statement = try db.cachedStatement(sql: "SELECT coalesce(industry, ''), coalesce(classes, '') FROM customer WHERE id = ?")
        statement.setUncheckedArguments([customer])
        let found = try GRDB.Row.fetchOne(statement).map { Attributes(industry: texts.id($0[0]), classes: texts.id($0[1])) } ?? .unknown
        let text = texts.id(customer)
        customers[customer] = Customer(text: text, counted: found)
        return (text, found)
    }

    private func flushRevenue() throws {
        let sums = ["amount", "lines"]
        try write("_ts_rpt_revenue_province", keys: 4, ["period", "province", "industry", "category"], sums: sums, province)
        try write("_ts_rpt_revenue_city", keys: 4, ["period", "city", "industry", "category"], sums: sums, city) { $0.b }
        try write("_ts_rpt_revenue_class", keys: 3, ["period", "city", "classes"], sums: sums, classes) { $0.b }
        try write("_ts_rpt_revenue_customer", keys: 2, ["period", "customer_id"], sums: sums, customerPeriod)
        province = [:]; city = [:]; classes = [:]; customerPeriod = [:]
    }

    /// Adds each bucket's pending sums to its row, skipping buckets whose sums are all zero.
    /// With `provinceOf`, the table also has a `province` column, filled with the province
    /// of the scope that key column holds.
    private func write(_ table: String, keys: Int, _ key: [String], sums: [String], _ buckets: [Bucket: Sums],
                       provinceOf: ((Bucket) -> Int32)? = nil) throws {
        let columns = key + (provinceOf == nil ? [] : ["province"]) + sums
        let sql = ReportAggregates.upsert(table, columns: columns, source: "VALUES (" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")",
                                          conflict: key, sums: sums)
        let statement = try db.cachedStatement(sql: sql)
        // Bound and stepped straight through SQLite: a batch can touch thousands of buckets.
        let raw = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (bucket, values) in buckets where values.first != 0 || values.second != 0 {
            sqlite3_reset(raw)
            var index: Int32 = 0
            for id in bucket.parts(keys) + (provinceOf.map { [provinceID(of: $0(bucket))] } ?? []) {
                index += 1
                sqlite3_bind_text(raw, index, texts[id], -1, transient)
            }
            sqlite3_bind_int64(raw, index + 1, values.first)
            sqlite3_bind_int64(raw, index + 2, values.second)
            let code = sqlite3_step(raw)
            guard code == SQLITE_DONE else { throw failure(code, "add to \(table)") }
        }
        sqlite3_reset(raw)
    }

    // MARK: customer

    private func customerWritten(before: ObservedRow?, after: ObservedRow?, _ columns: ObservedColumns) throws {
        func bucket(_ row: ObservedRow) -> Attributes { Attributes(industry: texts.id(row.text(columns.industry)), classes: texts.id(row.text(columns.classes))) }
        if let before, let after, [columns.id, columns.scope, columns.unifiedCode, columns.industry, columns.classes].allSatisfy({ before.value($0) == after.value($0) }) {
            return
        }
        guard let present = after ?? before else { return }
        let selfID = present.text(columns.id)
        if let before { try count(before, columns, sign: -1, excluding: selfID) }
        if let after { try count(after, columns, sign: 1, excluding: selfID) }
        let beforeID = before?.text(columns.id), afterID = after?.text(columns.id)
        if let before, let beforeID, beforeID != afterID { wrote(beforeID, was: bucket(before), now: .unknown) }
        if let after, let afterID { wrote(afterID, was: before.flatMap { beforeID == afterID ? bucket($0) : nil } ?? .unknown, now: bucket(after)) }
    }

    /// Notes that customer `id`, in bucket `was` before this write, is in bucket `now` after it.
    private func wrote(_ id: String, was: Attributes, now: Attributes) {
        customers[id, default: Customer(counted: was)].written = now
    }

    /// Moves the revenue of each customer whose bucket the batch changed, once the batch's
    /// own revenue is in the buckets it was counted under.
    private func moveRevenue() throws {
        var moving: [String] = []
        for (id, customer) in customers where customer.written.map({ $0 != customer.counted }) == true {
            moving.append(id)
        }
        var held: [String] = []
        let probe = try db.cachedStatement(sql: Self.heldSQL).sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for start in stride(from: 0, to: moving.count, by: Self.probeSize) {
            // A short last chunk repeats its first id: one statement serves every chunk.
            sqlite3_reset(probe)
            for offset in 0..<Self.probeSize {
                sqlite3_bind_text(probe, Int32(offset + 1), moving[start + offset < moving.count ? start + offset : start], -1, transient)
            }
            while true {
                let code = sqlite3_step(probe)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw failure(code, "look for revenue") }
                held.append(String(cString: sqlite3_column_text(probe, 0)))
            }
        }
        sqlite3_reset(probe)
        for id in held {
            guard let customer = customers[id], let to = customer.written else { continue }
            try move(id, from: customer.counted, to: to)
            customers[id] = Customer(text: customer.text, counted: to)
        }
    }

    /// The error of a statement stepped straight through SQLite that failed to `action`.
    private func failure(_ code: Int32, _ action: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot \(action): \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
    }

    /// Customers whose revenue presence one statement checks.
    static let probeSize = 64

    /// Which of ``probeSize`` customer ids have revenue here.
    static let heldSQL = "SELECT DISTINCT column1 FROM (VALUES " + Array(repeating: "(?)", count: probeSize).joined(separator: ", ")
        + ") WHERE EXISTS (SELECT 1 FROM revenue WHERE customer_id = column1)"

    private func move(_ customer: String, from: Attributes, to: Attributes) throws {
        // Each statement uses the parameters of its own bucket (industry or classes), so the
        // arguments are set without GRDB's count check.
        for sql in ReportAggregates.moveRevenue(of: "?1", from: (industry: "?2", classes: "?3"), to: (industry: "?4", classes: "?5")) {
            let statement = try db.cachedStatement(sql: sql)
            statement.setUncheckedArguments([customer, texts[from.industry], texts[from.classes], texts[to.industry], texts[to.classes]])
            try statement.execute()
        }
    }

    /// Counts a customer in or out of its bucket, with its account when no other customer
    /// of the bucket shares its unified code (the table holds the write already).
    private func count(_ row: ObservedRow, _ columns: ObservedColumns, sign: Int64, excluding selfID: String) throws {
        var account: Int64 = 1
        let code = row.value(columns.unifiedCode)
        let scope = row.text(columns.scope), industry = row.text(columns.industry), classes = row.text(columns.classes)
        if code != .null {
            let statement = try db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM customer c WHERE c.unified_code = ? AND c.id IS NOT ?
                  AND coalesce(c.scope, '') = ? AND coalesce(c.industry, '') = ? AND coalesce(c.classes, '') = ?)
                """)
            statement.setUncheckedArguments([code.databaseValue, selfID, scope, industry, classes])
            account = try Bool.fetchOne(statement) == true ? 0 : 1
        }
        cells[Bucket(a: texts.id(scope), b: texts.id(industry), c: texts.id(classes)), default: Sums()].add(sign, sign * account)
    }
}
