import Foundation
import Logging
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// The child side of the protocol: one round pushes the node's new changes to its parent
/// and pulls the parent's changes in its scope, each in batches, until both are caught up.
///
/// Batches overlap: while one push is in flight the next is read from the log, and while
/// one pull answer is applied the next is fetched. The push position the parent
/// acknowledged is kept in memory and written at the end of a round (every round by
/// default, or once per ``flushEvery``, and by ``flush()``) or when a round fails, never
/// after every batch: a node that stops before sends the batches since again, which the
/// parent applies idempotently.
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
    /// Signalled after every pull applied here, so that this node's children's held pulls
    /// and its own sync loop look again. The default is one nobody waits on.
    public var notifier = LogNotifier()
    /// How long an acknowledged push position may stay in memory before a round writes it;
    /// zero (the default) writes it at the end of every round that moved it.
    public var flushEvery: Duration = .zero
    /// Lets one pull apply at a time: a round's and a held pull's (``awaitParent(wait:)``).
    let pulls = SerialLane()
    /// The acknowledged push position not written yet.
    let position = PushPosition()
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
    /// or refuses. Without `pulling`, the round only pushes (a node whose held pull
    /// brings its parent's changes); without `summary`, it sends no subtree summary (the
    /// caller sends it, with ``sendSummary()``).
    public func round(pulling: Bool = true, summary: Bool = true) async throws -> RoundReport {
        guard let parent = store.node.parent else {
            throw SyncError.badRequest("\(store.node) is the group: it has no parent to sync with")
        }
        var report = RoundReport()
        let known = try await store.peer(parent)
        let stored = known?.pushed ?? 0
        var pushed = max(position.unwritten ?? stored, stored)
        var pullWrote = false
        do {
            try await push(to: parent, from: &pushed, report: &report)
            if pushed != stored || position.unwritten != nil { position.acknowledge(pushed) }
            if pulling { pullWrote = try await pull(from: parent, report: &report) }
        } catch {
            if pushed != stored || position.unwritten != nil { position.acknowledge(pushed) }
            let unwritten = position.unwritten
            if (try? await store.recordContact(with: parent, role: .parent, pushed: unwritten, pulled: nil, error: "\(error)")) != nil {
                position.wrote(unwritten)
            }
            SyncMetrics.round(succeeded: false)
            // A node that cannot write its own file cannot record the failure either: it
            // tells its parent instead, where the tree's operators look.
            if case StoreError.storageFull = error {
                await sendSummary(to: parent, failure: "\(error)")
            }
            throw error
        }
        // The round's one bookkeeping write, when due: the push position, and the contact
        // when no pull answer recorded it (at most once a second while nothing moves).
        let contactIsOld = Date().timeIntervalSince(known?.lastContact ?? .distantPast) > 1 || known?.lastError != nil
        if let heldBack = report.heldBack {
            // The round worked, but not all of it: the status shows why until both sides match.
            logger.warning("schema mismatch with the parent; changes held back, none lost", metadata: ["sync.peer": "\(parent)", "sync.reason": "\(heldBack)"])
            let unwritten = position.unwritten
            try await store.recordContact(with: parent, role: .parent, pushed: unwritten, pulled: nil, error: heldBack)
            position.wrote(unwritten)
        } else if (position.unwritten != nil && position.isDue(every: flushEvery)) || (!pullWrote && contactIsOld) {
            try await write(to: parent)
        }
        SyncMetrics.round(succeeded: report.heldBack == nil)
        report.caughtUp = !report.cursorBroken && report.heldBack == nil
        if summary { await sendSummary(to: parent) }
        return report
    }

    /// Writes the acknowledged push position kept in memory, if any, with the contact time.
    public func flush() async throws {
        guard let parent = store.node.parent, position.unwritten != nil else { return }
        try await write(to: parent)
    }

    /// Writes the push position kept in memory (if any) and the contact.
    private func write(to parent: NodeID) async throws {
        let unwritten = position.unwritten
        try await store.recordContact(with: parent, role: .parent, pushed: unwritten, pulled: nil, error: nil)
        position.wrote(unwritten)
    }

    /// Tells the parent how this node and its subtree are doing, as a round does at its end.
    public func sendSummary() async {
        guard let parent = store.node.parent else { return }
        await sendSummary(to: parent)
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

    /// The next push batch: the log entries after `position` this node sends its parent.
    private func pushBatch(after position: Int64) async throws -> ChangeBatch {
        try await store.changes(after: position, limit: batchSize, scanLimit: scanLimit, selecting: .pushedBy(store.node))
    }

    /// Pushes until the parent has acknowledged the whole log; `pushed` follows the
    /// acknowledgements.
    private func push(to parent: NodeID, from pushed: inout Int64, report: inout RoundReport) async throws {
        let schema = store.schema
        var gapRetries = 0
        var next: Task<ChangeBatch, any Error>?
        defer { next?.cancel() }
        while true {
            let batch: ChangeBatch
            if let prefetched = next {
                batch = try await prefetched.value
                next = nil
            } else {
                batch = try await pushBatch(after: pushed)
            }
            if batch.scannedThrough == pushed { break }
            // The next batch is read while this one is in flight.
            if batch.more {
                let position = batch.scannedThrough
                next = Task { try await pushBatch(after: position) }
            }
            let request = PushRequest(
                node: store.node.description, after: pushed, through: batch.scannedThrough,
                columns: WireCoding.columns(for: batch.changes, schema: schema), rules: WireCoding.rules(for: batch.changes, schema: schema),
                changes: WireCoding.wireChanges(batch.changes, schema: schema), schema: WireCoding.schemaField(schema))
            let response: PushResponse
            do {
                response = try await SyncMetrics.timed(.push) { try await link.push(request) }
            } catch let SyncError.refused(409, body) where body.code == "schema_mismatch" {
                // The two schema files differ in a way their versions cannot bridge: the
                // changes wait here, unsent, while the pull goes on (SYNC.md 2.1).
                report.heldBack = "\(RoundReport.pushesHeldBack): \(body.message)"
                return
            } catch let SyncError.refused(409, body) where body.code == "cursor_gap" && gapRetries < 3 {
                let expected = body.expected ?? 0
                logger.warning("parent has applied less than this node recorded; resending", metadata: [
                    "sync.peer": "\(parent)", "sync.recorded": "\(pushed)", "sync.expected": "\(expected)",
                ])
                next?.cancel()
                next = nil
                // Kept in memory like any acknowledged position: a node that stops first
                // meets the same refusal again.
                pushed = min(expected, pushed)
                gapRetries += 1
                continue
            }
            pushed = response.acknowledged
            if response.acknowledged != batch.scannedThrough {
                next?.cancel()
                next = nil
            }
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

    /// Pulls until caught up; returns true when an answer was applied (which recorded the
    /// contact too).
    private func pull(from parent: NodeID, report: inout RoundReport) async throws -> Bool {
        try await pulls.run {
            let known = try await store.peer(parent)
            var cursor = known?.pulled ?? 0
            var epoch = known?.epoch
            var wrote = false
            var next: Task<PullResponse, any Error>?
            defer { next?.cancel() }
            while true {
                let start = ContinuousClock.now
                let response: PullResponse
                do {
                    if let prefetched = next {
                        response = try await prefetched.value
                        next = nil
                    } else {
                        response = try await link.pull(node: store.node.description, after: cursor, epoch: epoch, limit: batchSize)
                    }
                } catch let SyncError.refused(409, body) where body.code == "epoch_changed" {
                    // The cursor no longer fits the parent's log: a digest resync (``Resync``)
                    // repairs what it missed and sets a new cursor; nothing restarts from zero.
                    logger.warning("parent's change log no longer holds this node's cursor; resync needed", metadata: [
                        "sync.peer": "\(parent)", "sync.cursor": "\(cursor)", "sync.reason": "\(body.message)",
                    ])
                    report.cursorBroken = true
                    return wrote
                }
                // The next answer is fetched while this one is applied.
                if response.more {
                    // Asked before this answer is applied: the parent must not take `after` for
                    // an acknowledgement, only the cursor applied so far.
                    let (after, applied, answerEpoch, node, limit) = (response.through, cursor, response.epoch, store.node.description, batchSize)
                    next = Task { try await link.pull(node: node, after: after, applied: applied, epoch: answerEpoch, limit: limit) }
                }
                do {
                    wrote = try await take(response, from: parent, cursor: cursor, epoch: epoch, report: &report) || wrote
                } catch let SyncError.schemaMismatch(message) {
                    // The changes stay at the parent; the push goes on (SYNC.md 2.1).
                    report.heldBack = [report.heldBack, message].compactMap { $0 }.joined(separator: "; ")
                    return wrote
                }
                SyncMetrics.record(.pull, since: start)
                cursor = response.through
                epoch = response.epoch
                if !response.more { break }
            }
            return wrote
        }
    }

    /// Applies one pull answer to the pull cursor (`cursor`, `epoch`) it answers, with the
    /// answer's cursor in the same transaction; returns false when it moved nothing and so
    /// wrote nothing.
    private func take(_ response: PullResponse, from parent: NodeID, cursor: Int64, epoch: String?, report: inout RoundReport) async throws -> Bool {
        var intake: BatchIntake
        let evictions: [Eviction]
        // An eviction of a table with kept changes waits with them (SYNC.md 2.1).
        let keptBefore = response.evictions?.isEmpty == false ? Set(try await store.keptCounts().keys) : []
        do {
            if let version = response.schema, version < 1 || version > Int(Int32.max) {
                throw WireError.invalid("its schema version is \(version); it must be from 1 to \(Int32.max)")
            }
            let sender = BatchIntake.Sender(node: parent, isChild: false, schemaVersion: response.schema)
            intake = try BatchIntake.read(response.changes, columns: response.columns, rules: response.rules, from: sender, schema: store.schema)
            if let problem = intake.keptProblem { throw WireError.invalid(problem) }
            if let wire = response.evictions, !wire.isEmpty {
                let keptTables = Set(intake.kept.map(\.table)).union(keptBefore)
                let split = try BatchIntake.evictions(wire, keptTables: keptTables, from: sender, schema: store.schema)
                evictions = split.apply
                intake.kept += split.kept
            } else {
                evictions = []
            }
        } catch let WireError.schemaMismatch(message) {
            throw SyncError.schemaMismatch(
                "\(RoundReport.pullsHeldBack): \(parent)'s changes do not fit this node's schema (\(message)); nothing was applied, and they arrive once the two schema files agree (nodes on one version must run the same file, and a higher version may only add columns and tables)")
        } catch {
            throw SyncError.badRequest("parent sent a batch this node cannot read: \(error)")
        }
        let changes = intake.changes
        try stampLead.check(answer: changes + intake.keptAsSent, evictions: evictions, what: "\(parent)'s pull answer")
        if response.resync == true { report.resyncRequested = true }
        guard !changes.isEmpty || !intake.kept.isEmpty || !evictions.isEmpty || response.through != cursor || response.epoch != epoch else {
            return false
        }
        let outcome = try await store.apply(
            changes, evictions: evictions, keeping: intake.kept, cursor: .pulledFrom(parent: parent, epoch: response.epoch, through: response.through))
        SyncMetrics.pulled(changes.count)
        SyncMetrics.applied(outcome, from: .parent)
        report.pulled += outcome.applied
        report.skipped += outcome.skipped
        report.rejected += outcome.rejected.count
        // This node's children, waiting for its log to move, look now.
        notifier.signal()
        return true
    }

    /// Holds one pull at the parent for up to `wait` seconds, until the parent's log has
    /// something for this node (a long-poll), and applies the answer, unless a round's pull
    /// moved the cursor past it meanwhile. An empty answer after the wait is normal.
    ///
    /// The answer covers the parent's log from the cursor read before the request; a round
    /// that pulled meanwhile may have applied part of it. It is applied when the cursor
    /// stored now still lies within it (applying a change twice changes nothing), and
    /// dropped when the cursor has passed it or belongs to another epoch.
    public func awaitParent(wait: Int) async throws -> HeldPull {
        guard let parent = store.node.parent else {
            throw SyncError.badRequest("\(store.node) is the group: it has no parent to sync with")
        }
        let known = try await store.peer(parent)
        let cursor = known?.pulled ?? 0
        let epoch = known?.epoch
        let response: PullResponse
        do {
            response = try await link.pull(node: store.node.description, after: cursor, epoch: epoch, limit: batchSize, wait: wait)
        } catch let SyncError.refused(409, body) where body.code == "epoch_changed" {
            return HeldPull(cursorBroken: true)
        }
        return try await pulls.run {
            var held = HeldPull(more: response.more, resyncRequested: response.resync == true)
            let now = try await store.peer(parent)
            let stored = now?.pulled ?? 0
            let sameLog = now?.epoch == nil ? stored == 0 : now?.epoch == response.epoch
            guard sameLog, stored >= cursor, stored <= response.through else { return held }
            var report = RoundReport()
            held.applied = try await take(response, from: parent, cursor: stored, epoch: now?.epoch, report: &report)
            held.pulled = report.pulled
            // An apply clears the parent's last error; what the last round held back stays
            // held back until the next round says otherwise, and `status` keeps saying so.
            if held.applied, let error = now?.lastError, RoundReport.isHeldBack(error) {
                try await store.recordContact(with: parent, role: .parent, pushed: nil, pulled: nil, error: error)
            }
            return held
        }
    }
}

/// What a held pull (``ChildReplicator/awaitParent(wait:)``) brought.
public struct HeldPull: Sendable, Equatable {
    /// True when its answer was applied (changes, evictions or a new cursor).
    public var applied = false
    /// Changes applied from it.
    public var pulled = 0
    /// True when the parent has more for this node than the answer held: a round should pull it.
    public var more = false
    /// True when the parent asked this node to resync.
    public var resyncRequested = false
    /// True when the parent refused the cursor (409 `epoch_changed`): a round finds it and resyncs.
    public var cursorBroken = false

    /// A result.
    public init(applied: Bool = false, pulled: Int = 0, more: Bool = false, resyncRequested: Bool = false, cursorBroken: Bool = false) {
        self.applied = applied
        self.pulled = pulled
        self.more = more
        self.resyncRequested = resyncRequested
        self.cursorBroken = cursorBroken
    }

    /// True when a round should run now: the parent has more, wants a resync, or refused the cursor.
    public var needsRound: Bool { more || resyncRequested || cursorBroken }
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
    /// Why pushes or pulls were held back this round because this node and its parent run
    /// different schema files (SYNC.md 2.1); nil when nothing was. Nothing held back is lost.
    /// It starts with ``pushesHeldBack`` or ``pullsHeldBack``.
    public var heldBack: String?

    /// How ``heldBack`` starts when a push was refused for the schema.
    public static let pushesHeldBack = "pushes held back"
    /// How ``heldBack`` starts when a pull answer did not fit this node's schema.
    public static let pullsHeldBack = "pulls held back"

    /// True when a recorded error is a round's ``heldBack``.
    public static func isHeldBack(_ error: String) -> Bool {
        error.hasPrefix(pushesHeldBack) || error.hasPrefix(pullsHeldBack)
    }
    /// True when both directions ended caught up.
    public var caughtUp = false

    /// An empty report.
    public init() {}
}
