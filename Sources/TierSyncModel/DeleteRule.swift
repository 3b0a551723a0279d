/// How a table decides between a delete and an update made concurrently.
public enum DeleteRule: String, Sendable, CaseIterable, Codable {
    /// The later write by stamp wins (origin id breaks ties). The default: an update
    /// concurrent with a delete brings the row back only if it is later.
    case later
    /// A delete wins over every concurrent update.
    case delete
    /// An update wins over every concurrent delete.
    case update

    /// Parses a rule name.
    public init(name: String) throws(ModelError) {
        guard let rule = DeleteRule(rawValue: name.lowercased()) else {
            throw .invalidValue(key: "delete", value: name, expected: DeleteRule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = rule
    }

    /// The priority of a write to the row's existence: a deletion or a live write.
    public func priority(deleted: Bool) -> Int {
        switch self {
        case .later: 0
        case .delete: deleted ? 1 : 0
        case .update: deleted ? 0 : 1
        }
    }
}
