/// Why a report cannot be made, in words an operator can act on. The HTTP API answers
/// ``badQuery`` with 400, ``unknownReport`` and ``notServed`` with 404, ``unavailable``
/// with 409, and ``database`` with 500.
public enum ReportError: Error, Sendable, CustomStringConvertible {
    /// The report's parameters are wrong.
    case badQuery(String)
    /// No report has this name.
    case unknownReport(String)
    /// This node does not serve reports (a city: the reports consolidate a subtree).
    case notServed(node: String)
    /// The node's schema lacks what the reports read.
    case unavailable(String)
    /// The database failed.
    case database(String)

    /// What is wrong and what to do.
    public var description: String {
        switch self {
        case let .badQuery(message):
            message
        case let .unknownReport(name):
            "no report named '\(name)'; the reports are \(ReportKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .notServed(node):
            "\(node) is a city; reports consolidate a subtree and are served at the group and at provinces"
        case let .unavailable(reason):
            "reports are unavailable at this node: \(reason)"
        case let .database(message):
            "the report could not be read: \(message)"
        }
    }
}
