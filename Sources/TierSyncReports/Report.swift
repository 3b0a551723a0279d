import Foundation

/// One report as the API answers it in JSON: a table of rows, the definitions behind its
/// figures, and how current each child's data is.
public struct Report: Codable, Sendable, Equatable {
    /// The report's name, for example `revenue`.
    public var report: String
    /// A one-line title, for example `Revenue by province, 2026-10`.
    public var title: String
    /// The node whose data it consolidates (its own and its subtree's).
    public var node: String
    /// When it was made.
    public var generatedAt: Date
    /// The period it covers, when it covers one.
    public var period: String?
    /// The period it compares with (growth).
    public var previousPeriod: String?
    /// The dimensions it breaks the figures down by.
    public var by: [ReportDimension]
    /// The columns of each row.
    public var columns: [ReportColumn]
    /// The rows, each with one value per column.
    public var rows: [[ReportValue]]
    /// The sums of the rows' additive columns (text columns say `total`), or absent when a
    /// sum would count a customer twice (class breakdowns) or would mean nothing.
    public var totals: [ReportValue]?
    /// For each child of the node (each province at the group, each city at a province):
    /// how current its data here is.
    public var freshness: [ChildFreshness]
    /// How the figures are defined.
    public var notes: [String]

    /// Creates a report.
    public init(report: String, title: String, node: String, generatedAt: Date, period: String? = nil, previousPeriod: String? = nil,
                by: [ReportDimension], columns: [ReportColumn], rows: [[ReportValue]], totals: [ReportValue]? = nil,
                freshness: [ChildFreshness], notes: [String]) {
        self.report = report
        self.title = title
        self.node = node
        self.generatedAt = generatedAt
        self.period = period
        self.previousPeriod = previousPeriod
        self.by = by
        self.columns = columns
        self.rows = rows
        self.totals = totals
        self.freshness = freshness
        self.notes = notes
    }
}

/// A report column: its name and what its values are.
public struct ReportColumn: Codable, Sendable, Equatable {
    /// The column's name, for example `revenue_fen`.
    public var name: String
    /// What the values are.
    public var unit: Unit

    /// What a column's values are, which decides how a table shows them.
    public enum Unit: String, Codable, Sendable {
        /// Text.
        case text
        /// A whole number of things.
        case count
        /// Money in fen (1/100 yuan); tables show yuan.
        case fen
        /// A percentage.
        case percent
        /// A date and time.
        case time
    }

    /// Creates a column.
    public init(_ name: String, _ unit: Unit) {
        self.name = name
        self.unit = unit
    }
}

/// One cell: JSON null, a string, an integer or a number.
public enum ReportValue: Codable, Sendable, Equatable, CustomStringConvertible {
    /// No value.
    case null
    /// Text.
    case text(String)
    /// A whole number.
    case integer(Int64)
    /// A number with a fraction.
    case number(Double)

    /// Decodes a JSON scalar.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    /// Encodes as a JSON scalar.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .text(text): try container.encode(text)
        case let .integer(integer): try container.encode(integer)
        case let .number(number): try container.encode(number)
        }
    }

    /// The plain text of the value: empty for null, digits for numbers.
    public var description: String {
        switch self {
        case .null: ""
        case let .text(text): text
        case let .integer(integer): String(integer)
        case let .number(number): String(number)
        }
    }
}
