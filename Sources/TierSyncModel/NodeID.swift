/// A node's identity: its dotted path from the root of the tree.
///
/// `cn` is the group, `cn.gd` a province, `cn.gd.sz` a city. The tier follows from the
/// depth. Segments are lowercase ASCII letters, digits, `-` and `_`.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The path segments from the root, for example `["cn", "gd", "sz"]`.
    public let segments: [String]

    /// Parses a dotted node path, for example `cn.gd.sz`.
    /// - Throws: ``ModelError/invalidNodeID(_:reason:)`` when a segment is empty or has
    ///   a character outside `a-z 0-9 - _`.
    public init(_ text: String) throws(ModelError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty else { throw .invalidNodeID(text, reason: "it is empty") }
        for part in parts {
            guard !part.isEmpty else {
                throw .invalidNodeID(text, reason: "it has an empty segment; use a dotted path such as cn.gd.sz")
            }
            guard part.utf8.allSatisfy(NodeID.isSegmentByte) else {
                throw .invalidNodeID(text, reason: "segment '\(part)' may only hold a-z, 0-9, '-' and '_'")
            }
        }
        guard parts.count <= Tier.allCases.count else {
            throw .invalidNodeID(text, reason: "the tree has \(Tier.allCases.count) tiers (group.province.city)")
        }
        self.segments = parts
    }

    private init(segments: [String]) { self.segments = segments }

    private static func isSegmentByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
    }

    /// The dotted path, for example `cn.gd.sz`.
    public var description: String { segments.joined(separator: ".") }

    /// The number of segments below the root: 0 for the group, 1 for a province, 2 for a city.
    public var depth: Int { segments.count - 1 }

    /// The tier this node sits at.
    public var tier: Tier { Tier(rawValue: depth) ?? .city }

    /// The id with its place in the tree, for messages: `cn (the group)`, `cn.js (a province)`.
    public var withPlace: String {
        tier == .group ? "\(self) (the group)" : "\(self) (a \(tier))"
    }

    /// Where this node's parent is, for messages: `cn.gd.sz's parent is cn.gd`.
    public var parentSentence: String {
        parent.map { "\(self)'s parent is \($0)" } ?? "\(self) is the group and has no parent"
    }

    /// The node directly above, or nil at the root.
    public var parent: NodeID? {
        segments.count > 1 ? NodeID(segments: Array(segments.dropLast())) : nil
    }

    /// The ancestor of this node (or the node itself) at the given tier, or nil when this
    /// node sits above that tier.
    public func ancestor(at tier: Tier) -> NodeID? {
        tier.rawValue <= depth ? NodeID(segments: Array(segments.prefix(tier.rawValue + 1))) : nil
    }

    /// True when `other` is this node or lies below it in the tree.
    public func contains(_ other: NodeID) -> Bool {
        other.segments.count >= segments.count && Array(other.segments.prefix(segments.count)) == segments
    }

    /// True when this node lies strictly above `other`.
    public func isAncestor(of other: NodeID) -> Bool {
        other.segments.count > segments.count && contains(other)
    }

    /// Orders by the dotted text, byte by byte. This is the tiebreak order of versions.
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.description.utf8.lexicographicallyPrecedes(rhs.description.utf8)
    }

    /// Decodes from the dotted text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try NodeID(text)
    }

    /// Encodes as the dotted text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
