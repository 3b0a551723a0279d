import Foundation
import TierSyncModel

/// A compact account of one node's sync health, as its subtree reports it upward: each
/// child sends its own and its descendants' summaries to its parent after every round, so
/// that every node can show the whole tree below it (`POST /v1/summary`, SYNC.md 8.7).
public struct NodeSummary: Codable, Sendable, Equatable {
    /// The node's id.
    public var node: NodeID
    /// When the node made this summary; absent in a placeholder for a node that has not
    /// reported (its figures are then zero and mean nothing).
    public var madeAt: Date?
    /// When the node's parent last heard from it. Filled in by the parent when it passes the
    /// summary on; absent in a node's summary of itself.
    public var lastContact: Date?
    /// The stamp time of the newest change the node's parent received from it (filled in
    /// like `lastContact`).
    public var newestChange: Date?
    /// The node's change-log head.
    public var logHead: Int64
    /// Changes its parent has not acknowledged yet, when it has a parent.
    public var backlog: Int?
    /// Changes the node refused, held in its error queue.
    public var rejected: Int
    /// Conflicts the node recorded that wait for an operator.
    public var openConflicts: Int
    /// Conflicts the node recorded, in all.
    public var conflicts: Int
    /// The node's last failure to reach its parent, or to write its own storage, if its
    /// latest round failed.
    public var lastError: String?
    /// How far the node's hybrid clock ran ahead of its wall clock when it made the summary,
    /// in milliseconds (never negative); absent from a node that does not report it.
    public var clockLeadMillis: Int64?
    /// The version of the schema file the node runs (SYNC.md 2.1); absent from a node that
    /// does not report it.
    public var schemaVersion: Int?

    /// Creates a summary.
    public init(node: NodeID, madeAt: Date?, lastContact: Date? = nil, newestChange: Date? = nil, logHead: Int64, backlog: Int?,
                rejected: Int, openConflicts: Int, conflicts: Int, lastError: String? = nil, clockLeadMillis: Int64? = nil,
                schemaVersion: Int? = nil) {
        self.schemaVersion = schemaVersion
        self.node = node
        self.madeAt = madeAt
        self.lastContact = lastContact
        self.newestChange = newestChange
        self.logHead = logHead
        self.backlog = backlog
        self.rejected = rejected
        self.openConflicts = openConflicts
        self.conflicts = conflicts
        self.lastError = lastError
        self.clockLeadMillis = clockLeadMillis
    }

    /// The longest `lastError` a summary carries; longer messages are cut.
    public static let errorLimit = 300

    /// A placeholder for a node known to exist (from a peer record or the configuration)
    /// that has not reported.
    public static func unreported(_ node: NodeID) -> NodeSummary {
        NodeSummary(node: node, madeAt: nil, logHead: 0, backlog: nil, rejected: 0, openConflicts: 0, conflicts: 0)
    }

    /// True when the node has reported.
    public var hasReported: Bool { madeAt != nil }
}

/// The summaries a child last sent of its subtree, as its parent keeps them.
public struct SubtreeRecord: Sendable, Equatable {
    /// The child that sent them.
    public var child: NodeID
    /// When the parent received them.
    public var receivedAt: Date
    /// The child's own summary first, then its descendants'.
    public var nodes: [NodeSummary]

    /// Creates a record.
    public init(child: NodeID, receivedAt: Date, nodes: [NodeSummary]) {
        self.child = child
        self.receivedAt = receivedAt
        self.nodes = nodes
    }
}
