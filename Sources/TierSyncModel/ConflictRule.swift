/// How a node chooses between two concurrent versions of a row (or of one column).
///
/// Every rule is a total order, so all nodes pick the same winner in any arrival order.
public enum ConflictRule: String, Sendable, CaseIterable, Codable {
    /// Last writer wins: the higher stamp wins, the origin id breaks ties. The default.
    case lww
    /// The write made at the higher tier wins (group over province over city), LWW within a tier.
    case tier
    /// The write made at the node that owns the row's scope wins, LWW otherwise.
    case owner
    /// Column by column: concurrent changes to different columns both survive.
    case merge
    /// LWW as an interim winner, and the conflict is queued for an operator.
    case manual

    /// The rules this version applies. The others are reserved names: a schema that uses
    /// them is refused rather than silently synced with another rule.
    public static let implemented: Set<ConflictRule> = [.lww]

    /// Parses a rule name.
    public init(name: String) throws(ModelError) {
        guard let rule = ConflictRule(rawValue: name.lowercased()) else {
            throw .invalidValue(key: "conflict", value: name, expected: ConflictRule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = rule
    }
}
