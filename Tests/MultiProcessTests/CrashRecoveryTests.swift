import Foundation
import Testing
import TierSyncTestTraits

/// A daemon killed with SIGKILL in the middle of a sync loses nothing and duplicates
/// nothing once restarted.
@Suite(.serialized, .daemons)
struct CrashRecoveryTests {
    static let rows = 20000

    @Test func provinceKilledMidSyncLosesAndDuplicatesNothing() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"], extra: "[sync]\nbatch = 1000\n")
        try await tree.start(["cn"])
        // Write the city's rows before its daemon and its province run, in one transaction.
        try await tree.start(["cn.gd"])
        tree.stop("cn.gd")
        try await tree.start(["cn.gd.sz"])
        tree.stop("cn.gd.sz")
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(Self.rows))
            INSERT INTO customer(id, name, classes, status, scope)
            SELECT printf('SZ-%06d', i), 'customer ' || i, 'high-value', 'active', 'cn.gd.sz' FROM n;
            """)
        try await tree.start(["cn.gd", "cn.gd.sz"])
        // Kill the province as soon as part of the data has passed through it to the group.
        let partial = try await tree.eventually(60) {
            let count = Int(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer")) ?? 0
            return count > 0
        }
        #expect(partial, "nothing reached the group: \(tree.log("cn.gd"))")
        tree.kill("cn.gd")
        let atKill = Int(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer")) ?? 0
        // Kill the city as well while it is pushing, then bring both back.
        tree.kill("cn.gd.sz")
        try await tree.start(["cn.gd", "cn.gd.sz"])
        let complete = try await tree.eventually(180) {
            try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer") == "\(Self.rows)"
                && SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM customer") == "\(Self.rows)"
        }
        #expect(complete, "not all rows arrived after restart (group had \(atKill) at the kill): \(tree.log("cn.gd"))")
        let digest = "SELECT count(*) || ':' || sum(length(name)) || ':' || sum(CAST(substr(id, 4) AS INTEGER)) FROM customer"
        let city = try SQLiteShell.value(tree.database("cn.gd.sz"), digest)
        #expect(try SQLiteShell.value(tree.database("cn.gd"), digest) == city)
        #expect(try SQLiteShell.value(tree.database("cn"), digest) == city)
        // Each row is logged once at every node: no duplicate entries were created.
        for id in ["cn", "cn.gd", "cn.gd.sz"] {
            #expect(try SQLiteShell.value(tree.database(id), "SELECT count(*) FROM _ts_log WHERE tbl = 'customer'") == "\(Self.rows)")
        }
        // The one-shot command agrees that the city is caught up.
        let sync = try tree.command(["sync", "--config", tree.nodes["cn.gd.sz"]!.config])
        #expect(sync.status == 0, "tiersync sync: \(sync.output)")
    }
}
