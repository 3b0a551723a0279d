import TierSyncModel

/// `POST /v1/resync/digest`: a child asks for digests of its parent's rows in the child's
/// scope: the roots (level 0) or the 16 children of chosen ranges (levels 1 to 4).
public struct DigestRequest: Codable, Sendable {
    /// The asking child's id.
    public var node: String
    /// The tree level asked for: 0 for the roots, 1 to 4 for children (4 is the leaves).
    public var level: Int
    /// The tables, and at levels 1 to 4 the ranges of the level above whose children are
    /// wanted. At level 0, absent means every synced table.
    public var tables: [DigestQuery]?
    /// At level 0: true when a resync starts (the parent then clears its request that the
    /// child resync, and computes fresh trees); false for a look that changes nothing.
    public var start: Bool?

    /// Creates a digest request.
    public init(node: String, level: Int, tables: [DigestQuery]?, start: Bool? = nil) {
        self.node = node
        self.level = level
        self.tables = tables
        self.start = start
    }
}

/// One table of a ``DigestRequest``.
public struct DigestQuery: Codable, Sendable, Equatable {
    /// The table.
    public var table: String
    /// The range indexes at the level above whose children are wanted (levels 1 to 4).
    public var parents: [Int]?

    /// Creates a query.
    public init(table: String, parents: [Int]? = nil) {
        self.table = table
        self.parents = parents
    }
}

/// The answer to a ``DigestRequest``.
public struct DigestResponse: Codable, Sendable {
    /// The digest algorithm (``DigestTree/algorithm``); a child with another one cannot
    /// compare and copies in full instead.
    public var algorithm: String
    /// The parent's log epoch.
    public var epoch: String
    /// The parent's log head, read before its trees were computed.
    public var head: Int64
    /// The level answered.
    public var level: Int
    /// One answer per table asked for.
    public var tables: [DigestAnswer]

    /// Creates a digest response.
    public init(algorithm: String, epoch: String, head: Int64, level: Int, tables: [DigestAnswer]) {
        self.algorithm = algorithm
        self.epoch = epoch
        self.head = head
        self.level = level
        self.tables = tables
    }
}

/// The digests of one table's ranges: at level 0 its root; below, 16 per range asked for,
/// in the order asked.
public struct DigestAnswer: Codable, Sendable, Equatable {
    /// The table.
    public var table: String
    /// The number of rows in each range.
    public var rows: [Int64]
    /// The hash of each range, as 16 lowercase hex digits.
    public var hashes: [String]

    /// Creates an answer from node digests.
    public init(table: String, nodes: [DigestTree.Node]) {
        self.table = table
        rows = nodes.map(\.rows)
        hashes = nodes.map { DigestAnswer.hex($0.hash) }
    }

    /// The node digests.
    /// - Throws: ``WireError/invalid(_:)`` when a hash is not 16 hex digits or the lists differ in length.
    public func nodes() throws(WireError) -> [DigestTree.Node] {
        guard rows.count == hashes.count else { throw .invalid("digest of \(table): \(rows.count) row counts but \(hashes.count) hashes") }
        var nodes: [DigestTree.Node] = []
        for (count, text) in zip(rows, hashes) {
            guard text.utf8.count == 16, let hash = UInt64(text, radix: 16) else {
                throw .invalid("digest of \(table): '\(text)' is not a hash of 16 hex digits")
            }
            nodes.append(DigestTree.Node(rows: count, hash: hash))
        }
        return nodes
    }

    /// A hash as 16 lowercase hex digits.
    public static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// `POST /v1/resync/rows`: a child asks for its parent's states of the rows in some leaves.
public struct ResyncRowsRequest: Codable, Sendable {
    /// The asking child's id.
    public var node: String
    /// The table.
    public var table: String
    /// The leaves (0 to 65535).
    public var buckets: [Int]

    /// Creates a rows request.
    public init(node: String, table: String, buckets: [Int]) {
        self.node = node
        self.table = table
        self.buckets = buckets
    }
}

/// The answer to a ``ResyncRowsRequest``: every state in the parent's log, in those leaves,
/// of a row the child holds under its current scope, tombstones included, as a pull answer
/// carries changes.
public struct ResyncRowsResponse: Codable, Sendable {
    /// Column lists (as in a pull answer).
    public var columns: [String: [String]]
    /// Rule signatures (as in a pull answer).
    public var rules: [String: String]?
    /// The states.
    public var changes: [WireChange]
    /// What the parent's purged tombstones of the table had seen: the newest stamp (packed,
    /// as in a version) of each writer (SYNC.md 14.3). A row the child holds, that the parent
    /// has no state of, and whose every write this covers was deleted and purged above.
    /// Absent when the parent purged nothing of the table.
    public var purged: [String: Int64]?

    /// Creates a rows response.
    public init(columns: [String: [String]], rules: [String: String]?, changes: [WireChange], purged: [String: Int64]? = nil) {
        self.columns = columns
        self.rules = rules
        self.changes = changes
        self.purged = purged
    }
}
