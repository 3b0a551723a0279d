import Foundation
import Logging
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// The child side of the protocol: one round pushes the node's new changes to its parent
/// and pulls the parent's changes in its scope, each in batches, until both are caught up.
public struct ChildReplicator: Sendable {
    /// The node's store.
    public let store: any ChangeStore
    /// The way to the parent.
    public let link: any ParentLink
    /// The most changes in one push or pull batch. The default is 5000.
    public var batchSize: Int
    /// The most log entries scanned for one push batch. The default is 50000.
    public var scanLimit: Int
    /// How far ahead of this node's wall clock a stamp in the parent's answers may lie
    /// (`limits.stamp_lead`); an answer beyond it is refused whole. The default is 30 seconds.
    public var stampLead = StampLead()
    /// The children this node expects (`node.children`): its summary lists those that have
    /// not called yet, so its parent sees them missing. The default is none.
    public var expectedChildren: [NodeID] = []
    let logger: Logger

    /// Creates a replicator for a node that has a parent.
    public init(store: any ChangeStore, link: any ParentLink, batchSize: Int = 5000, scanLimit: Int = 50000, logger: Logger) {
        self.store = store
        self.link = link
        self.batchSize = batchSize
        self.scanLimit = scanLimit
        self.logger = logger
    }

    /// Runs one push-and-pull round. Returns when both directions are caught up; throws
    /// (after recording the failure in the peer record) when the parent cannot be reached
    /// or refuses.
    public func round() async throws -> RoundReport {
        guard let parent = store.node.parent else {
            throw SyncError.badRequest("\(store.node) is the group: it has no parent to sync with")
        }
        var report = RoundReport()
        do {
            try await push(to: parent, report: &report)
            try await pull(from: parent, report: &report)
        } catch {
            try? await store.recordContact(with: parent, role: .parent, pushed: nil, pulled: nil, error: "\(error)")
            SyncMetrics.round(succeeded: false)
            // A node that cannot write its own file cannot record the failure either: it
            // tells its parent instead, where the tree's operators look.
            if case StoreError.storageFull = error {
                await sendSummary(to: parent, failure: "\(error)")
            }
            throw error
        }
        SyncMetrics.round(succeeded: true)
        report.caughtUp = !report.cursorBroken
        await sendSummary(to: parent)
        return report
    }

    /// Tells the parent how this node and its subtree are doing; `failure`, when given,
    /// replaces the node's recorded last error. A failure here does not fail the round: the
    /// changes are through, and the next round sends a new summary.
    private func sendSummary(to parent: NodeID, failure: String? = nil) async {
        do {
            var nodes = try await SubtreeReporter.subtree(of: store, expected: expectedChildren)
            if let failure { nodes[0].lastError = String(failure.prefix(NodeSummary.errorLimit)) }
            _ = try await link.sendSummary(SummaryRequest(node: store.node.description, nodes: nodes))
        } catch {
            logger.debug("could not send the subtree summary", metadata: ["sync.peer": "\(parent)", "sync.error": "\(error)"])
        }
    }

