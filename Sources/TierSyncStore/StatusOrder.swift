import Foundation
import TierSyncModel

/// How the status page and `tiersync status` order the nodes they list, so that at a
/// parent with dozens of children the ones in trouble come first.
public enum StatusOrder: String, CaseIterable, Sendable {
    /// Failing nodes first (a last error), then the longest without contact, then the most
    /// rejected changes and open conflicts.
    case worst
    /// The longest without contact first; never heard from is the longest.
    case lag
    /// Failing nodes first, then the most rejected changes and open conflicts.
    case errors
    /// The order given: the tree's, parent before children.
    case tree

    /// What a row's place depends on.
    public struct Rank: Sendable {
        /// The node.
        public var node: NodeID
        /// When it was last heard from; nil for never.
        public var lastContact: Date?
        /// Its rejected changes and open conflicts.
        public var problems: Int
        /// True when its last contact failed.
        public var failing: Bool

        /// Describes one row.
        public init(node: NodeID, lastContact: Date?, problems: Int, failing: Bool) {
            self.node = node
            self.lastContact = lastContact
            self.problems = problems
            self.failing = failing
        }
    }

    /// Parses the name of an order given as `key` (a query parameter or a flag).
    /// - Throws: ``ModelError/invalidValue(key:value:expected:)`` naming the orders there are.
    public init(parsing text: String, key: String) throws(ModelError) {
        guard let order = StatusOrder(rawValue: text) else {
            throw .invalidValue(key: key, value: text, expected: Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = order
    }

    /// `rows` in this order; `rank` describes each row.
    public func sorted<Row>(_ rows: [Row], now: Date, rank: (Row) -> Rank) -> [Row] {
        guard self != .tree else { return rows }
        let ranked = rows.map { (row: $0, rank: rank($0)) }
        func lag(_ rank: Rank) -> TimeInterval { rank.lastContact.map { now.timeIntervalSince($0) } ?? .infinity }
        return ranked.sorted { a, b in
            let keys: [(Double, Double)]
            switch self {
            case .worst:
                keys = [(a.rank.failing ? 1 : 0, b.rank.failing ? 1 : 0), (lag(a.rank), lag(b.rank)), (Double(a.rank.problems), Double(b.rank.problems))]
            case .lag:
                keys = [(lag(a.rank), lag(b.rank))]
            case .errors:
                keys = [(a.rank.failing ? 1 : 0, b.rank.failing ? 1 : 0), (Double(a.rank.problems), Double(b.rank.problems)), (lag(a.rank), lag(b.rank))]
            case .tree:
                keys = []
            }
            for (left, right) in keys where left != right { return left > right }
            return a.rank.node.description < b.rank.node.description
        }.map(\.row)
    }

    /// True when `node` is `filter` or lies below it: a filter shows one node's subtree.
    public static func shows(_ node: NodeID, filter: NodeID?) -> Bool {
        guard let filter else { return true }
        return filter == node || filter.isAncestor(of: node)
    }
}
