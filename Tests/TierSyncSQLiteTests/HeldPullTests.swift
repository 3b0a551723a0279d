import Foundation
import GRDB
import Testing
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncWire
import TierSyncTestTraits

/// The pipelined transport in process, over real SQLite files: pulls held at the parent
/// (long-poll), the child applying what a held pull brings, the commit watcher, and the
/// push position written once per round.
@Suite(.serialized, .ownThread)
struct HeldPullTests {
    /// A link to a parent service in this process that holds pulls as the HTTP link does;
    /// `gate`, when set, holds each answer of a held pull back until the test opens it;
    /// `answered` hears of each answer as the parent gives it, before the gate.
    struct HoldingLink: ParentLink {
        let service: ParentService
        var gate: AsyncStream<Void>?
        var answered: AsyncStream<Void>.Continuation?

        func push(_ request: PushRequest) async throws -> PushResponse { try await service.receive(request) }

        func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
            try await service.pull(caller: node, after: after, epoch: epoch, limit: limit)
        }

        func pull(node: String, after: Int64, epoch: String?, limit: Int, wait: Int) async throws -> PullResponse {
            let answer = try await service.pull(caller: node, after: after, epoch: epoch, limit: limit, wait: .seconds(wait))
            answered?.yield()
            if let gate { for await _ in gate { break } }
            return answer
        }

