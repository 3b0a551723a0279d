import Foundation
import Logging
import ServiceLifecycle
import TierSyncEngine
import TierSyncStore

/// Purges acknowledged history while the daemon runs (``Retention``): every `every`, the
/// tombstones and eviction records every peer has and the grace period has passed leave
/// the log, a few thousand per transaction. A purge that fails is logged and tried again
/// at the next turn; nothing is lost by a purge that did not happen.
struct RetentionService: Service {
    let store: any ChangeStore
    let retention: Retention
    let every: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: every)
                } catch {
                    return
                }
                do {
                    let outcome = try await retention.purge(store)
                    if outcome.tombstones + outcome.evictionRecords > 0 {
                        logger.info("purged acknowledged history", metadata: [
                            "retention.tombstones": "\(outcome.tombstones)", "retention.evictions": "\(outcome.evictionRecords)",
                            "retention.purged_through": "\(outcome.purgedThrough)",
                        ])
                    }
                } catch {
                    logger.error("cannot purge acknowledged history; it stays and the next turn tries again", metadata: ["retention.error": "\(error)"])
                }
            }
        }
    }
}
