import Foundation
import TierSyncStore

/// What `GET /v1/status` and `tiersync status` report about a node.
public struct NodeStatus: Codable, Sendable {
    /// The node's id.
    public var node: String
    /// The node's tier.
    public var tier: String
    /// The change log's epoch.
    public var epoch: String
    /// The highest log position issued.
    public var logHead: Int64
    /// Changes the parent has not acknowledged yet (nil at the group).
    public var backlog: Int?
    /// The cursors and contact records, parent first.
    public var peers: [PeerState]
    /// Rows per synced table.
    public var tables: [String: Int]
    /// Changes refused and held in the error queue.
    public var rejected: Int
    /// Conflicts waiting for an operator (`manual` rules).
    public var openConflicts: Int
    /// Capture triggers found missing and reinstalled: an error until a resync or an
    /// operator clears it. Absent when none were.
    public var captureGap: CaptureGap?
    /// How far the node's hybrid clock runs ahead of its wall clock, in milliseconds; 0 when
    /// it does not. A lead that stays high means the node took in stamps from a fast clock.
    public var clockLeadMillis: Int64
    /// What the change log holds and the file's size; absent from nodes that do not report it.
    public var log: LogSize?
    /// The lowest log position a peer still needs, which peer that is, and the grace period:
    /// history after it is kept (SYNC.md 14); absent from nodes that do not report it.
    public var retention: RetentionHorizon?
    /// The version of the schema file the node runs (SYNC.md 2.1); absent from nodes that
    /// do not report it.
    public var schemaVersion: Int?
    /// The nodes below this one, as their last summaries report them, that run another
    /// schema version than this node, by node id (a rollout in progress); absent when none.
    public var otherSchemaVersions: [String: Int]?
    /// Changes received from nodes on a newer schema that this node keeps until it runs a
    /// schema they fit, by table (SYNC.md 2.1); absent when none.
    public var kept: [String: Int]?

    /// Creates a status report.
    public init(node: String, tier: String, epoch: String, logHead: Int64, backlog: Int?, peers: [PeerState], tables: [String: Int], rejected: Int,
                openConflicts: Int = 0, captureGap: CaptureGap? = nil, clockLeadMillis: Int64 = 0, log: LogSize? = nil) {
        self.node = node
        self.tier = tier
        self.epoch = epoch
        self.logHead = logHead
        self.backlog = backlog
        self.peers = peers
        self.tables = tables
        self.rejected = rejected
        self.openConflicts = openConflicts
        self.captureGap = captureGap
        self.clockLeadMillis = clockLeadMillis
        self.log = log
    }
}