    private func push(to parent: NodeID, report: inout RoundReport) async throws {
        let node = store.node
        let schema = store.schema
        var pushed = try await store.peer(parent)?.pushed ?? 0
        var gapRetries = 0
        while true {
            let batch = try await store.changes(after: pushed, limit: batchSize, scanLimit: scanLimit) { entry in
                guard let table = schema.table(named: entry.table) else { return false }
                return Routing.shouldPush(entry, from: node, table: table)
            }
            if batch.scannedThrough == pushed { break }
            let request = PushRequest(
                node: node.description, after: pushed, through: batch.scannedThrough,
                columns: WireCoding.columns(for: batch.changes, schema: schema), rules: WireCoding.rules(for: batch.changes, schema: schema),
                changes: WireCoding.wireChanges(batch.changes, schema: schema))
            let response: PushResponse
            do {
                response = try await SyncMetrics.timed(.push) { try await link.push(request) }
            } catch let SyncError.refused(409, body) where body.code == "cursor_gap" && gapRetries < 3 {
                let expected = body.expected ?? 0
                logger.warning("parent has applied less than this node recorded; resending", metadata: [
                    "sync.peer": "\(parent)", "sync.recorded": "\(pushed)", "sync.expected": "\(expected)",
                ])
                pushed = min(expected, pushed)
                gapRetries += 1
                try await store.recordContact(with: parent, role: .parent, pushed: pushed, pulled: nil, error: nil)
                continue
            }
            pushed = response.acknowledged
            try await store.recordContact(with: parent, role: .parent, pushed: pushed, pulled: nil, error: nil)
            report.pushed += batch.changes.count
            report.rejected += response.outcome.rejected.count
            try await store.recordRefusals(response.outcome.rejected, by: parent)
            SyncMetrics.pushed(batch.changes.count)
            for rejection in response.outcome.rejected {
                logger.warning("parent rejected a change", metadata: [
                    "sync.table": "\(rejection.table)", "sync.key": "\(rejection.key)", "sync.reason": "\(rejection.reason)",
                ])
            }
            if !batch.more { break }
        }
    }

    private func pull(from parent: NodeID, report: inout RoundReport) async throws {
        let known = try await store.peer(parent)
        var cursor = known?.pulled ?? 0
        var epoch = known?.epoch
        while true {
            let start = ContinuousClock.now
            let response: PullResponse
            do {
                response = try await link.pull(node: store.node.description, after: cursor, epoch: epoch, limit: batchSize)
            } catch let SyncError.refused(409, body) where body.code == "epoch_changed" {
                // The cursor no longer fits the parent's log: a digest resync (``Resync``)
                // repairs what it missed and sets a new cursor; nothing restarts from zero.
                logger.warning("parent's change log no longer holds this node's cursor; resync needed", metadata: [
                    "sync.peer": "\(parent)", "sync.cursor": "\(cursor)", "sync.reason": "\(body.message)",
                ])
                report.cursorBroken = true
                return
            }
            let changes: [Change]
            let evictions: [Eviction]
            do {
                changes = try WireCoding.changes(response.changes, columns: response.columns, rules: response.rules, schema: store.schema)
                evictions = try (response.evictions ?? []).map { try $0.eviction(source: parent) }
            } catch {
                throw SyncError.badRequest("parent sent a batch this node cannot read: \(error)")
            }
            try stampLead.check(answer: changes, evictions: evictions, what: "\(parent)'s pull answer")
            if !changes.isEmpty || !evictions.isEmpty || response.through != cursor || response.epoch != epoch {
                let outcome = try await store.apply(
                    changes, evictions: evictions, cursor: .pulledFrom(parent: parent, epoch: response.epoch, through: response.through))
                SyncMetrics.pulled(changes.count)
                SyncMetrics.applied(outcome, from: .parent)
                report.pulled += outcome.applied
                report.skipped += outcome.skipped
                report.rejected += outcome.rejected.count
            } else {
                try await store.recordContact(with: parent, role: .parent, pushed: nil, pulled: nil, error: nil)
            }
            SyncMetrics.record(.pull, since: start)
            cursor = response.through
            epoch = response.epoch
            if response.resync == true { report.resyncRequested = true }
            if !response.more { break }
        }
    }
}

/// What one sync round did.
public struct RoundReport: Sendable, Codable, Equatable {
    /// Changes sent to the parent.
    public var pushed = 0
    /// Changes received from the parent and applied.
    public var pulled = 0
    /// Changes received that changed nothing here (already known, or superseded).
    public var skipped = 0
    /// Changes refused on either side.
    public var rejected = 0
    /// True when the pull cursor no longer fits the parent's log (its database was replaced
    /// or restored): the pull stopped, and a resync must repair and set a new cursor.
    public var cursorBroken = false
    /// True when the parent asked this node to resync (`tiersync resync --node`).
    public var resyncRequested = false
    /// True when both directions ended caught up.
    public var caughtUp = false

    /// An empty report.
    public init() {}
}
