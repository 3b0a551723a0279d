import Foundation
import Synchronization
import Testing
import TierSyncTestTraits

/// The pipelined transport between real daemons with `sync.interval` at 60 s: a local write
/// reaches the group through the province without waiting for any interval (the city sees
/// its commit within milliseconds, the province forwards what it applied at once), and a
/// group write reaches a city by the held pulls (long-poll). Each node stamps arrivals with
/// a trigger of the test's own, so the latencies measured are the nodes' own.
@Suite(.serialized, .daemons)
struct PipelineTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz"]
    /// Milliseconds since 1970, in SQL.
    static let nowMillis = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

    /// A sqlite3 shell kept open on a node's file and fed one statement at a time, as a local
    /// application writes: each statement commits on its own.
    final class Writer {
        let process = Process()
        let input = Pipe()

        init(_ database: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = ["-cmd", ".timeout 10000", database]
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func execute(_ sql: String) {
            input.fileHandleForWriting.write(Data((sql + "\n").utf8))
        }

        /// Ends the shell once it has run every statement sent.
        func close() {
            try? input.fileHandleForWriting.close()
            TestTree.awaitExit(process, seconds: 10)
        }
    }

    /// Records, at `database`, when each row of `table` was first inserted there, in `into`.
    static func stamp(_ tree: TestTree, _ id: String, _ table: String, into log: String) throws {
        try SQLiteShell.run(tree.database(id), """
            CREATE TABLE \(log)(id TEXT PRIMARY KEY, at INTEGER NOT NULL);
            CREATE TRIGGER \(log)_at AFTER INSERT ON \(table) BEGIN INSERT OR IGNORE INTO \(log) VALUES (NEW.id, \(nowMillis)); END;
            """)
    }

    /// The times of `log` at a node, by row id.
    static func times(_ tree: TestTree, _ id: String, _ log: String) throws -> [String: Int] {
        var times: [String: Int] = [:]
        for line in try SQLiteShell.run(tree.database(id), "SELECT id || ' ' || at FROM \(log)").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let at = Int(parts[1]) { times[String(parts[0])] = at }
        }
        return times
    }

    /// Writes `count` rows at `rate` per second, one commit each, with `statement(n)`.
    static func write(_ tree: TestTree, at id: String, count: Int, rate: Double, _ statement: (Int) -> String) async throws {
        let writer = try Writer(tree.database(id))
        defer { writer.close() }
        let start = ContinuousClock.now
        for n in 0..<count {
            try await Task.sleep(until: start + .milliseconds(Int(Double(n) * 1000 / rate)), clock: .continuous)
            writer.execute(statement(n))
        }
    }

    /// Latencies in milliseconds from `sent` to `arrived`, sorted; one per row that arrived.
    static func latencies(sent: [String: Int], arrived: [String: Int]) -> [Int] {
        sent.compactMap { id, at in arrived[id].map { $0 - at } }.sorted()
    }

    static func percentile(_ sorted: [Int], _ fraction: Double) -> Int {
        sorted.isEmpty ? -1 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    @Test func writesCrossTheTreeWithoutWaitingForTheInterval() async throws {
        let tree = try TestTree(Self.ids, interval: 60)
        try await tree.start()
        try Self.stamp(tree, "cn.gd.sz", "customer", into: "written")
        try Self.stamp(tree, "cn", "customer", into: "arrived")
        try Self.stamp(tree, "cn", "product", into: "written")
        try Self.stamp(tree, "cn.gd.sz", "product", into: "arrived")
        // Every node has run its first round; the next one by the interval is a minute away.
        try await Task.sleep(for: .seconds(1))

        // Up: 40 customers written at the city, 20 a second, each in its own commit.
        let customers = 40
        try await Self.write(tree, at: "cn.gd.sz", count: customers, rate: 20) {
            "INSERT INTO customer(id, name, scope) VALUES ('SZ-\($0)', 'customer \($0)', 'cn.gd.sz');"
        }
        let up = try await tree.eventually(20) { try Self.times(tree, "cn", "arrived").count == customers }
        let upLatencies = Self.latencies(sent: try Self.times(tree, "cn.gd.sz", "written"), arrived: try Self.times(tree, "cn", "arrived"))
        #expect(up, "the city's writes did not reach the group within 20 s (sync.interval is 60 s): \(upLatencies)\n\(tree.log("cn.gd").suffix(2000))")

        // Down: 20 products written at the group, 10 a second; the city holds a pull at the
        // province, which holds one at the group.
        let products = 20
        try await Self.write(tree, at: "cn", count: products, rate: 10) {
            "INSERT INTO product(id, name, scope) VALUES ('P-\($0)', 'product \($0)', 'cn');"
        }
        let down = try await tree.eventually(20) { try Self.times(tree, "cn.gd.sz", "arrived").count == products }
        let downLatencies = Self.latencies(sent: try Self.times(tree, "cn", "written"), arrived: try Self.times(tree, "cn.gd.sz", "arrived"))
        #expect(down, "the group's writes did not reach the city within 20 s (sync.interval is 60 s): \(downLatencies)\n\(tree.log("cn.gd.sz").suffix(2000))")

        let report = [("city→group", upLatencies), ("group→city", downLatencies)].map { name, latencies in
            "\(name): p50 \(Self.percentile(latencies, 0.5)) ms, p99 \(Self.percentile(latencies, 0.99)) ms, max \(latencies.last ?? -1) ms over \(latencies.count)"
        }
        print("latency through three daemons, sync.interval 60 s: " + report.joined(separator: "; "))
        // Far from the interval, with room for a 2-core machine loaded by the whole suite.
        #expect(Self.percentile(upLatencies, 0.5) < 5000, "\(report)")
        #expect(Self.percentile(downLatencies, 0.5) < 5000, "\(report)")

        // Pulls held for a child, and a child's own held pull, do not delay a stop.
        for id in ["cn.gd.sz", "cn.gd", "cn"] {
            let start = ContinuousClock.now
            tree.stop(id)
            let took = ContinuousClock.now - start
            #expect(took < .seconds(5), "stopping \(id) took \(took)")
        }
    }

    /// A child's rounds started by its commits only push while its held pull is at the
    /// parent, from the first hold on: a pull per write besides the push would double the
    /// requests of every hop and keep the next write waiting behind it. Nothing flows down
    /// here, so the first hold (20 s) outlasts the writes and never answers.
    @Test func roundsStartedByCommitsOnlyPushWhileAPullIsHeld() async throws {
        let tree = try TestTree(["cn", "cn.gd"], interval: 60)
        try await tree.start()
        try Self.stamp(tree, "cn", "marketing_plan", into: "arrived")
        try await Task.sleep(for: .seconds(1))
        let series = #"tiersync_batch_duration_seconds_count{operation="pull"}"#
        let before = try FaultyNetworkTests.metric(tree, "cn.gd", series)
        let writes = 20
        try await Self.write(tree, at: "cn.gd", count: writes, rate: 10) {
            "INSERT INTO marketing_plan(id, title, period, target_fen, body, scope) VALUES ('GD-M\($0)', 'plan \($0)', '2026-10', \($0), 'body', 'cn.gd');"
        }
        let arrived = try await tree.eventually(15) { try Self.times(tree, "cn", "arrived").count == writes }
        #expect(arrived, "the province's writes did not reach the group within 15 s\n\(tree.log("cn.gd").suffix(2000))")
        let pushes = try FaultyNetworkTests.metric(tree, "cn.gd", #"tiersync_batch_duration_seconds_count{operation="push"}"#)
        let pulls = try FaultyNetworkTests.metric(tree, "cn.gd", series) - before
        #expect(pushes >= 2, "the province pushed \(pushes) batches for \(writes) writes made 100 ms apart")
        #expect(pulls <= 1, "the province pulled \(pulls) times in rounds for \(writes) local writes while its held pull waited at the group")
    }

    @Test func pullWaitIsBoundedAndHeld() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let curl = SignedCurl(tree: tree)
        let before = try SignedCurl.fingerprint(tree.database("cn"))
        for (wait, message) in [
            ("31", "wait must be 0 to 30 seconds"),
            ("-1", "wait must be 0 to 30 seconds"),
            ("soon", "wait must be an integer, got 'soon'"),
        ] {
            let answer = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=0&wait=\(wait)", signer: "cn.gd").0
            #expect(answer.status == 400 && answer.body.contains("bad_request") && answer.body.contains(message), "wait=\(wait): \(answer)")
        }
        #expect(try SignedCurl.fingerprint(tree.database("cn")) == before)

        // Nothing for the child: the pull is held for its wait, then answered empty.
        let start = Date()
        let empty = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=0&wait=2", signer: "cn.gd").0
        let held = Date().timeIntervalSince(start)
        #expect(empty.status == 200 && empty.body.contains(#""changes":[]"#), "\(empty)")
        #expect(held >= 1.9 && held < 10, "a pull with wait=2 and nothing to send was held \(held) s")

        // A write at the group answers a held pull at once. The write runs on a thread of its
        // own: a task would wait for a free thread of the test process's pool, which other
        // suites' blocking calls can hold for seconds on a loaded machine.
        let written = Mutex<Date?>(nil)
        let database = tree.database("cn")
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.5)
            _ = try? SQLiteShell.run(database, "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
            written.withLock { $0 = Date() }
        }
        let asked = Date()
        let answered = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=0&wait=15", signer: "cn.gd").0
        let took = Date().timeIntervalSince(asked)
        let afterWrite = written.withLock { $0 }.map { Date().timeIntervalSince($0) }
        #expect(answered.status == 200 && answered.body.contains(#""P-1""#), "\(answered)")
        // Answered soon after the write, before the 15 s wait ran out: the write ended the hold.
        #expect(afterWrite != nil && afterWrite! < 5 && took < 14.5,
                "the held pull answered \(took) s after it was sent, \(afterWrite.map { "\($0) s after the write" } ?? "before the write")")
    }
}
