import Foundation
import Testing
import TierSyncTestTraits

/// The chaos runner (``ChaosRunner``) as a test: six daemons, writers at every tier,
/// random SIGKILLs, partitions, restarts and network faults; afterwards every node must
/// hold exactly its scope, with equal values and empty queues. `swift test` runs the short
/// run (20 trials); `TIERSYNC_CHAOS_TRIALS`, `TIERSYNC_CHAOS_SECONDS` and
/// `TIERSYNC_CHAOS_SEED` set a longer one, or replay a seed.
@Suite(.serialized, .daemons)
struct ChaosTests {
    @Test func treeSurvivesRandomFaultsWithNothingLostOrDuplicated() async throws {
        let settings = ChaosRunner.Settings.fromEnvironment()
        print("chaos: \(settings)")
        let report = try await ChaosRunner(settings: settings).run()
        print(report)
        // A loaded machine restarts daemons slowly: three quarters of the trials must run.
        #expect(report.trials >= min(settings.trials, 20) * 3 / 4, "only \(report.trials) trials ran within \(Int(settings.seconds)) s; seed \(settings.seed)")
        #expect(report.audit.isClean, "seed \(settings.seed): \(report.audit)")
        #expect(report.audit.rowsLost == 0 && report.audit.rowsDuplicated == 0, "seed \(settings.seed)")
    }
}
