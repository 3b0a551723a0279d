import GRDB

/// `top`: the customers with the most revenue in one period, all categories together.
enum TopCustomersReport {
    static func make(_ query: ReportQuery, in context: ReportContext) throws -> Report {
        let limit = query.limit ?? 10
        let period = try context.period(of: query)
        var rows: [[ReportValue]] = []
        if let period {
            let cursor = try Row.fetchCursor(context.db, sql: """
                SELECT t.customer_id, t.amount, c.name, c.scope, c.industry FROM _ts_rpt_revenue_customer t
                LEFT JOIN customer c ON c.id = t.customer_id
                WHERE t.period = ? AND t.lines <> 0 ORDER BY t.amount DESC, t.customer_id LIMIT ?
                """, arguments: [period.description, limit])
            while let row = try cursor.next() {
                let scope: String? = row[3]
                let industry: String? = row[4]
                rows.append([
                    .integer(Int64(rows.count + 1)), .text(row[0]), (row[2] as String?).map { .text($0) } ?? .null,
                    scope.map { .text(ReportDimension.province(of: $0)) } ?? .null, scope.map { .text($0) } ?? .null,
                    .text(ReportDimension.industry.label(industry ?? "")), .integer(row[1]),
                ])
            }
        }
        return context.report(
            .top, title: "Top \(limit) customers by revenue\(period.map { ", \($0)" } ?? " (no revenue yet)")", period: period, by: [],
            columns: [
                ReportColumn("rank", .count), ReportColumn("customer", .text), ReportColumn("name", .text), ReportColumn("province", .text),
                ReportColumn("city", .text), ReportColumn("industry", .text), ReportColumn("revenue_fen", .fen),
            ],
            rows: rows, totals: nil,
            notes: ["revenue_fen: the customer's revenue in the period, every category together; name, place and industry as held now (empty when the customer is not held here)"])
    }
}
