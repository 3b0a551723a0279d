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
/// as they are made. Exponential backoff while the parent fails, up to a minute. A resync
/// runs when the parent's log no longer holds the cursor, when the parent asks for one,
/// and at start when an earlier one stopped halfway.
public struct SyncLoop: Service {
    let resync: Resync
    var replicator: ChildReplicator { resync.replicator }
    let interval: Duration
    let logger: Logger
    /// Signalled when the node's log may have moved.
    let notifier: LogNotifier
    /// How long each held pull asks the parent to wait, in seconds; 0 keeps none.
    let hold: Int
    private let wanted = RoundWanted()

    /// Creates the loop. `notifier` is the node's (its ``LogWatch`` and ``ParentService``
    /// signal it); `hold` is how long each long-poll asks the parent to wait, in seconds,
    /// at most ``ParentService/longestWait`` (0: none; a link that cannot hold pulls keeps
    /// none either).
    public init(resync: Resync, interval: Duration, notifier: LogNotifier, hold: Int = 20, logger: Logger) {
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
                if hold > 0 && replicator.link.holdsPulls {
                    group.addTask { await holdPulls() }
                }
            }
        }
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
            let asked = wanted.take()
            guard clock.now >= nextRound || (failures == 0 && (head != seenHead || asked)) else {
                _ = await notifier.wait(after: signals, until: nextRound)
                continue
            }
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
                let report = try await replicator.round()
                cursorBroken = report.cursorBroken
                resyncNeeded = report.cursorBroken || report.resyncRequested
                if report.pushed + report.pulled + report.rejected > 0 || report.cursorBroken {
                    logger.info("sync round", metadata: [
                        "sync.pushed": "\(report.pushed)", "sync.pulled": "\(report.pulled)",
                        "sync.skipped": "\(report.skipped)", "sync.rejected": "\(report.rejected)",
                    ])
                }
                failures = 0
                nextRound = resyncNeeded ? clock.now : clock.now + interval
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
            do {
                let held = try await replicator.awaitParent(wait: hold)
                failures = 0
                if held.pulled > 0 {
                    logger.info("held pull", metadata: ["sync.pulled": "\(held.pulled)"])
                }
                if held.needsRound {
                    wanted.set()
                    notifier.signal()
                }
                // An answer with nothing, long before the wait was up, comes from a parent
                // that does not hold pulls or is stopping: ask again a little later.
                if !held.applied && !held.more && clock.now - start < .seconds(hold) / 2 {
                    try await Task.sleep(for: .seconds(1))
                }
            } catch is CancellationError {
                return
            } catch {
                // The rounds report the parent's failures; this only waits to ask again.
                failures += 1
                logger.debug("held pull failed", metadata: ["sync.error": "\(error)"])
                do {
                    try await Task.sleep(for: min(.milliseconds(500) * Int(1 << min(failures, 7)), .seconds(60)))
                } catch {
                    return
                }
            }
        }
    }
}

/// A round asked for by the held pull, taken by the next turn of the loop.
private final class RoundWanted: Sendable {
    private let flag = Mutex(false)

    /// Asks for a round.
    func set() {
        flag.withLock { $0 = true }
    }

    /// True once after each ``set()``.
    func take() -> Bool {
        flag.withLock { wanted in
            defer { wanted = false }
            return wanted
        }
    }
}
