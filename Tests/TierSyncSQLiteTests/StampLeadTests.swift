import Foundation
import Logging
import Testing
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncWire
import TierSyncTestTraits

/// Stamps from a fast clock never reach a node's hybrid clock: a push or a pull answer
/// beyond `limits.stamp_lead` is refused whole, and a change refused for any reason leaves
/// the clock where it was.
@Suite(.ownThread)
struct StampLeadTests {
    static let city = try! NodeID("cn.gd.sz")
    static let logger = Logger(label: "test")

    /// The parent's service, reached in-process as a child's link.
    struct LocalLink: ParentLink {
        let service: ParentService
        func push(_ request: PushRequest) async throws -> PushResponse { try await service.receive(request) }
        func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
            try await service.pull(caller: node, after: after, epoch: epoch, limit: limit)
        }
    }

    /// A customer written at `origin`, `ahead` milliseconds after now, owned by the city.
    private func customer(_ id: String, origin: String = "cn.gd.sz", ahead: Int64) throws -> Change {
        try Change.write(TemporaryDirectory.resolved("customer"),
                         values: [.text(id), .null, .text("name \(id)"), .null, .null, .null, .null, .null, .text("cn.gd.sz")],
                         version: Version(stamp: HybridTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000) + ahead), origin: try NodeID(origin)))
    }

    private func push(_ changes: [Change], through: Int64 = 1) -> PushRequest {
        let schema = TemporaryDirectory.standard
        return PushRequest(node: Self.city.description, after: 0, through: through, columns: WireCoding.columns(for: changes, schema: schema),
                           rules: WireCoding.rules(for: changes, schema: schema), changes: WireCoding.wireChanges(changes, schema: schema))
    }

    @Test func aPushStampedBeyondTheLeadIsRefusedWholeAndTheClockStays() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let service = ParentService(store: province, logger: Self.logger)
        let clock = try await province.clock()
        do {
            _ = try await service.receive(push([try customer("C1", ahead: 0), try customer("C2", ahead: 45_000)]))
            Issue.record("a change stamped 45 s ahead must be refused")
        } catch let SyncError.stampAhead(message) {
            for phrase in ["change [1] to customer", "the write by cn.gd.sz is stamped 4", "at most 30 s is accepted (limits.stamp_lead)",
                           "Fix the clock of cn.gd.sz", "nothing of this batch was applied"] {
                #expect(message.contains(phrase), "'\(phrase)' missing from \(message)")
            }
        }
        #expect(try await province.clock() == clock, "the clock did not move")
        #expect(try await province.rowCounts()["customer"] == 0, "nothing was applied")
        #expect(try await province.logHead() == 0)
        #expect(try await province.peer(Self.city) == nil, "not even the child's position")

        var wider = service
        wider.stampLead = StampLead(seconds: 60)
        let accepted = try await wider.receive(push([try customer("C1", ahead: 0), try customer("C2", ahead: 45_000)]))
        #expect(accepted.outcome.applied == 2, "within a bound of 60 s both apply")
        #expect(try await province.clock() > clock)
    }

    @Test func aRefusedChangeNeverMovesTheClock() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let before = try await province.clock()
        // Within the lead, but claiming a group write the province never saw, or naming the
        // group as the state's source: both refused, and neither may pull the clock along.
        var unseen = try customer("C1", ahead: 20_000)
        unseen.meta.context.record(Version(stamp: HybridTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000) + 25_000), origin: try NodeID("cn")))
        var sourced = try customer("C2", ahead: 22_000)
        sourced.source = try NodeID("cn")
        let outcome = try await province.apply([unseen, sourced], cursor: .pushedBy(child: Self.city, after: 0, through: 2))
        #expect(outcome.rejected.count == 2 && outcome.applied == 0, "\(outcome)")
        #expect(outcome.rejected.map(\.reason).joined().contains("names cn as its source"))
        let after = try await province.clock()
        #expect(after == before, "a refused change moved the clock from \(before) to \(after)")
        #expect(try await province.rejectedCount() == 2)

        let legitimate = try customer("C3", ahead: 10_000)
        _ = try await province.apply([legitimate], cursor: .pushedBy(child: Self.city, after: 2, through: 3))
        #expect(try await province.clock() >= legitimate.version.stamp, "an applied change moves the clock past its stamp")
    }

    @Test func aPullAnswerStampedBeyondTheLeadIsRefusedAtTheChild() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let city = try directory.store("cn.gd.sz")
        // The province holds a write of the group whose clock ran an hour fast: beyond the
        // default bound however long this test waits for a thread on a loaded machine (a
        // full suite has starved it for minutes), within the patient bound below.
        _ = try await province.apply([try customer("G1", origin: "cn", ahead: 3_600_000)], cursor: .none)
        let replicator = ChildReplicator(store: city, link: LocalLink(service: ParentService(store: province, logger: Self.logger)), logger: Self.logger)
        let clock = try await city.clock()
        do {
            _ = try await replicator.round()
            Issue.record("the pull answer must be refused")
        } catch let SyncError.stampAhead(message) {
            for phrase in ["cn.gd's pull answer", "the write by cn is stamped ", "s ahead of this node's wall clock", "at most 30 s is accepted (limits.stamp_lead)", "nothing of the answer was applied"] {
                #expect(message.contains(phrase), "'\(phrase)' missing from \(message)")
            }
        }
        #expect(try await city.clock() == clock, "the city's clock did not move")
        #expect(try await city.rowCounts()["customer"] == 0)
        let parent = try await city.peer(NodeID("cn.gd"))
        #expect(parent?.pulled ?? 0 == 0, "the cursor did not move")
        #expect(parent?.lastError?.contains("limits.stamp_lead") == true, "the failure is recorded for status: \(String(describing: parent?.lastError))")

        var patient = replicator
        patient.stampLead = StampLead(seconds: 7200)
        let report = try await patient.round()
        #expect(report.pulled == 1)
        #expect(try await city.rowCounts()["customer"] == 1)
    }
}
