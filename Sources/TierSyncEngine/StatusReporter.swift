import Foundation
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// Builds a node's status report from its store.
public enum StatusReporter {
    /// The node's cursors, backlog, contacts, row counts, error-queue size, open conflicts,
    /// capture gap, clock lead, log size and retention horizon.
    public static func status(of store: any ChangeStore, retention: Retention = Retention(), now: Date = Date()) async throws -> NodeStatus {
        let node = store.node
        var status = NodeStatus(
            node: node.description, tier: node.tier.description, epoch: store.epoch,
            logHead: try await store.logHead(), backlog: try await backlog(of: store), peers: try await store.peers(),
            tables: try await store.rowCounts(), rejected: try await store.rejectedCount(),
            openConflicts: try await store.openConflictCount(), captureGap: try await store.captureGap(),
            clockLeadMillis: try await clockLead(of: store, now: now), log: try await store.logSize())
        status.retention = try await retention.horizon(of: store)
        status.schemaVersion = store.schema.version
        var others: [String: Int] = [:]
        for summary in try await store.subtrees().flatMap(\.nodes) {
            if let version = summary.schemaVersion, version != store.schema.version { others[summary.node.description] = version }
        }
        status.otherSchemaVersions = others.isEmpty ? nil : others
        let kept = try await store.keptCounts()
        status.kept = kept.isEmpty ? nil : kept
        return status
    }

    /// How far the node's hybrid clock runs ahead of its wall clock at `now`, in
    /// milliseconds; never negative.
    public static func clockLead(of store: any ChangeStore, now: Date = Date()) async throws -> Int64 {
        StampLead.lead(of: try await store.clock(), nowMillis: Int64(now.timeIntervalSince1970 * 1000))
    }

    /// The log entries after the position the parent acknowledged that are to be pushed;
    /// nil at the group.
    public static func backlog(of store: any ChangeStore) async throws -> Int? {
        let node = store.node
        guard let parent = node.parent else { return nil }
        let pushed = try await store.peer(parent)?.pushed ?? 0
        return try await store.countEntries(after: pushed, selecting: .pushedBy(node))
    }
}
