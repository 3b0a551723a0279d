import Testing
import TierSyncTesting
import TierSyncTestTraits

/// The SQLite backend against the store conformance suite, one result per check.
@Suite(.ownThread)
struct StoreConformanceTests {
    @Test(arguments: StoreConformance.names)
    func sqliteKeepsThePromise(_ check: String) async throws {
        try await StoreConformance { try SQLiteTestBackend() }.check(named: check)
    }
}
