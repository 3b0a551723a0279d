/// The reports a node serves.
public enum ReportKind: String, CaseIterable, Sendable, Codable {
    /// Customers and accounts by class, industry, province or city.
    case customers
    /// Revenue by period, province, city, industry, service category or class.
    case revenue
    /// Revenue per customer (ARPU) and per account (ARPA) by segment, for one period.
    case arpu
    /// Revenue of one period against the period before, by segment.
    case growth
    /// The customers with the most revenue in one period.
    case top
    /// How current each child's data is.
    case freshness

    /// What the report shows, in one line.
    public var summary: String {
        switch self {
        case .customers: "customers and accounts by class, industry, province or city (as held now)"
        case .revenue: "revenue by period, province, city, industry, category or class"
        case .arpu: "ARPU (revenue per customer) and ARPA (revenue per account) by segment, for one period"
        case .growth: "revenue of one period against the previous period, by segment"
        case .top: "the customers with the most revenue in one period"
        case .freshness: "for each child, the newest change received from it, its backlog and last contact"
        }
    }

    /// The dimensions it can break down by.
    public var dimensions: [ReportDimension] {
        switch self {
        case .customers, .arpu: [.province, .city, .industry, .class]
        case .revenue: ReportDimension.allCases
        case .growth: [.province, .city, .industry, .category, .class]
        case .top, .freshness: []
        }
    }

    /// True when it covers one period (`--period`, the latest by default).
    var takesPeriod: Bool { [.revenue, .arpu, .growth, .top].contains(self) }
}

/// A report asked for: its kind and parameters, checked.
public struct ReportQuery: Sendable, Equatable {
    /// The report.
    public var kind: ReportKind
    /// The period; nil means the latest period with revenue (or, for revenue by period,
    /// every period).
    public var period: Period?
    /// The breakdown; nil means the report's default (by region: province at the group,
    /// city at a province).
    public var by: [ReportDimension]?
    /// For `top`: how many customers. The default is 10.
    public var limit: Int?

    /// The most rows `top` answers.
    public static let topLimit = 1000

    /// Creates a query, checking that the parameters fit the report.
    /// - Throws: ``ReportError/badQuery(_:)`` naming the parameter at fault.
    public init(kind: ReportKind, period: Period? = nil, by: [ReportDimension]? = nil, limit: Int? = nil) throws(ReportError) {
        if period != nil && !kind.takesPeriod {
            throw .badQuery("\(kind.rawValue) does not take a period: \(kind == .customers ? "customers are counted as they are now" : "it is not about one period")")
        }
        if let by {
            for dimension in by where !kind.dimensions.contains(dimension) {
                throw .badQuery(kind.dimensions.isEmpty
                    ? "\(kind.rawValue) takes no breakdown (by)"
                    : "\(kind.rawValue) cannot be broken down by \(dimension.rawValue); use \(kind.dimensions.map(\.rawValue).joined(separator: ", ")), or none")
            }
        }
        if let limit {
            guard kind == .top else { throw .badQuery("only top takes a limit") }
            guard (1...Self.topLimit).contains(limit) else { throw .badQuery("limit must be between 1 and \(Self.topLimit), got \(limit)") }
        }
        self.kind = kind
        self.period = period
        self.by = by
        self.limit = limit
    }

    /// Builds a query from the texts of the HTTP query or the command line.
    /// - Throws: ``ReportError/unknownReport(_:)`` or ``ReportError/badQuery(_:)``.
    public static func parse(name: String, period: String?, by: String?, limit: String?) throws(ReportError) -> ReportQuery {
        guard let kind = ReportKind(rawValue: name) else { throw .unknownReport(name) }
        let parsedLimit: Int?
        if let limit {
            guard let number = Int(limit) else { throw .badQuery("limit must be a whole number, got '\(limit)'") }
            parsedLimit = number
        } else {
            parsedLimit = nil
        }
        return try ReportQuery(kind: kind, period: try period.map { text throws(ReportError) in try Period(text) },
                               by: try by.map { text throws(ReportError) in try ReportDimension.parseList(text) }, limit: parsedLimit)
    }
}
