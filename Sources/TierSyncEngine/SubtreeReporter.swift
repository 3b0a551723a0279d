import Foundation
import TierSyncModel
import TierSyncStore

/// Builds the summaries of a node and of the tree below it, from its store: its own
/// figures, and what each child last reported of its subtree, with the contact times this
/// node recorded for its children.
public enum SubtreeReporter {
    /// This node's summary of itself. Its last error is a capture gap, while one is
    /// recorded, so that the ancestors' status pages show it; else its parent's last error.
    public static func summary(of store: any ChangeStore, now: Date = Date()) async throws -> NodeSummary {
        let node = store.node
        var parent: PeerState?
        if let id = node.parent { parent = try await store.peer(id) }
        let gap = try await store.captureGap()
        return NodeSummary(
            node: node, madeAt: now, logHead: try await store.logHead(), backlog: try await StatusReporter.backlog(of: store),
            rejected: try await store.rejectedCount(), openConflicts: try await store.openConflictCount(),
            conflicts: try await store.conflictCount(),
            lastError: (gap?.message(node: node) ?? parent?.lastError).map { String($0.prefix(NodeSummary.errorLimit)) },
            clockLeadMillis: try await StatusReporter.clockLead(of: store, now: now), schemaVersion: store.schema.version)
    }

    /// This node's summary first, then, for each child in id order, the child's summaries
    /// of its subtree as it last sent them; each child's own entry carries the contact time
    /// and newest change this node recorded for it. A child known only from its peer record,
    /// or only from `expected`, appears with what is known of it.
    public static func subtree(of store: any ChangeStore, expected: [NodeID] = [], now: Date = Date()) async throws -> [NodeSummary] {
        var nodes = [try await summary(of: store, now: now)]
        let peers = try await store.peers().filter { $0.role == .child }
        let records = Dictionary(try await store.subtrees().map { ($0.child, $0) }, uniquingKeysWith: { first, _ in first })
        let children = Set(peers.map(\.node)).union(records.keys).union(expected.filter { $0.parent == store.node })
        for child in children.sorted() {
            let peer = peers.first { $0.node == child }
            var below = records[child]?.nodes ?? []
            if below.first?.node != child {
                below = [.unreported(child)]
            }
            below[0].lastContact = peer?.lastContact
            below[0].newestChange = peer?.newestChange
            nodes += below
        }
        return nodes
    }
}
