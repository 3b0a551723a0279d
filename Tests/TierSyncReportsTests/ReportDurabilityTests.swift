import Testing
import TierSyncReports
import TierSyncSQLite

/// The aggregates commit with the same durability as the store (`DurableConnection`).
struct ReportDurabilityTests {
    @Test func theReportsCommitWithASyncOnEveryCommit() async throws {
        let fixture = try await ReportFixture(node: "cn")
        let settings = try await fixture.reports.writerSettings()
        #expect(settings.survivesPowerLoss, "\(settings)")
    }
}
