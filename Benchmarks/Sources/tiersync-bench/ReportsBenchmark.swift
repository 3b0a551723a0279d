import Foundation
import GRDB
import TierSyncModel
import TierSyncReports
import TierSyncSQLite

/// Benchmark 8, report times at the group: a national store of `customers` big customers
/// in 31 provinces of 10 cities, each with 24 months of 5 service categories of revenue
/// (100000 customers make 12 million revenue rows), and every report asked of it, each
/// the median of `repeats` runs. Target: every report within 200 ms.
///
/// The rows are loaded with SQL in one transaction with the capture triggers muted (as an
/// apply mutes them), so the load takes a minute rather than the hour that capturing every
/// row would; the change log stays empty, which the reports never read. The report
/// aggregates are then built from the rows, as when a daemon first opens an existing file.
struct ReportsBenchmark {
    /// How many customers.
    let customers: Int
    /// Runs of each report; the median is printed.
    let repeats: Int
    /// Where the files go.
    let scratch: ScratchDirectory
    /// The slowest acceptable report, in milliseconds.
    static let target = 200.0

    /// The reports asked, as `report?query`: each default, and the heavier breakdowns.
    static let queries: [(name: String, period: String?, by: String?, limit: String?)] = [
        ("customers", nil, nil, nil), ("customers", nil, "class", nil), ("customers", nil, "city,industry", nil),
        ("revenue", nil, nil, nil), ("revenue", nil, "period", nil), ("revenue", nil, "period,province", nil),
        ("revenue", nil, "period,industry,category", nil), ("revenue", nil, "city", nil), ("revenue", nil, "class", nil),
        ("revenue", "2026-06", "province,industry,category", nil), ("revenue", nil, "period,city", nil),
        ("arpu", nil, nil, nil), ("arpu", nil, "class", nil), ("arpu", nil, "city,industry", nil),
        ("growth", nil, nil, nil), ("growth", nil, "city", nil), ("growth", nil, "class", nil),
        ("top", nil, nil, nil), ("top", nil, nil, "1000"), ("freshness", nil, nil, nil),
    ]

    func run() async throws {
        let file = scratch.path("reports-cn.sqlite")
        defer { scratch.removeDatabase(file) }
        let store = try SQLiteStore(path: file, node: try NodeID("cn"), schema: .standard)
        defer { try? store.close() }
        let load = try measure(rows: customers * 120) { try Self.load(file, customers: customers) }
        let reports = try ReportDatabase(path: file, node: store.node)
        defer { try? reports.close() }
        let build = Stopwatch()
        try await reports.prepare()
        let built = build.seconds
        let counts = try Self.counts(file)
        say(resultLine("reports", [
            "customer \(counts["customer"]!) rows", "revenue \(counts["revenue"]!) rows (loaded at \(rateText(load)))",
            "aggregates built in \(String(format: "%.1f", built)) s",
        ]))
        say("          aggregate rows: " + ReportsBenchmark.aggregateTables.map { "\($0) \(counts[$0]!)" }.joined(separator: ", "))
        var slowest = 0.0
        for query in Self.queries {
            let parsed = try ReportQuery.parse(name: query.name, period: query.period, by: query.by, limit: query.limit)
            var times: [Double] = []
            var rows = 0
            for _ in 0..<repeats {
                let watch = Stopwatch()
                let report = try await reports.report(parsed, freshness: [])
                times.append(watch.seconds * 1000)
                rows = report.rows.count
            }
            let median = times.sorted()[(times.count - 1) / 2]
            slowest = max(slowest, median)
            let label = query.name + ([query.period.map { "period=\($0)" }, query.by.map { "by=\($0)" }, query.limit.map { "limit=\($0)" }]
                .compactMap { $0 }.map { " " + $0 }.joined())
            Output.emit(Figure.cost("reports.\(label.replacingOccurrences(of: " ", with: "."))", Figure.Measure("report time, median", median, "ms"),
                                    baseline: nil, target: .valueAtMost(Self.target), details: ["rows": Double(rows)]))
            say("          \(label.padding(toLength: 48, withPad: " ", startingAt: 0)) \(rightAligned(String(format: "%.1f", median), 7)) ms   \(rows) rows")
        }
        let headline = Stopwatch()
        _ = try await reports.headline(freshness: [])
        say("          \("status page headline".padding(toLength: 48, withPad: " ", startingAt: 0)) \(rightAligned(String(format: "%.1f", headline.seconds * 1000), 7)) ms")
        say(resultLine("reports", ["slowest \(String(format: "%.1f", slowest)) ms (target <= \(Int(Self.target)) ms: \(verdict(slowest <= Self.target)))"]))
    }

    static let aggregateTables = ["_ts_rpt_customer", "_ts_rpt_revenue_province", "_ts_rpt_revenue_city", "_ts_rpt_revenue_class", "_ts_rpt_revenue_customer"]

    /// Writes the customers and their revenue in one transaction, capture muted.
    static func load(_ file: String, customers: Int) throws {
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        try queue.write { db in
            try db.execute(sql: "UPDATE _ts_node SET applying = 1 WHERE id = 1")
            // 31 provinces of 10 cities; 8 industries; 6 class sets; one customer in ten in a
            // group account shared by five.
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO customer(id, unified_code, name, classes, industry, manager, credit_level, status, scope)
                SELECT printf('C%07d', i),
                       CASE WHEN i % 10 = 0 THEN printf('BC-G%05d', i / 50) ELSE printf('BC-%07d', i) END,
                       'Customer ' || i,
                       CASE i % 6 WHEN 0 THEN 'important' WHEN 1 THEN 'high-value' WHEN 2 THEN 'high-value,strategic'
                                  WHEN 3 THEN 'commercial' WHEN 4 THEN 'group,high-value' ELSE 'potential' END,
                       CASE i % 8 WHEN 0 THEN 'finance' WHEN 1 THEN 'government' WHEN 2 THEN 'energy' WHEN 3 THEN 'manufacturing'
                                  WHEN 4 THEN 'transport' WHEN 5 THEN 'education' WHEN 6 THEN 'health' ELSE 'retail' END,
                       'mgr-' || (i % 97), 'A', 'active', printf('cn.p%02d.c%02d', i % 31, (i / 31) % 10)
                FROM n
                """, arguments: [customers - 1])
            try db.execute(sql: """
                WITH RECURSIVE m(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM m WHERE k < 23),
                     c(name, weight) AS (VALUES ('data', 5), ('voice', 2), ('line', 7), ('idc', 3), ('cloud', 4))
                INSERT INTO revenue(customer_id, period, category, amount_fen, scope)
                SELECT cu.id, printf('%04d-%02d', 2025 + k / 12, k % 12 + 1), c.name,
                       1000 + ((cu.rowid * 7919 + k * 104729) % 50000) * c.weight, cu.scope
                FROM customer cu, m, c
                """)
            try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
        }
    }

    /// Rows in the base and aggregate tables.
    static func counts(_ file: String) throws -> [String: Int] {
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        return try queue.read { db in
            var counts: [String: Int] = [:]
            for table in ["customer", "revenue"] + aggregateTables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }
}
