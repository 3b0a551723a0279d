import Foundation
import Testing
import TierSyncTestTraits

/// A node whose database cannot grow keeps what it committed, refuses or holds back with a
/// clear error, does not exit, and resumes by itself once it can write again; nothing is
/// lost and nothing duplicated upstream.
///
/// The disk "fills" through a file-size limit set on the running daemon with util-linux's
/// `prlimit`: every file the daemon writes (database, WAL) stops at the limit and further
/// writes fail with EFBIG, as writes fail with ENOSPC on a full disk. Lifting the limit
/// with `prlimit` again returns the space without a restart. Other processes (the sqlite3
/// shell standing in for the applications) are not limited.
@Suite(.serialized, .daemons)
struct DiskFullTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz"]
    /// Count, total name length and sum of numbers of the customer rows: equal values everywhere.
    static let digest = "SELECT count(*) || ':' || sum(length(name)) || ':' || sum(CAST(substr(id, 4) AS INTEGER)) || ':' || count(DISTINCT name) FROM customer"

    /// Caps the size of every file the daemon of `id` writes at `bytes`, or lifts the cap (nil).
    static func limitFiles(_ tree: TestTree, _ id: String, to bytes: Int?) throws {
        guard let pid = tree.pid(id) else { throw SQLiteShell.Failure(description: "\(id) is not running: \(tree.log(id))") }
        // The soft limit only: a process may raise it again up to the hard limit.
        let limit = (bytes.map(String.init) ?? "unlimited") + ":"
        let result = try TestTree.run(URL(fileURLWithPath: "/usr/bin/prlimit"), ["--pid", "\(pid)", "--fsize=\(limit)"])
        guard result.status == 0 else { throw SQLiteShell.Failure(description: "prlimit --fsize=\(limit) on \(id): \(result.output)") }
    }

    /// The size of the larger of a node's database file and its WAL, now.
    static func fileBytes(_ tree: TestTree, _ id: String) -> Int {
        let path = tree.database(id)
        return [path, path + "-wal"].map { ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int) ?? 0 }.max() ?? 0
    }

    /// Inserts customers `range` at the city, about 1 KB each, in one transaction.
    static func writeCustomers(_ tree: TestTree, _ range: ClosedRange<Int>) throws {
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            WITH RECURSIVE n(i) AS (SELECT \(range.lowerBound) UNION ALL SELECT i + 1 FROM n WHERE i < \(range.upperBound))
            INSERT INTO customer(id, name, classes, status, scope)
            SELECT printf('SZ-%06d', i), 'customer ' || i || ' ' || replace(hex(zeroblob(500)), '00', 'ab'), 'high-value', 'active', 'cn.gd.sz' FROM n;
            """)
    }

    /// A running tree whose first 1000 customers, written at the city, reached the group.
    /// A short interval keeps the retry backoff short (at most 64 intervals).
    static func treeWithFirstCustomers() async throws -> TestTree {
        let tree = try TestTree(ids, interval: 0.1)
        try await tree.start()
        try writeCustomers(tree, 1...1000)
        // Generous: a precondition, not a figure; on a loaded CI machine 1 MB through two hops
        // while the whole suite runs has taken over 30 s.
        let first = try await tree.eventually(120) { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer") == "1000" }
        #expect(first, "the first customers did not reach the group: \(tree.log("cn.gd.sz"))\n\(tree.log("cn.gd"))")
        return tree
    }

    /// Checks that every node holds exactly the city's customers, once, with the same values,
    /// that each is logged once, and that no node refused any of them.
    static func expectConverged(_ tree: TestTree, customers: Int) async throws {
        let city = try SQLiteShell.value(tree.database("cn.gd.sz"), digest)
        for id in ["cn", "cn.gd"] {
            let arrived = try await tree.eventually(120) { try SQLiteShell.value(tree.database(id), digest) == city }
            let held = try SQLiteShell.value(tree.database(id), digest)
            #expect(arrived, "\(id) holds \(held), the city \(city): \(tree.log(id).suffix(3000))")
        }
        for id in ids {
            #expect(try SQLiteShell.value(tree.database(id), "SELECT count(*) FROM customer") == "\(customers)")
            #expect(try SQLiteShell.value(tree.database(id), "SELECT count(*) FROM _ts_log WHERE tbl = 'customer'") == "\(customers)",
                    "\(id) must log each customer once")
            #expect(try SQLiteShell.value(tree.database(id), "SELECT count(*) FROM _ts_rejected") == "0")
            #expect(try SQLiteShell.value(tree.database(id), "PRAGMA integrity_check") == "ok")
        }
    }

    @Test func aProvinceWhoseDiskFillsRefusesPushesWith507AndResumesWhenSpaceReturns() async throws {
        let tree = try await Self.treeWithFirstCustomers()

        // The province's files may not grow any more; the city goes on writing 1 MB.
        try Self.limitFiles(tree, "cn.gd", to: Self.fileBytes(tree, "cn.gd"))
        try Self.writeCustomers(tree, 1001...2000)
        let lastError = "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'"
        let refused = try await tree.eventually { try SQLiteShell.value(tree.database("cn.gd.sz"), lastError).contains("507 insufficient_storage") }
        let message = try SQLiteShell.value(tree.database("cn.gd.sz"), lastError)
        #expect(refused, "the city did not record a 507 from its province: \(message)\n\(tree.log("cn.gd.sz").suffix(3000))")
        #expect(message.contains("no room to write \(tree.database("cn.gd"))") && message.contains("file-size limit") && message.contains("resumes by itself"),
                "the refusal must name the file, the cause and what to do: \(message)")

        // The province runs on, answers, and keeps everything it committed, intact.
        try await Task.sleep(for: .seconds(1))
        #expect(tree.pid("cn.gd") != nil, "the province's daemon exited: \(tree.log("cn.gd").suffix(3000))")
        let held = Int(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM customer")) ?? -1
        #expect(held >= 1000 && held < 2000, "the province holds \(held) customers")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM _ts_log WHERE tbl = 'customer'") == "\(held)")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "PRAGMA integrity_check") == "ok")
        // The city keeps the changes it could not deliver, and says why.
        let status = try tree.command(["status", "--json", "--config", tree.nodes["cn.gd.sz"]!.config])
        #expect(status.output.contains("insufficient_storage") && !status.output.contains("\"backlog\":0,"), "\(status.output)")

        // Space returns: the same daemons converge, with every row exactly once upstream.
        try Self.limitFiles(tree, "cn.gd", to: nil)
        try await Self.expectConverged(tree, customers: 2000)
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), lastError) == "", "the city's error must clear once the province accepts")
    }

    @Test func aCityWhoseDiskFillsKeepsRunningReportsUpwardAndResumes() async throws {
        let tree = try await Self.treeWithFirstCustomers()

        // The city's daemon can no longer write its file. An application writes customers,
        // and the group writes catalogue products that every city must take.
        try Self.limitFiles(tree, "cn.gd.sz", to: Self.fileBytes(tree, "cn.gd.sz"))
        try Self.writeCustomers(tree, 1001...1500)
        try SQLiteShell.run(tree.database("cn"), """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
            INSERT INTO product(id, name, category, scope)
            SELECT printf('P-%04d', i), 'product ' || i || ' ' || replace(hex(zeroblob(400)), '00', 'cd'), 'broadband', 'cn' FROM n;
            """)
        // The province hears of the failure from the city itself, in its subtree summary.
        let summary = "SELECT coalesce(json_extract(summary, '$[0].lastError'), '') FROM _ts_peer WHERE node = 'cn.gd.sz'"
        let reported = try await tree.eventually { try SQLiteShell.value(tree.database("cn.gd"), summary).contains("no room to write") }
        let told = try SQLiteShell.value(tree.database("cn.gd"), summary)
        #expect(reported, "the province was not told: \(told)\n\(tree.log("cn.gd.sz").suffix(3000))")
        #expect(tree.log("cn.gd.sz").contains("no room to write \(tree.database("cn.gd.sz"))"), "the city's log must say it: \(tree.log("cn.gd.sz").suffix(3000))")
        try await Task.sleep(for: .seconds(1))
        #expect(tree.pid("cn.gd.sz") != nil, "the city's daemon exited: \(tree.log("cn.gd.sz").suffix(3000))")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM product") != "1000", "the limit did not hold")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "PRAGMA integrity_check") == "ok")

        // Space returns: the city takes the catalogue and every customer is upstream once.
        try Self.limitFiles(tree, "cn.gd.sz", to: nil)
        let catalogue = try await tree.eventually(120) { try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM product") == "1000" }
        #expect(catalogue, "the city did not take the catalogue: \(tree.log("cn.gd.sz").suffix(3000))")
        try await Self.expectConverged(tree, customers: 1500)
        let cleared = try await tree.eventually { try SQLiteShell.value(tree.database("cn.gd"), summary) == "" }
        #expect(cleared, "the city's reported error must clear once it writes again")
    }
}
