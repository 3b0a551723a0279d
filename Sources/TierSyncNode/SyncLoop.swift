import Foundation
import Logging
import ServiceLifecycle
import TierSyncEngine
import TierSyncStore

/// The child daemon's loop: a sync round every interval, and soon after a local write;
/// exponential backoff while the parent fails, up to a minute. A resync runs when the
/// parent's log no longer holds the cursor, when the parent asks for one, and at start when
/// an earlier one stopped halfway.
public struct SyncLoop: Service {
    let resync: Resync
    var replicator: ChildReplicator { resync.replicator }
    let interval: Duration
    let logger: Logger
    /// How often the loop looks for local writes. The default is 200 ms.
    let pollEvery: Duration

    /// Creates the loop.
    public init(resync: Resync, interval: Duration, logger: Logger, pollEvery: Duration = .milliseconds(200)) {
        self.resync = resync
        self.interval = interval
        self.logger = logger
        self.pollEvery = pollEvery
    }

    /// Runs until graceful shutdown. A round in progress finishes its transaction first.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await loop()
        }
    }

    private func loop() async {
        let clock = ContinuousClock()
        var nextRound = clock.now
        var seenHead: Int64 = -1
        var failures = 0
        var resyncNeeded = (try? await resync.pending()) == true
        var cursorBroken = false
        while !Task.isCancelled {
            let head = (try? await replicator.store.logHead()) ?? seenHead
            if clock.now >= nextRound || (head != seenHead && failures == 0) {
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
                seenHead = (try? await replicator.store.logHead()) ?? head
            }
            do {
                try await Task.sleep(for: pollEvery)
            } catch {
                return
            }
        }
    }
}
