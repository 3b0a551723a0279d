/// `growth`: revenue of one period against the period before, by segment.
enum GrowthReport {
    static func make(_ query: ReportQuery, in context: ReportContext) throws -> Report {
        let by = query.by ?? [context.region]
        _ = try RevenueSource.covering(by)
        let period = try context.period(of: query)
        let previous = period?.previous
        var segments: [[String]: (current: Int64, previous: Int64)] = [:]
        if let period, let previous {
            for row in try context.revenue(by: by + [.period], periods: [period, previous]) {
                let key = Array(row.key.dropLast())
                if row.key.last == period.description {
                    segments[key, default: (0, 0)].current = row.sums[0]
                } else {
                    segments[key, default: (0, 0)].previous = row.sums[0]
                }
            }
        }
        func cells(_ figures: (current: Int64, previous: Int64)) -> [ReportValue] {
            [.integer(figures.current), .integer(figures.previous), .integer(figures.current - figures.previous),
             ReportContext.growth(figures.current, from: figures.previous)]
        }
        var total: (current: Int64, previous: Int64) = (0, 0)
        if let period, let previous {
            for row in try context.revenue(by: [.period], periods: [period, previous]) {
                if row.key == [period.description] { total.current = row.sums[0] } else { total.previous = row.sums[0] }
            }
        }
        let when = period.map { ", \($0) against \($0.previous)" } ?? " (no revenue yet)"
        return context.report(
            .growth, title: "Revenue growth \(ReportContext.breakdown(by))\(when)", period: period, previous: previous, by: by,
            columns: by.map { ReportColumn($0.rawValue, .text) } + [
                ReportColumn("revenue_fen", .fen), ReportColumn("previous_fen", .fen), ReportColumn("change_fen", .fen),
                ReportColumn("growth_pct", .percent),
            ],
            rows: segments.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ReportContext.keyCells($0) + cells(segments[$0]!) },
            totals: by.isEmpty ? nil : ReportContext.totalCells(by.count) + cells(total),
            notes: [
                "revenue_fen is the period's, previous_fen the month before's; growth_pct = change_fen / previous_fen x 100, empty when previous_fen is 0",
                "industry and class are the customer's as held now, in both periods",
            ])
    }
}
