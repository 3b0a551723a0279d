import Foundation
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits

@Suite(.ownThread)
struct ConflictQueueTests {
    private func customer(credit: String, at origin: String, millis: Int64, after seen: [Change] = []) throws -> Change {
        var change = try Change.write(TemporaryDirectory.resolved("customer"),
                                      values: [.text("C"), .null, .text("Bank"), .null, .null, .null, .text(credit), .null, .text("cn.gd.sz")],
                                      version: Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin)))
        for earlier in seen { change.meta.context = change.meta.context.union(earlier.meta.context) }
        return change
    }

    @Test func aManualConflictIsQueuedAndAResolutionNeverOverwritesALaterWrite() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let city = try customer(credit: "A", at: "cn.gd.sz", millis: 1000)
        let group = try customer(credit: "B", at: "cn", millis: 2000)
        let outcome = try await province.apply([city, group], cursor: .none)
        #expect(outcome.conflicts == 1, "only credit_level differs between the two writes")
        let queued = try #require(try await province.conflicts(all: false, limit: 10).first)
        #expect(queued.register == "credit_level" && queued.status == .open && queued.rule == "manual")
        #expect(queued.localValues == [.text("A")] && queued.remoteValues == [.text("B")] && queued.winner == "remote")
        #expect(try await province.openConflictCount() == 1)

        // The city writes again after seeing both: its write supersedes the conflict.
        let later = try customer(credit: "AA", at: "cn.gd.sz", millis: 3000, after: [city, group])
        _ = try await province.apply([later], cursor: .none)
        await #expect(throws: StoreError.self) { try await province.resolveConflict(id: queued.id, keep: .local) }
        let values = try await province.allChanges().first?.values
        #expect(values?[6] == .text("AA"), "the resolution must not overwrite the later write")
        #expect(try await province.conflicts(all: true, limit: 10).first?.status == .resolved)
        #expect(try await province.openConflictCount() == 0)
    }
}
