import Foundation
import GRDB
import TierSyncModel

/// What every report is made with: a read transaction on the node's file, the node, the
/// freshness of its children and the time.
struct ReportContext {
    /// A read transaction: every figure of one report comes from one snapshot.
    let db: Database
    /// The node whose data the report consolidates.
    let node: NodeID
    /// How current each child's data is.
    let freshness: [ChildFreshness]
    /// When the report is made.
    let now: Date

    /// The default breakdown: by province at the group, by city below it.
    var region: ReportDimension { node.tier == .group ? .province : .city }

    /// The latest period with revenue, skipping stored periods that are not `YYYY-MM`;
    /// nil when there is none.
    func latestPeriod() throws -> Period? {
        var candidate = try String.fetchOne(db, sql: "SELECT max(period) FROM _ts_rpt_revenue_class")
        for _ in 0..<1000 {
            guard let text = candidate else { return nil }
            if let period = try? Period(text),
               try Int64.fetchOne(db, sql: "SELECT sum(lines) FROM _ts_rpt_revenue_class WHERE period = ?", arguments: [text]) ?? 0 != 0 {
                return period
            }
            candidate = try String.fetchOne(db, sql: "SELECT max(period) FROM _ts_rpt_revenue_class WHERE period < ?", arguments: [text])
        }
        return nil
    }

    /// The period a query covers: the one asked, or the latest.
    func period(of query: ReportQuery) throws -> Period? {
        try query.period ?? latestPeriod()
    }

    /// Customers and accounts grouped by `dimensions`.
    func customers(by dimensions: [ReportDimension]) throws -> [RollupRow] {
        try Rollup.read(db, table: "_ts_rpt_customer", dimensions: dimensions, measures: ["customers", "accounts"], nonEmpty: "customers")
    }

    /// Revenue and lines grouped by `dimensions`, for `periods` (all when nil).
    func revenue(by dimensions: [ReportDimension], periods: [Period]?) throws -> [RollupRow] {
        try RevenueSource.covering(dimensions).read(db, dimensions: dimensions, periods: periods)
    }

    /// A report with the common fields filled in.
    func report(_ kind: ReportKind, title: String, period: Period? = nil, previous: Period? = nil, by: [ReportDimension],
                columns: [ReportColumn], rows: [[ReportValue]], totals: [ReportValue]?, notes: [String]) -> Report {
        Report(report: kind.rawValue, title: title, node: node.description, generatedAt: now, period: period?.description,
               previousPeriod: previous?.description, by: by, columns: columns, rows: rows, totals: totals,
               freshness: freshness, notes: notes)
    }

    /// A report whose rows are a rollup: the key columns, then one column per sum, and a
    /// totals row of `total` (when there is a breakdown).
    func rollupReport(_ kind: ReportKind, title: String, period: Period? = nil, by: [ReportDimension], measures: [ReportColumn],
                      rows: [RollupRow], total: [Int64], notes: [String]) -> Report {
        func sums(_ values: [Int64]) -> [ReportValue] { values.map { .integer($0) } }
        return report(
            kind, title: title, period: period, by: by, columns: by.map { ReportColumn($0.rawValue, .text) } + measures,
            rows: rows.map { Self.keyCells($0.key) + sums($0.sums) },
            totals: by.isEmpty ? nil : Self.totalCells(by.count) + sums(total), notes: notes)
    }

    /// The dimensions as the start of a title: `by province and industry`, or `national`.
    static func breakdown(_ dimensions: [ReportDimension]) -> String {
        switch dimensions.count {
        case 0: "national"
        case 1: "by \(dimensions[0].rawValue)"
        default: "by " + dimensions.dropLast().map(\.rawValue).joined(separator: ", ") + " and \(dimensions.last!.rawValue)"
        }
    }

    /// Key cells, then `total` in the first one of a totals row.
    static func keyCells(_ key: [String]) -> [ReportValue] { key.map { .text($0) } }

    /// The cells that stand for the key columns in a totals row.
    static func totalCells(_ count: Int) -> [ReportValue] {
        (0..<count).map { $0 == 0 ? .text("total") : .text("") }
    }

    /// `numerator / denominator` rounded to a whole number, or null when the denominator is 0.
    static func ratio(_ numerator: Int64, _ denominator: Int64) -> ReportValue {
        denominator == 0 ? .null : .integer(Int64((Double(numerator) / Double(denominator)).rounded()))
    }

    /// The change from `previous` to `current` in percent with one decimal, or null when
    /// `previous` is 0.
    static func growth(_ current: Int64, from previous: Int64) -> ReportValue {
        previous == 0 ? .null : .number(((Double(current - previous) / Double(previous)) * 1000).rounded() / 10)
    }
}