        var holdsPulls: Bool { true }
    }

    /// A province and one of its cities, each in its own file.
    final class Pair: @unchecked Sendable {
        let directory: TemporaryDirectory
        let province: SQLiteStore
        let city: SQLiteStore
        let notifier = LogNotifier()
        let service: ParentService
        let provinceApp: DatabaseQueue
        let cityApp: DatabaseQueue

        init() throws {
            directory = try TemporaryDirectory()
            province = try directory.store("cn.gd")
            city = try directory.store("cn.gd.sz")
            service = ParentService(store: province, notifier: notifier, logger: InProcessLink.quiet)
            provinceApp = try directory.application("cn.gd")
            cityApp = try directory.application("cn.gd.sz")
        }

        func replicator(batchSize: Int = 5000, gate: AsyncStream<Void>? = nil, answered: AsyncStream<Void>.Continuation? = nil) -> ChildReplicator {
            ChildReplicator(store: city, link: HoldingLink(service: service, gate: gate, answered: answered), batchSize: batchSize, logger: InProcessLink.quiet)
        }

        /// A marketing plan written at the province, which flows down to its cities.
        func writePlan(_ id: String) async throws {
            try await provinceApp.write { try $0.execute(sql: "INSERT INTO marketing_plan(id, title, scope) VALUES (?, 'plan', 'cn.gd')", arguments: [id]) }
        }

        func count(_ db: DatabaseQueue, _ sql: String) async throws -> Int {
            try await db.read { try Int.fetchOne($0, sql: sql) ?? 0 }
        }
    }

    @Test func aHeldPullAnswersWhenTheParentLogMovesWithSomethingForTheChild() async throws {
        let pair = try Pair()
        let start = ContinuousClock.now
        let held = Task { try await pair.service.pull(caller: "cn.gd.sz", after: 0, epoch: nil, limit: 100, wait: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(300))
        try await pair.writePlan("GD-1")
        pair.notifier.signal()
        let answer = try await held.value
        let waited = LogNotifierTests.seconds(since: start)
        let head = try await pair.province.logHead()
        // Without the signal the pull would end empty at its deadline.
        #expect(answer.changes.count == 1 && answer.through == head, "\(answer)")
        #expect(waited >= 0.25, "the pull must be held until the write; it took \(waited) s")
    }

    @Test func aHeldPullKeepsWaitingThroughEntriesNotForTheChildAndEndsEmpty() async throws {
        let pair = try Pair()
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'Port', 'cn.gd.sz')") }
        let start = ContinuousClock.now
        let held = Task { try await pair.service.pull(caller: "cn.gd.sz", after: 0, epoch: nil, limit: 100, wait: .seconds(6)) }
        try await Task.sleep(for: .milliseconds(200))
        // The city's own customer moves the province's log (and signals), but is not sent back.
        let round = try await pair.replicator().round()
        #expect(round.pushed == 1)
        let answer = try await held.value
        let waited = LogNotifierTests.seconds(since: start)
        #expect(answer.changes.isEmpty && !answer.more, "\(answer)")
        let head = try await pair.province.logHead()
        #expect(answer.through == head, "the empty answer passes what was not for the child")
        #expect(waited >= 5.9, "the pull must be held for its whole wait; it took \(waited) s")
    }

    @Test func aWaitBeyondTheLimitIsRefused() async throws {
        let pair = try Pair()
        for wait in [Duration.seconds(31), .seconds(-1)] {
            await #expect(throws: SyncError.self) {
                _ = try await pair.service.pull(caller: "cn.gd.sz", after: 0, epoch: nil, limit: 100, wait: wait)
            }
        }
    }

    @Test func theChildAppliesWhatItsHeldPullBrings() async throws {
        let pair = try Pair()
        let replicator = pair.replicator()
        _ = try await replicator.round()
        let held = Task { try await replicator.awaitParent(wait: 30) }
        try await Task.sleep(for: .milliseconds(300))
        try await pair.writePlan("GD-1")
        pair.notifier.signal()
        let result = try await held.value
        #expect(result.applied && result.pulled == 1 && !result.needsRound, "\(result)")
        #expect(try await pair.count(pair.cityApp, "SELECT count(*) FROM marketing_plan") == 1)
        let head = try await pair.province.logHead()
        #expect(try await pair.city.peer(try NodeID("cn.gd"))?.pulled == head)
    }

    @Test func aHeldAnswerThatARoundPassedIsDroppedAndTheCursorStays() async throws {
        let pair = try Pair()
        _ = try await pair.replicator().round()
        try await pair.writePlan("GD-1")
        // The held pull's answer (GD-1) is held back while a round pulls GD-1 and GD-2.
        let (gate, open) = AsyncStream<Void>.makeStream()
        let (answers, answered) = AsyncStream<Void>.makeStream()
        let held = Task { try await pair.replicator(gate: gate, answered: answered).awaitParent(wait: 1) }
        // The held pull has its answer (GD-1) before GD-2 is written.
        for await _ in answers { break }
        try await pair.writePlan("GD-2")
        _ = try await pair.replicator().round()
        let cursor = try await pair.city.peer(try NodeID("cn.gd"))?.pulled
        open.yield()
        let result = try await held.value
        #expect(!result.applied, "an answer the cursor has passed must not be applied: \(result)")
        #expect(try await pair.city.peer(try NodeID("cn.gd"))?.pulled == cursor, "the cursor must not go back")
        #expect(try await pair.count(pair.cityApp, "SELECT count(*) FROM marketing_plan") == 2)
    }

    @Test func aRoundWritesThePushPositionOnceNotPerBatch() async throws {
        let pair = try Pair()
        try await pair.cityApp.write { db in
            try db.execute(sql: "CREATE TABLE pushed_written(pushed INTEGER)")
            try db.execute(sql: "CREATE TRIGGER pushed_written AFTER UPDATE OF pushed ON _ts_peer BEGIN INSERT INTO pushed_written VALUES (NEW.pushed); END")
            for n in 0..<50 {
                try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES (?, 'c', 'cn.gd.sz')", arguments: ["SZ-\(n)"])
            }
        }
        let round = try await pair.replicator(batchSize: 10).round()
        #expect(round.pushed == 50)
        let head = try await pair.city.logHead()
        let written = try await pair.cityApp.read { try Int64.fetchAll($0, sql: "SELECT pushed FROM pushed_written") }
        #expect(written == [head], "five batches, one write of the push position: \(written)")

        // A node stopped before that write sends the batches again; the parent skips them.
        try await pair.city.recordContact(with: try NodeID("cn.gd"), role: .parent, pushed: 0, pulled: nil, error: nil)
        let again = try await pair.replicator(batchSize: 10).round()
        #expect(again.pushed == 50 && again.rejected == 0)
        #expect(try await pair.count(pair.provinceApp, "SELECT count(*) FROM customer") == 50)
        #expect(try await pair.city.peer(try NodeID("cn.gd"))?.pushed == head)
        #expect(try await pair.province.peer(try NodeID("cn.gd.sz"))?.pushed == head)
    }

    @Test func theCommitWatcherSeesAnotherConnectionsCommit() async throws {
        let pair = try Pair()
        let watcher = try CommitWatcher(path: pair.city.path)
        defer { watcher.close() }
        let commits = AsyncStream<Void>.makeStream()
        // Read before the commit: the watch may begin after it, on a loaded machine.
        let before = try watcher.dataVersion()
        let watching = Task { await watcher.watch(every: .milliseconds(5), since: before) { commits.continuation.yield() } }
        defer { watching.cancel() }
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'Port', 'cn.gd.sz')") }
        let seen = Task {
            for await _ in commits.stream { return true }
            return false
        }
        let timeout = Task {
            try? await Task.sleep(for: .seconds(120))
            seen.cancel()
        }
        defer { timeout.cancel() }
        #expect(await seen.value, "the commit was not noticed within 120 s")
    }

    /// A child removed (`tiersync children remove`) while a pull of it was held stays
    /// removed when that pull ends: the answer records nothing for a child that is gone.
    @Test func aChildRemovedWhileItsPullIsHeldStaysRemoved() async throws {
        let pair = try Pair()
        let child = try NodeID("cn.gd.sz")
        let held = Task { try await pair.service.pull(caller: "cn.gd.sz", after: 0, epoch: nil, limit: 100, wait: .seconds(2)) }
        // The pull records the child when it comes in, then waits.
        let deadline = ContinuousClock.now + .seconds(60)
        while try await pair.province.peer(child) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await pair.province.removeChild(child) != nil, "the held pull did not record the child")
        try await pair.writePlan("GD-1")
        pair.notifier.signal()
        let answer = try await held.value
        #expect(answer.changes.count == 1, "\(answer)")
        #expect(try await pair.province.peer(child) == nil, "the end of the held pull recorded the removed child again")
    }
}
