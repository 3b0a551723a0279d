/// The three tiers of the tree. The raw value is the depth of a node at that tier.
public enum Tier: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible, Codable {
    /// National headquarters: the root, one node.
    case group = 0
    /// A province: the concentration of its cities' data.
    case province = 1
    /// A city: the front line, where most customer data is written.
    case city = 2

    /// Parses `group`, `province` or `city`.
    public init(name: String) throws(ModelError) {
        switch name.lowercased() {
        case "group": self = .group
        case "province": self = .province
        case "city": self = .city
        default: throw .invalidValue(key: "tier", value: name, expected: "group, province or city")
        }
    }

    /// The tier's name: `group`, `province` or `city`.
    public var description: String {
        switch self {
        case .group: "group"
        case .province: "province"
        case .city: "city"
        }
    }

    /// Orders from the top: the group is the highest tier and compares smallest.
    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rawValue < rhs.rawValue }
}
