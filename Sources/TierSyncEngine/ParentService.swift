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
    /// How far ahead of this node's wall clock a pushed change's stamps may lie
    /// (`limits.stamp_lead`). The default is 30 seconds.
    public var stampLead: StampLead
    /// Signalled after every apply of a child's push, and waited on by held pulls; the
    /// node's sync loop and commit watcher share it.
    public let notifier: LogNotifier
    /// When this node forgets history, for the status report. The default has the default
    /// grace period and knows the children the store has records of.
    public var retention: Retention
    let logger: Logger

    /// The longest a pull may be held for new changes (`wait`), in seconds.
    public static let longestWait = 30

    /// Creates the service over a store.
    public init(store: any ChangeStore, pullLimit: Int = 5000, scanLimit: Int = 50000, stampLead: StampLead = StampLead(),
                notifier: LogNotifier = LogNotifier(), retention: Retention = Retention(), logger: Logger) {
        self.store = store
        self.retention = retention
        self.pullLimit = pullLimit
        self.scanLimit = scanLimit
        self.stampLead = stampLead
        self.notifier = notifier
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
    ///
    /// A batch that is malformed (a change that cannot fit its table) is refused whole with
    /// ``SyncError/badRequest(_:)``, one with a stamp more than ``stampLead`` ahead of this
    /// node's wall clock with ``SyncError/stampAhead(_:)``; nothing of it is applied and the
    /// clock does not move. A well-formed row the child has no right to push is rejected alone into
    /// the error queue, and the rest of the batch goes on.
    public func receive(_ request: PushRequest) async throws -> PushResponse {
        let child = try child(request.node)
        guard request.after >= 0, request.through >= request.after else {
            throw SyncError.badRequest("after (\(request.after)) and through (\(request.through)) must satisfy 0 <= after <= through")
        }
        if let version = request.schema, version < 1 || version > Int(Int32.max) {
            throw SyncError.badRequest("schema must be from 1 to \(Int32.max), got \(version): the version of the schema file the child runs")
        }
        let intake: BatchIntake
        do {
            let sender = BatchIntake.Sender(node: child, isChild: true, schemaVersion: request.schema)
            intake = try BatchIntake.read(request.changes, columns: request.columns, rules: request.rules, from: sender, schema: store.schema)
        } catch let WireError.schemaMismatch(message) {
            throw SyncError.schemaMismatch(
                "\(message); nothing of the batch was applied, and \(child) keeps it and sends it again once the two schema files agree (nodes on one version must run the same file, and a higher version may only add columns and tables)")
        } catch {
            throw SyncError.badRequest(error.description)
        }
        let changes = intake.changes
        if let problem = intake.keptProblem { throw SyncError.badRequest(problem) }
        try validate(changes, kept: intake.keptAsSent)
        do {
            let outcome = try await SyncMetrics.timed(.receive) {
                try await store.apply(changes, evictions: [], keeping: intake.kept,
                                      cursor: .pushedBy(child: child, after: request.after, through: request.through))
            }
            SyncMetrics.applied(outcome, from: .child)
            // The node's own push to its parent, and its children's held pulls, start now.
            notifier.signal()
            logger.debug("applied push", metadata: [
                "sync.peer": "\(child)", "sync.through": "\(request.through)", "sync.applied": "\(outcome.applied)",
                "sync.skipped": "\(outcome.skipped)", "sync.rejected": "\(outcome.rejected.count)",
            ])
            return PushResponse(acknowledged: request.through, outcome: outcome)
        } catch let StoreError.cursorGap(_, expected, _) {
            throw SyncError.cursorGap(expected: expected, message: StoreError.cursorGap(child: child.description, expected: expected, got: request.after).description)
        }
    }

    /// Refuses a batch with a change that cannot belong to its table or names a stamp more
    /// than ``stampLead`` ahead of this node's wall clock.
    ///
    /// Changes kept for a newer schema (`kept`, as sent) are checked for their stamps here;
    /// their metadata was checked before (``BatchIntake/keptProblem``), what depends on
    /// their table's columns is checked when this node can read them, and the child's
    /// rights when they are applied.
    func validate(_ changes: [Change], kept: [Change] = [], now: Date = Date()) throws {
        for (index, change) in changes.enumerated() {
            let label = "change [\(index)] to \(change.table) \(change.key.map(\.description))"
            if let table = store.schema.table(named: change.table), let problem = ChangeShape.problem(change, table: table) {
                throw SyncError.badRequest("\(label): \(problem)")
            }
        }
        try stampLead.check(changes + kept, now: now) { label, excess in
            "\(label): \(excess). Fix the clock of \(excess.writer) (NTP) and push again; nothing of this batch was applied"
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
    /// from its own subtree. `applied`, when the child asks ahead of applying an earlier
    /// answer, is the position it has applied (at most `after`); the child's acknowledgement
    /// is `applied`, else `after`.
    ///
    /// With a `wait` (a long-poll, at most ``longestWait`` seconds), an answer that would
    /// carry nothing is held until this node's log moves with something for the child, or
    /// until the wait ends: then it answers with nothing, `through` past the entries that
    /// were not for the child. The held request reads nothing while the log does not move
    /// (``notifier``).
    public func pull(caller: String, after: Int64, applied: Int64? = nil, epoch: String?, limit: Int?, wait: Duration = .zero) async throws -> PullResponse {
        let child = try child(caller)
        guard after >= 0 else { throw SyncError.badRequest("after must be 0 or more, got \(after)") }
        if let applied, applied < 0 || applied > after {
            throw SyncError.badRequest("applied must be from 0 to after (\(after)), got \(applied): the position of this node's log the child has applied")
        }
        guard wait >= .zero, wait <= .seconds(Self.longestWait) else {
            throw SyncError.badRequest("wait must be between 0 and \(Self.longestWait) seconds, got \(wait)")
        }
        if let epoch, !epoch.isEmpty, epoch != store.epoch {
            throw SyncError.epochChanged(expected: store.epoch, got: epoch)
        }
        let head = try await store.logHead()
        if after > head {
            throw SyncError.epochChanged(expected: store.epoch, got: "\(epoch ?? "?") at \(after), beyond this log's head \(head)")
        }
        // A cursor beyond every position this log ever served the child points into a log
        // this node no longer has: it was restored from a backup (one taken before it served
        // the child anything, or before it knew the child, has served it nothing).
        let known = try await store.peer(child)
        let served = known?.served ?? 0
        // Below the purged part of the log, a deletion the child needs may be gone: only a
        // resync can tell what it holds that it should not (SYNC.md 14.2).
        let purged = try await store.purgedThrough()
        if after < purged {
            throw SyncError.epochChanged(expected: store.epoch, got: "\(epoch ?? "?") at \(after), below the \(purged) this log has purged; \(child) must resync")
        }
        if after > served {
            throw SyncError.epochChanged(expected: store.epoch, got: "\(epoch ?? "?") at \(after), beyond the \(served) this log has served \(child) (restored from a backup?)")
        }
        // The child's acknowledgement of everything before it (`applied`, or `after` when
        // the child applied all before asking): keep it, and the contact time, without a
        // write on every idle poll nor on every held pull (a child that follows a stream of
        // changes asks again after each answer). A purge waits for it (SYNC.md 14.1).
        let acknowledged = applied ?? after
        let moved = known?.pulled != acknowledged && wait == .zero
        if known == nil || moved || Date().timeIntervalSince(known?.lastContact ?? .distantPast) > 1 {
            try await store.recordContact(with: child, role: .child, pushed: nil, pulled: acknowledged, error: nil)
        }
        let limit = min(limit ?? pullLimit, pullLimit)
        let deadline = ContinuousClock.now + wait
        var answer = try await batch(for: child, from: after, cursor: after, head: head, limit: limit)
        while answer.batch.changes.isEmpty, answer.batch.evictions.isEmpty, !answer.batch.more, known?.resyncRequested != true,
              ContinuousClock.now < deadline {
            // Nothing for the child yet: (after, through] needs nothing, so a later answer
            // may start at `through` and still cover it.
            // The batch read everything up to the head read before it; only a later
            // position can hold more.
            let seen = notifier.generation
            let now = try await store.logHead()
            if now > answer.head {
                answer = try await batch(for: child, from: answer.batch.scannedThrough, cursor: after, head: now, limit: limit)
            } else if await !notifier.wait(after: seen, until: deadline) {
                break
            }
        }
        let batch = answer.batch
        if batch.scannedThrough > served {
            try await store.recordServed(to: child, through: batch.scannedThrough)
        }
        let schema = store.schema
        return PullResponse(
            epoch: store.epoch, head: answer.head, through: batch.scannedThrough, more: batch.more,
            columns: WireCoding.columns(for: batch.changes, schema: schema), rules: WireCoding.rules(for: batch.changes, schema: schema),
            changes: WireCoding.wireChanges(batch.changes, schema: schema), resync: known?.resyncRequested,
            evictions: batch.evictions.isEmpty ? nil : batch.evictions.map(WireEviction.init), schema: WireCoding.schemaField(schema))
    }

    /// Reads what `child` should pull of this node's log after `from` (`head` is the log
    /// head read before); `cursor` is the child's own cursor, which decides the evictions it
    /// is owed.
    private func batch(for child: NodeID, from: Int64, cursor: Int64, head: Int64, limit: Int) async throws -> (batch: ChangeBatch, head: Int64) {
        let batch = try await store.changes(after: from, limit: limit, scanLimit: scanLimit, selecting: .pulledBy(child, after: cursor))
        return (batch, head)
    }
}
