import Foundation
import TierSyncModel
import TierSyncStore

/// `POST /v1/summary`: a child's account of itself and of the subtree below it, sent to its
/// parent after each sync round so that every node can show the whole tree below it.
public struct SummaryRequest: Codable, Sendable {
    /// The sending child's id.
    public var node: String
    /// The child's own summary first, then those of its descendants, as it last received them.
    public var nodes: [NodeSummary]

    /// Creates a summary request.
    public init(node: String, nodes: [NodeSummary]) {
        self.node = node
        self.nodes = nodes
    }

    /// The most summaries one request may carry.
    public static let nodeLimit = 10000

    /// Checks the request against its sender: the first summary is the sender's own, every
    /// other lies strictly below it, no node appears twice, no clock lead is negative, and
    /// there are at most ``nodeLimit``.
    /// - Throws: ``WireError/invalid(_:)`` naming the first problem.
    public func validate(sender: NodeID) throws(WireError) {
        guard let first = nodes.first, first.node == sender else {
            throw .invalid("the first summary must be the sender's own (\(sender)), got \(nodes.first.map { "\($0.node)" } ?? "none")")
        }
        guard nodes.count <= Self.nodeLimit else {
            throw .invalid("\(nodes.count) summaries; at most \(Self.nodeLimit) are accepted")
        }
        var seen: Set<NodeID> = []
        for summary in nodes {
            guard sender.contains(summary.node) else {
                throw .invalid("summary of \(summary.node), which is not in the subtree of \(sender)")
            }
            guard seen.insert(summary.node).inserted else {
                throw .invalid("\(summary.node) is summarised twice")
            }
            if let lead = summary.clockLeadMillis, lead < 0 {
                throw .invalid("the summary of \(summary.node) gives a clock lead of \(lead) ms; a lead is 0 or more")
            }
            if let version = summary.schemaVersion, version < 1 {
                throw .invalid("the summary of \(summary.node) gives schema version \(version); versions start at 1")
            }
        }
    }
}

/// The answer to a summary: how many node summaries the parent kept.
public struct SummaryResponse: Codable, Sendable {
    /// The number of summaries kept.
    public var nodes: Int

    /// Creates a summary response.
    public init(nodes: Int) {
        self.nodes = nodes
    }
}
