import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TierSyncEngine
import TierSyncStore

/// The child daemon's loop. A round runs at once when the node's log moves (a local commit
/// seen by ``LogWatch``, a child's push applied here: it is forwarded without waiting), at
/// once again while there is a backlog, and every interval otherwise; beside the rounds, one
/// pull is kept waiting at the parent (a long-poll), so that the parent's changes arrive
/// as they are made. While that held pull works, a round started by the log moving only
/// pushes. The subtree summary goes to the parent after the rounds, at most one a second,
/// and the push position is written when the loop falls idle (or once a second while busy).
/// Exponential backoff while the parent fails, up to a minute. A resync runs when the
/// parent's log no longer holds the cursor, when the parent asks for one, and at start when
/// an earlier one stopped halfway.
public struct SyncLoop: Service {
    let resync: Resync
    var replicator: ChildReplicator { resync.replicator }
    let interval: Duration
    let logger: Logger
    /// Signalled when the node's log may have moved.
    let notifier: LogNotifier
    /// How long each held pull asks the parent to wait, in seconds; 0 keeps none.
    let hold: Int
    private let flags = LoopFlags()
    /// Signalled after each round: the summary task sends the parent a summary.
    private let summaries = LogNotifier()

    /// Creates the loop. `notifier` is the node's (its ``LogWatch`` and ``ParentService``
    /// signal it); `hold` is how long each long-poll asks the parent to wait, in seconds,
    /// at most ``ParentService/longestWait`` (0: none; a link that cannot hold pulls keeps
    /// none either).
    public init(resync: Resync, interval: Duration, notifier: LogNotifier, hold: Int = 20, logger: Logger) {
        var resync = resync
        resync.replicator.flushEvery = .seconds(1)
        self.resync = resync
        self.interval = interval
        self.notifier = notifier
        self.hold = min(max(hold, 0), ParentService.longestWait)
        self.logger = logger
    }

