/// `revenue`: revenue in fen by period, province, city, industry, category or class.
enum RevenueReport {
    static func make(_ query: ReportQuery, in context: ReportContext) throws -> Report {
        let by = query.by ?? [context.region]
        _ = try RevenueSource.covering(by)
        // By period without a period asked: every period. Otherwise one period, the latest by default.
        let period = by.contains(.period) && query.period == nil ? nil : try context.period(of: query)
        let periods = period.map { [$0] } ?? (by.contains(.period) ? nil : [])
        let rows = try context.revenue(by: by, periods: periods)
        let total = try context.revenue(by: [], periods: periods).first?.sums ?? [0, 0]
        let when = period.map { ", \($0)" } ?? (by.contains(.period) ? ", every period" : " (no revenue yet)")
        return context.rollupReport(
            .revenue, title: "Revenue \(ReportContext.breakdown(by))\(when)", period: period, by: by,
            measures: [ReportColumn("revenue_fen", .fen), ReportColumn("lines", .count)], rows: rows, total: total,
            notes: [
                "revenue_fen: the sum of revenue.amount_fen; lines: the revenue rows summed",
                "industry and class are the customer's as held now; revenue of a customer not held here is in industry \(ReportDimension.unknown) and class \(CustomerClasses.none)",
                "class: a customer in several classes counts in each, so class rows add up to more than the total",
            ])
    }
}
