/// A node's identity: its dotted path from the root of the tree.
///
/// `cn` is the group, `cn.gd` a province, `cn.gd.sz` a city. The tier follows from the
/// depth. Segments are lowercase ASCII letters, digits, `-` and `_`.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The dotted path, kept as parsed: ids are hashed, compared and written for every row
    /// synced, so none of that rebuilds the text.
    private let text: String
    /// The number of segments.
    private let count: Int

    /// Parses a dotted node path, for example `cn.gd.sz`.
    /// - Throws: ``ModelError/invalidNodeID(_:reason:)`` when a segment is empty or has
    ///   a character outside `a-z 0-9 - _`.
    public init(_ text: String) throws(ModelError) {
        guard !text.isEmpty else { throw .invalidNodeID(text, reason: "it is empty") }
        var count = 1
        var segmentStart = true
        for byte in text.utf8 {
            if byte == 0x2E {
                guard !segmentStart else { throw NodeID.emptySegment(text) }
                count += 1
                segmentStart = true
            } else {
                guard NodeID.isSegmentByte(byte) else { throw NodeID.badSegment(text) }
                segmentStart = false
            }
        }
        guard !segmentStart else { throw NodeID.emptySegment(text) }
        guard count <= Tier.allCases.count else {
            throw .invalidNodeID(text, reason: "the tree has \(Tier.allCases.count) tiers (group.province.city)")
        }
        self.text = text
        self.count = count
    }

    private init(validated text: String, count: Int) {
        self.text = text
        self.count = count
    }

    private static func emptySegment(_ text: String) -> ModelError {
        .invalidNodeID(text, reason: "it has an empty segment; use a dotted path such as cn.gd.sz")
    }

    private static func badSegment(_ text: String) -> ModelError {
        let part = text.split(separator: ".").first { !$0.utf8.allSatisfy(NodeID.isSegmentByte) }.map(String.init) ?? text
        return .invalidNodeID(text, reason: "segment '\(part)' may only hold a-z, 0-9, '-' and '_'")
    }

    private static func isSegmentByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
    }

    /// Two ids are equal when their paths are.
    public static func == (lhs: NodeID, rhs: NodeID) -> Bool { lhs.text == rhs.text }

    /// Hashes the path.
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// The path segments from the root, for example `["cn", "gd", "sz"]`.
    public var segments: [String] { text.split(separator: ".").map(String.init) }

    /// The dotted path, for example `cn.gd.sz`.
    public var description: String { text }

    /// The number of segments below the root: 0 for the group, 1 for a province, 2 for a city.
    public var depth: Int { count - 1 }

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
        count > 1 ? ancestor(at: Tier(rawValue: depth - 1) ?? .group) : nil
    }

    /// The ancestor of this node (or the node itself) at the given tier, or nil when this
    /// node sits above that tier.
    public func ancestor(at tier: Tier) -> NodeID? {
        guard tier.rawValue <= depth else { return nil }
        guard tier.rawValue < depth else { return self }
        var dots = 0
        var end = text.utf8.endIndex
        for index in text.utf8.indices where text.utf8[index] == 0x2E {
            dots += 1
            if dots == tier.rawValue + 1 { end = index; break }
        }
        return NodeID(validated: String(text[..<end]), count: tier.rawValue + 1)
    }

    /// True when `other` is this node or lies below it in the tree.
    public func contains(_ other: NodeID) -> Bool {
        guard other.count >= count else { return false }
        guard other.count > count else { return other.text == text }
        let mine = text.utf8
        let theirs = other.text.utf8
        return theirs.starts(with: mine) && theirs[theirs.index(theirs.startIndex, offsetBy: mine.count)] == 0x2E
    }

    /// True when this node lies strictly above `other`.
    public func isAncestor(of other: NodeID) -> Bool {
        other.count > count && contains(other)
    }

    /// Orders by the dotted text, byte by byte. This is the tiebreak order of versions.
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
    }

    /// Decodes from the dotted text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try NodeID(text)
    }

    /// Encodes as the dotted text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
