import Foundation
import Metrics
import TierSyncStore

/// What the sync engine counts and times, through swift-metrics: whichever backend the
/// process bootstrapped (the daemon's is Prometheus, served at `/metrics`) receives them;
/// without one they cost nothing. Names follow Prometheus conventions.
public enum SyncMetrics {
    /// Where received changes came from: `child` for a push applied here, `parent` for a pull.
    public enum Source: String, Sendable {
        /// A child's push.
        case child
        /// The parent's pull answer.
        case parent
    }

    /// Timed operations, the `operation` label of `tiersync_batch_duration_seconds`.
    public enum Operation: String, Sendable {
        /// A child sending one batch and getting its acknowledgement.
        case push
        /// A child fetching one batch from its parent and applying it.
        case pull
        /// A parent applying one batch a child pushed.
        case receive
    }

    /// Counts changes sent to the parent and acknowledged.
    static func pushed(_ count: Int) {
        Counter(label: "tiersync_changes_pushed_total").increment(by: count)
    }

    /// Counts changes received in pull answers.
    static func pulled(_ count: Int) {
        Counter(label: "tiersync_changes_pulled_total").increment(by: count)
    }

    /// Counts what an apply of received changes did.
    static func applied(_ outcome: ApplyOutcome, from source: Source) {
        let dimensions = [("from", source.rawValue)]
        Counter(label: "tiersync_changes_applied_total", dimensions: dimensions).increment(by: outcome.applied)
        Counter(label: "tiersync_changes_skipped_total", dimensions: dimensions).increment(by: outcome.skipped)
        Counter(label: "tiersync_changes_rejected_total", dimensions: dimensions).increment(by: outcome.rejected.count)
        Counter(label: "tiersync_conflicts_total", dimensions: dimensions).increment(by: outcome.conflicts)
    }

    /// Counts a sync round by its result.
    static func round(succeeded: Bool) {
        Counter(label: "tiersync_sync_rounds_total", dimensions: [("result", succeeded ? "ok" : "failed")]).increment()
    }

    /// Records the time since `start` as one batch of `operation`.
    static func record(_ operation: Operation, since start: ContinuousClock.Instant) {
        Metrics.Timer(label: "tiersync_batch_duration_seconds", dimensions: [("operation", operation.rawValue)])
            .record(duration: ContinuousClock.now - start)
    }

    /// Runs `body` and records its duration as one batch of `operation`, whether it
    /// succeeds or throws.
    static func timed<T>(_ operation: Operation, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { record(operation, since: start) }
        return try await body()
    }
}
