import Foundation

/// A dimension a report can break its figures down by (`--by`).
///
/// Where a row lies comes from its `scope`, the node that owns it: `province` is the scope's
/// first two segments and `city` the scope itself, so a row owned by a province (or by the
/// group) is reported under that node's id. A revenue row's `industry` and `class` are its
/// customer's; revenue of a customer this node does not hold is in industry ``unknown`` and
/// class ``CustomerClasses/none``.
public enum ReportDimension: String, CaseIterable, Sendable, Codable {
    /// The billing period, `YYYY-MM` (revenue only).
    case period
    /// The province: the first two segments of the owning node's id.
    case province
    /// The owning node: a city, or the province or group that owns the row itself.
    case city
    /// The customer's industry.
    case industry
    /// The service category (revenue only).
    case category
    /// The customer's class; a customer in several classes counts in each.
    case `class`

    /// The label of an industry that is not known (no customer row, or no industry).
    public static let unknown = "(unknown)"

    /// The province of an owning node: its first two segments (the node itself above).
    public static func province(of scope: String) -> String {
        guard let first = scope.utf8.firstIndex(of: UInt8(ascii: ".")),
              let second = scope.utf8[scope.utf8.index(after: first)...].firstIndex(of: UInt8(ascii: ".")) else { return scope }
        return String(scope[..<second])
    }

    /// The column of the report aggregates that holds this dimension.
    var column: String {
        switch self {
        case .class: "classes"
        default: rawValue
        }
    }

    /// The value as a report shows it: empty keys get their label.
    func label(_ stored: String) -> String {
        guard stored.isEmpty else { return stored }
        switch self {
        case .industry: return Self.unknown
        case .class: return CustomerClasses.none
        default: return stored
        }
    }

    /// Parses a comma-separated list such as `province,industry`; `none` or an empty text is
    /// no dimension (national totals).
    /// - Throws: ``ReportError/badQuery(_:)`` naming an unknown or repeated dimension.
    public static func parseList(_ text: String) throws(ReportError) -> [ReportDimension] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: [" "]) }.filter { !$0.isEmpty }
        if names == ["none"] || names.isEmpty { return [] }
        var dimensions: [ReportDimension] = []
        for name in names {
            guard let dimension = ReportDimension(rawValue: name) else {
                throw .badQuery("unknown dimension '\(name)' in by; use \(allCases.map(\.rawValue).joined(separator: ", ")), or none")
            }
            guard !dimensions.contains(dimension) else { throw .badQuery("dimension '\(name)' is given twice in by") }
            dimensions.append(dimension)
        }
        return dimensions
    }
}
