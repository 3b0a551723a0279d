import GRDB

/// The revenue aggregate a query reads: the smallest that holds every dimension asked.
enum RevenueSource: CaseIterable {
    /// Period, province, industry and category.
    case province
    /// Period, owning node, classes.
    case classes
    /// Period, owning node, industry and category.
    case city

    /// The aggregate table.
    var table: String {
        switch self {
        case .province: "_ts_rpt_revenue_province"
        case .classes: "_ts_rpt_revenue_class"
        case .city: "_ts_rpt_revenue_city"
        }
    }

    /// The dimensions it can group by.
    var dimensions: Set<ReportDimension> {
        switch self {
        case .province: [.period, .province, .industry, .category]
        case .classes: [.period, .province, .city, .class]
        case .city: [.period, .province, .city, .industry, .category]
        }
    }

    /// The smallest aggregate that holds `dimensions`.
    /// - Throws: ``ReportError/badQuery(_:)`` for class with industry or category, which no
    ///   aggregate holds together.
    static func covering(_ dimensions: [ReportDimension]) throws(ReportError) -> RevenueSource {
        guard let source = allCases.first(where: { Set(dimensions).isSubset(of: $0.dimensions) }) else {
            throw .badQuery("revenue by class cannot be broken down by industry or category as well; break class down by period, province or city")
        }
        return source
    }

    /// Sums revenue and lines grouped by `dimensions`, for `periods` (all when nil).
    func read(_ db: Database, dimensions: [ReportDimension], periods: [Period]?) throws -> [RollupRow] {
        guard let periods else {
            return try Rollup.read(db, table: table, dimensions: dimensions, measures: ["amount", "lines"], nonEmpty: "lines")
        }
        let marks = Array(repeating: "?", count: periods.count).joined(separator: ", ")
        return try Rollup.read(db, table: table, dimensions: dimensions, measures: ["amount", "lines"], nonEmpty: "lines",
                               filter: "period IN (\(marks))", arguments: StatementArguments(periods.map(\.description)))
    }
}
