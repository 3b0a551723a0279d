/// A hash tree over one table's rows in one scope, for resync: 65536 leaves by key hash,
/// summed into 4096, 256 and 16 ranges and one root.
///
/// Each leaf holds the number of rows and the wrapping sum of their hashes
/// (``RowDigest``), so rows combine in any order and a range is the sum of its leaves.
/// Two nodes compare roots first; only ranges whose digests differ are opened, 16 at a
/// time, down to the leaves, and only the rows of differing leaves are exchanged.
public struct DigestTree: Sendable, Equatable {
    /// The name of the hash and tree layout. Nodes whose names differ cannot compare
    /// digests and fall back to a full copy.
    public static let algorithm = "ts64-sum-16x4-v1"
    /// Children per node.
    public static let fanout = 16
    /// Levels below the root.
    public static let depth = 4
    /// The number of leaves (16^4).
    public static let leafCount = 65536

    /// The digest of one range: its rows and the sum of their hashes.
    public struct Node: Sendable, Hashable, Codable {
        /// The number of table rows in the range.
        public var rows: Int64
        /// The wrapping sum of the row and version hashes in the range.
        public var hash: UInt64

        /// Creates a node digest.
        public init(rows: Int64 = 0, hash: UInt64 = 0) {
            self.rows = rows
            self.hash = hash
        }
    }

    /// The leaves, by bucket.
    public private(set) var leaves: [Node]

    /// An empty tree.
    public init() {
        leaves = Array(repeating: Node(), count: DigestTree.leafCount)
    }

    /// A tree with these leaves (``leafCount`` of them).
    public init(leaves: [Node]) {
        precondition(leaves.count == DigestTree.leafCount, "a digest tree has \(DigestTree.leafCount) leaves")
        self.leaves = leaves
    }

    /// The leaf of a key: the top 16 bits of its hash.
    public static func bucket(ofKeyHash hash: UInt64) -> Int {
        Int(hash >> 48)
    }

    /// Adds a hash to a leaf, counting `rows` rows.
    @inline(__always)
    public mutating func add(bucket: Int, hash: UInt64, rows: Int64) {
        leaves[bucket].rows &+= rows
        leaves[bucket].hash &+= hash
    }

    /// The number of nodes at `level` (0 is the root, ``depth`` the leaves).
    public static func width(of level: Int) -> Int {
        1 << (4 * level)
    }

    /// The leaves a node at `level` covers.
    public static func leafRange(level: Int, index: Int) -> Range<Int> {
        let span = 1 << (4 * (depth - level))
        return index * span..<(index + 1) * span
    }

    /// The digest of node `index` at `level`.
    public func node(level: Int, index: Int) -> Node {
        var total = Node()
        for leaf in leaves[DigestTree.leafRange(level: level, index: index)] {
            total.rows &+= leaf.rows
            total.hash &+= leaf.hash
        }
        return total
    }

    /// The root: every row.
    public var root: Node { node(level: 0, index: 0) }

    /// The 16 children, at `level`, of each node of `level - 1` in `parents`, in order.
    public func children(level: Int, of parents: [Int]) -> [Node] {
        var result: [Node] = []
        result.reserveCapacity(parents.count * DigestTree.fanout)
        for parent in parents {
            for child in parent * DigestTree.fanout..<(parent + 1) * DigestTree.fanout {
                result.append(node(level: level, index: child))
            }
        }
        return result
    }

    /// The number of table rows.
    public var rows: Int64 { leaves.reduce(0) { $0 &+ $1.rows } }
}
