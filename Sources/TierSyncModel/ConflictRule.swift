/// How a register (a row, or one column of a `merge` table) chooses between values written
/// concurrently.
///
/// Each rule gives every write a priority where it is made; among concurrent siblings the
/// higher priority wins, then the higher version. That is a total order, so every node
/// picks the same winner in any arrival order. Writes that saw each other never compete:
/// the later one supersedes the earlier whatever its priority.
public enum ConflictRule: String, Sendable, CaseIterable, Codable {
    /// Last writer wins: the higher stamp wins, the origin id breaks ties. The default.
    case lww
    /// The write made at the higher tier wins (group over province over city), LWW within a tier.
    case tier
    /// The write made at the node that owns the row's scope wins, LWW otherwise.
    case owner
    /// Column by column: concurrent changes to different columns both survive, and a clash
    /// on one column falls back to that column's rule (LWW unless declared).
    case merge
    /// LWW as an interim winner, and the conflict is queued for an operator.
    case manual

    /// Parses a rule name.
    public init(name: String) throws(ModelError) {
        guard let rule = ConflictRule(rawValue: name.lowercased()) else {
            throw .invalidValue(key: "conflict", value: name, expected: ConflictRule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = rule
    }

    /// The priority of a write by `writer` to a row owned by `scope`: the tier's height for
    /// `tier` (group 2, province 1, city 0), 1 for the owner under `owner`, 0 otherwise.
    public func priority(writer: NodeID, scope: NodeID?) -> Int {
        switch self {
        case .tier: Tier.city.rawValue - writer.tier.rawValue
        case .owner: writer == scope ? 1 : 0
        case .lww, .merge, .manual: 0
        }
    }
}