    /// Runs until graceful shutdown. A round in progress finishes its transaction first.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await rounds() }
                group.addTask { await sendSummaries() }
                if hold > 0 && replicator.link.holdsPulls {
                    group.addTask { await holdPulls() }
                }
            }
        }
        try? await replicator.flush()
    }

    private func rounds() async {
        let clock = ContinuousClock()
        var nextRound = clock.now
        var seenHead: Int64 = -1
        var failures = 0
        var resyncNeeded = (try? await resync.pending()) == true
        var cursorBroken = false
        while !Task.isCancelled {
            let signals = notifier.generation
            let head = (try? await replicator.store.logHead()) ?? seenHead
            let asked = flags.takeRound()
            let due = clock.now >= nextRound
            guard due || (failures == 0 && (head != seenHead || asked)) else {
                // Idle: the push position goes to the store now.
                try? await replicator.flush()
                if await !notifier.wait(after: signals, until: nextRound), notifier.isFinished {
                    // A finished notifier wakes nobody any more: the interval alone remains.
                    try? await Task.sleep(until: nextRound, clock: .continuous)
                }
                continue
            }
            // A round for a moved log only pushes while the held pull brings the parent's changes.
            let pulling = due || asked || resyncNeeded || !flags.holding
            do {
                if resyncNeeded {
                    let report = try await resync.run(Resync.Options(), cursorBroken: cursorBroken)
                    logger.notice("resync", metadata: [
                        "sync.path": "\(report.path)", "sync.reason": "\(report.reason)", "sync.ranges": "\(report.rangesDiffering)",
                        "sync.pulled": "\(report.counts.pulled)", "sync.pushed": "\(report.counts.pushed)", "sync.bytes": "\(report.bytesMoved)",
                    ])
                    resyncNeeded = false
                    cursorBroken = false
                }
                let report = try await replicator.round(pulling: pulling, summary: false)
                summaries.signal()
                cursorBroken = report.cursorBroken
                resyncNeeded = report.cursorBroken || report.resyncRequested
                if report.pushed + report.pulled + report.rejected > 0 || report.cursorBroken {
                    logger.info("sync round", metadata: [
                        "sync.pushed": "\(report.pushed)", "sync.pulled": "\(report.pulled)",
                        "sync.skipped": "\(report.skipped)", "sync.rejected": "\(report.rejected)",
                    ])
                }
                if let heldBack = report.heldBack {
                    // The two schema files differ in a way their versions cannot bridge
                    // (SYNC.md 2.1): sending the same batch on every commit would only be
                    // refused again; wait as after a failure.
                    failures += 1
                    let backoff = min(interval * Int(1 << min(failures, 6)), .seconds(60))
                    logger.warning("changes held back until this node and its parent run the same schema", metadata: [
                        "sync.reason": "\(heldBack)", "sync.retry_in": "\(backoff)",
                    ])
                    nextRound = clock.now + backoff
                } else {
                    failures = 0
                    nextRound = resyncNeeded ? clock.now : clock.now + interval
                }
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                let backoff = min(interval * Int(1 << min(failures, 6)), .seconds(60))
                logger.warning("sync round failed; retrying", metadata: [
                    "sync.error": "\(error)", "sync.retry_in": "\(backoff)",
                ])
                nextRound = clock.now + backoff
            }
            // The head read before the round: a commit made while it ran (a backlog) starts
            // the next round at once.
            seenHead = head
        }
    }

    /// Keeps one pull waiting at the parent, applies what it brings, and asks for a round
    /// when the parent has more than one answer holds or wants a resync.
    private func holdPulls() async {
        let clock = ContinuousClock()
        var failures = 0
        while !Task.isCancelled {
            let start = clock.now
            // From the moment it leaves, the held pull brings the parent's changes: rounds
            // started by a commit only push, instead of each pulling as well (a second request
            // per write at every hop) until the first hold ends, up to `hold` seconds later.
            flags.holding = true
            do {
                let held = try await replicator.awaitParent(wait: hold)
                failures = 0
                if held.pulled > 0 {
                    logger.info("held pull", metadata: ["sync.pulled": "\(held.pulled)"])
                }
                if held.needsRound {
                    flags.wantRound()
                    notifier.signal()
                }
                // An answer with nothing, long before the wait was up, comes from a parent
                // that does not hold pulls or is stopping: ask again a little later.
                if !held.applied && !held.more && clock.now - start < .seconds(hold) / 2 {
                    flags.holding = false
                    try await Task.sleep(for: .seconds(1))
                }
            } catch is CancellationError {
                return
            } catch {
                // The rounds report the parent's failures; this only waits to ask again.
                failures += 1
                flags.holding = false
                logger.debug("held pull failed", metadata: ["sync.error": "\(error)"])
                do {
                    try await Task.sleep(for: min(.milliseconds(500) * Int(1 << min(failures, 7)), .seconds(60)))
                } catch {
                    return
                }
            }
        }
    }

    /// Sends the parent a summary after rounds, at most one a second: rounds that end
    /// meanwhile are covered by the next, which always follows the last round.
    private func sendSummaries() async {
        var sent = summaries.generation
        while !Task.isCancelled {
            let due = summaries.generation
            guard due != sent else {
                _ = await summaries.wait(after: sent, until: .now + .seconds(3600))
                continue
            }
            sent = due
            let start = ContinuousClock.now
            await replicator.sendSummary()
            try? await Task.sleep(until: start + .seconds(1), clock: .continuous)
        }
    }
}

/// What the loop's tasks tell each other: a round asked for by the held pull, and whether
/// the held pull works.
private final class LoopFlags: Sendable {
    private struct State {
        var roundWanted = false
        var holding = false
    }

    private let state = Mutex(State())

    /// Asks for a round.
    func wantRound() {
        state.withLock { $0.roundWanted = true }
    }

    /// True once after each ``wantRound()``.
    func takeRound() -> Bool {
        state.withLock { state in
            defer { state.roundWanted = false }
            return state.roundWanted
        }
    }

    /// True while a held pull is on its way to the parent or held there, and the last one
    /// did not fail.
    var holding: Bool {
        get { state.withLock { $0.holding } }
        set { state.withLock { $0.holding = newValue } }
    }
}
