/// `arpu`: revenue per customer (ARPU) and per account (ARPA) by segment, for one period.
enum ARPUReport {
    static func make(_ query: ReportQuery, in context: ReportContext) throws -> Report {
        let by = query.by ?? [context.region]
        _ = try RevenueSource.covering(by)
        let period = try context.period(of: query)
        let periods = period.map { [$0] } ?? []
        var segments: [[String]: (revenue: Int64, customers: Int64, accounts: Int64)] = [:]
        for row in try context.revenue(by: by, periods: periods) { segments[row.key, default: (0, 0, 0)].revenue = row.sums[0] }
        for row in try context.customers(by: by) {
            segments[row.key, default: (0, 0, 0)].customers = row.sums[0]
            segments[row.key, default: (0, 0, 0)].accounts = row.sums[1]
        }
        func cells(_ figures: (revenue: Int64, customers: Int64, accounts: Int64)) -> [ReportValue] {
            [.integer(figures.revenue), .integer(figures.customers), .integer(figures.accounts),
             ReportContext.ratio(figures.revenue, figures.customers), ReportContext.ratio(figures.revenue, figures.accounts)]
        }
        let revenue = try context.revenue(by: [], periods: periods).first?.sums[0] ?? 0
        let people = try context.customers(by: []).first?.sums ?? [0, 0]
        return context.report(
            .arpu, title: "ARPU and ARPA \(ReportContext.breakdown(by))\(period.map { ", \($0)" } ?? " (no revenue yet)")", period: period, by: by,
            columns: by.map { ReportColumn($0.rawValue, .text) } + [
                ReportColumn("revenue_fen", .fen), ReportColumn("customers", .count), ReportColumn("accounts", .count),
                ReportColumn("arpu_fen", .fen), ReportColumn("arpa_fen", .fen),
            ],
            rows: segments.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ReportContext.keyCells($0) + cells(segments[$0]!) },
            totals: by.isEmpty ? nil : ReportContext.totalCells(by.count) + cells((revenue, people[0], people[1])),
            notes: [
                "arpu_fen = revenue_fen / customers and arpa_fen = revenue_fen / accounts, rounded to the fen",
                "customers and accounts are those held now in the segment, billed in the period or not (see the customers report)",
                "a revenue row counts in the segment of its own owning node, and in its customer's industry and classes",
            ])
    }
}
