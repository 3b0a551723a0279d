/// A billing period, `YYYY-MM`, as the `revenue` table's `period` column holds it.
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 1 to 9999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// Parses `YYYY-MM`.
    /// - Throws: ``ReportError/badQuery(_:)`` naming the expected form.
    public init(_ text: String) throws(ReportError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), year >= 1, (1...12).contains(month) else {
            throw .badQuery("period must be YYYY-MM, for example 2026-10; got '\(text)'")
        }
        self.year = year
        self.month = month
    }

    private init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The period before this one (December of the year before January).
    public var previous: Period {
        month == 1 ? Period(year: year - 1, month: 12) : Period(year: year, month: month - 1)
    }

    /// `YYYY-MM`.
    public var description: String {
        let yearText = String(year)
        let monthText = String(month)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + (month < 10 ? "0" : "") + monthText
    }

    /// Orders by time.
    public static func < (lhs: Period, rhs: Period) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
