import Foundation
import Logging
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// The parent side of the protocol: applies children's pushes and serves their pulls.
public struct ParentService: Sendable {
    /// The node's store.
    public let store: any ChangeStore
    /// The most changes one pull answer carries. The default is 5000.
    public var pullLimit: Int
    /// The most log entries one pull scans before it answers (with `more`). The default is 50000.
    public var scanLimit: Int
    let logger: Logger

    /// Creates the service over a store.
    public init(store: any ChangeStore, pullLimit: Int = 5000, scanLimit: Int = 50000, logger: Logger) {
        self.store = store
        self.pullLimit = pullLimit
        self.scanLimit = scanLimit
        self.logger = logger
    }

    /// Checks that `caller` is a direct child of this node.
    public func child(_ caller: String) throws -> NodeID {
        guard let child = try? NodeID(caller), child.parent == store.node else {
            throw SyncError.notAChild(caller: caller, node: store.node.description)
        }
        return child
    }

    /// Applies a child's batch in one transaction and acknowledges it after commit.
    public func receive(_ request: PushRequest) async throws -> PushResponse {
        let child = try child(request.node)
        guard request.after >= 0, request.through >= request.after else {
            throw SyncError.badRequest("after (\(request.after)) and through (\(request.through)) must satisfy 0 <= after <= through")
        }
        let changes: [Change]
        do {
            changes = try WireCoding.changes(request.changes, columns: request.columns, rules: request.rules, schema: store.schema)
        } catch {
            throw SyncError.badRequest(error.description)
        }
        do {
            let outcome = try await SyncMetrics.timed(.receive) {
                try await store.apply(changes, cursor: .pushedBy(child: child, after: request.after, through: request.through))
            }
            SyncMetrics.applied(outcome, from: .child)
            logger.debug("applied push", metadata: [
                "sync.peer": "\(child)", "sync.through": "\(request.through)", "sync.applied": "\(outcome.applied)",
                "sync.skipped": "\(outcome.skipped)", "sync.rejected": "\(outcome.rejected.count)",
            ])
            return PushResponse(acknowledged: request.through, outcome: outcome)
        } catch let StoreError.cursorGap(_, expected, _) {
            throw SyncError.cursorGap(expected: expected, message: StoreError.cursorGap(child: child.description, expected: expected, got: request.after).description)
        }
    }

    /// Keeps a child's summary of its subtree, after checking that it describes only that
    /// subtree.
    public func receiveSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        let child = try child(request.node)
        do {
            try request.validate(sender: child)
        } catch {
            throw SyncError.badRequest(error.description)
        }
        try await store.recordSubtree(request.nodes, from: child)
        return SummaryResponse(nodes: request.nodes.count)
    }

    /// The changes `caller` should pull after `after`: those in its scope that did not come
    /// from its own subtree.
    public func pull(caller: String, after: Int64, epoch: String?, limit: Int?) async throws -> PullResponse {
        let child = try child(caller)
        guard after >= 0 else { throw SyncError.badRequest("after must be 0 or more, got \(after)") }
        if let epoch, !epoch.isEmpty, epoch != store.epoch {
            throw SyncError.epochChanged(expected: store.epoch, got: epoch)
        }
        let head = try await store.logHead()
        if after > head {
            throw SyncError.epochChanged(expected: store.epoch, got: "\(epoch ?? "?") at \(after), beyond this log's head \(head)")
        }
        let schema = store.schema
        let batch = try await store.changes(after: after, limit: min(limit ?? pullLimit, pullLimit), scanLimit: scanLimit) { entry in
            guard let table = schema.table(named: entry.table) else { return false }
            return Routing.shouldSend(entry, to: child, table: table)
        }
        // The child's `after` is its acknowledgement of everything before it: keep it, and
        // the contact time, without a write on every idle poll.
        let known = try await store.peer(child)
        if known == nil || known?.pulled != after || Date().timeIntervalSince(known?.lastContact ?? .distantPast) > 1 {
            try await store.recordContact(with: child, role: .child, pushed: nil, pulled: after, error: nil)
        }
        return PullResponse(
            epoch: store.epoch, head: head, through: batch.scannedThrough, more: batch.more,
            columns: WireCoding.columns(for: batch.changes, schema: schema), rules: WireCoding.rules(for: batch.changes, schema: schema),
            changes: WireCoding.wireChanges(batch.changes, schema: schema))
    }
}
