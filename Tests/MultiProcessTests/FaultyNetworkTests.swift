import Foundation
import Testing
import TierSyncTestTraits

/// A bad network between each child and its parent (``FaultProxy``): delays, requests cut
/// mid-body, answers cut or truncated after the parent applied the request, resets. The
/// tree still converges, and no change is lost or applied twice: every node holds exactly
/// its rows (``TreeAudit``), and each parent's count of applied changes is exactly the
/// number of distinct changes its child had, however often a batch was resent.
@Suite(.serialized, .daemons)
struct FaultyNetworkTests {
    /// Each fault is injected this many times on each link before the link passes again.
    static let times = 4

    static let faults: [FaultProxy.Mode] = [
        .delay(milliseconds: 150),
        .cutRequest(afterBytes: 1500),
        .cutResponse(afterBytes: 0),
        .cutResponse(afterBytes: 900),
        .truncateResponse(afterBytes: 900),
        .reset,
    ]

    /// A counter from a node's `/metrics`, 0 when absent.
    static func metric(_ tree: TestTree, _ id: String, _ series: String) throws -> Int {
        let text = try ReportTests.curl([tree.url(id, "/metrics")])
        let line = text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? -1) } ?? 0
    }

    @Test(arguments: faults)
    func treeConvergesThroughAFaultyLink(_ fault: FaultProxy.Mode) async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"], interval: 0.2, extra: "[sync]\nbatch = 50\ntimeout = 10\n", proxied: true)
        // Install the schema everywhere, then write at every tier while the children are down,
        // so that each parent has a known number of changes to receive.
        try await tree.start()
        tree.stop("cn.gd.sz")
        tree.stop("cn.gd")
        var model = ExpectedTree()
        var random = SeededGenerator(seed: 14)
        var workload: [String: [String]] = [:]
        for n in 0..<40 {
            workload["cn", default: []].append(model.write("product", ["'P\(n)'", "'product \(n)'", "'data'", "\(1000 + n)", "'active'", "'cn'"]))
        }
        for n in 0..<10 {
            workload["cn.gd", default: []].append(model.write("marketing_plan", ["'GD-M\(n)'", "'plan \(n)'", "'2026-10'", "\(n * 1000)", "'body'", "'cn.gd'"]))
        }
        for n in 0..<60 {
            let city = "'cn.gd.sz'"
            var statements = [
                model.write("customer", ["'SZ-\(n)'", "NULL", "'customer \(n)'", "'important'", "'finance'", "'li'", "'A'", "'active'", city]),
                model.write("revenue", ["'SZ-\(n)'", "'2026-10'", "'data'", "\(Int.random(in: 1...99999, using: &random))", city]),
            ]
            if n % 3 == 0 {
                statements.append(model.write("contact", ["'K-\(n)'", "'SZ-\(n)'", "'person'", "'138'", "'CIO'", city]))
                statements.append(model.write("ticket", ["'T-\(n)'", "'SZ-\(n)'", "'fault'", "'down'", "'open'", "'2026-10-01'", city]))
            }
            workload["cn.gd.sz", default: []].append(contentsOf: statements)
        }
        for (id, statements) in workload {
            try SQLiteShell.run(tree.database(id), "BEGIN;\n" + statements.joined(separator: "\n") + "\nCOMMIT;")
        }
        for proxy in tree.proxies.values { proxy.set(fault, times: Self.times) }
        try await tree.start(["cn.gd", "cn.gd.sz"])

        var audit = try TreeAudit.audit(tree, against: model)
        let deadline = Date().addingTimeInterval(90)
        while !audit.isClean || tree.proxies.values.contains(where: { $0.mode != .pass }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            audit = try TreeAudit.audit(tree, against: model)
        }
        #expect(audit.isClean, "\(fault): \(audit)\n\(tree.log("cn.gd.sz").suffix(3000))")
        for (child, proxy) in tree.proxies {
            #expect(proxy.faults == Self.times, "\(fault) was injected \(proxy.faults) times on the link of \(child)")
        }
        // Each change was applied once where it arrived: a resent batch is skipped, not applied again.
        let cityChanges = 60 * 2 + 20 * 2
        #expect(try Self.metric(tree, "cn.gd", "tiersync_changes_applied_total{from=\"child\"}") == cityChanges)
        #expect(try Self.metric(tree, "cn", "tiersync_changes_applied_total{from=\"child\"}") == 60 * 2 + 10)
        #expect(try Self.metric(tree, "cn.gd", "tiersync_changes_applied_total{from=\"parent\"}") == 40)
        #expect(try Self.metric(tree, "cn.gd.sz", "tiersync_changes_applied_total{from=\"parent\"}") == 40 + 10)
        if fault == .cutResponse(afterBytes: 0) {
            // The province applied a push whose answer the city never got; the city sent it again.
            #expect(try Self.metric(tree, "cn.gd", "tiersync_changes_skipped_total{from=\"child\"}") > 0)
        }
    }

    /// A push the parent refused a row of, whose answer is lost and which the child sends
    /// again, leaves one entry in each error queue, not one per attempt.
    @Test func aRefusedChangeSentAgainIsQueuedOnce() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"], interval: 0.2, proxied: true)
        try await tree.start()
        tree.stop("cn.gd.sz")
        // Only the group writes the catalogue: the province refuses a product written at a city.
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO product(id, name, scope) VALUES ('P-city', 'not the city''s to write', 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'Port', 'cn.gd.sz');
            """)
        // The city's first three pushes of that batch are applied, and their answers lost.
        let proxy = try #require(tree.proxies["cn.gd.sz"])
        proxy.set(.cutResponse(afterBytes: 0), times: 3)
        try await tree.start(["cn.gd.sz"])
        let through = try await tree.eventually(60) {
            let customers = try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer")
            let refused = try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM _ts_rejected")
            return proxy.mode == .pass && customers == "1" && refused == "1"
        }
        #expect(through, "\(proxy.faults) faults; \(tree.log("cn.gd.sz").suffix(2000))")
        #expect(proxy.faults == 3)
        let queued = "SELECT count(*) || ' ' || group_concat(DISTINCT tbl) FROM _ts_rejected"
        #expect(try SQLiteShell.value(tree.database("cn.gd"), queued) == "1 product")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), queued) == "1 product")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM product") == "0")
    }
}
