import Foundation
import Testing
import TierSyncTestTraits

/// Real daemons on loopback, written to with the sqlite3 shell, converging as the
/// routing rules say.
@Suite(.serialized, .daemons)
struct ConvergenceTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz", "cn.js", "cn.js.nj"]

    private func startedTree() async throws -> TestTree {
        let tree = try TestTree(Self.ids)
        try await tree.start()
        return tree
    }

    @Test func cityCustomerReachesProvinceAndGroup() async throws {
        let tree = try await startedTree()
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, name, classes, manager, status, scope)
            VALUES ('SZ-1', '深圳市政府', 'important', 'li', 'active', 'cn.gd.sz');
            """)
        for id in ["cn.gd", "cn"] {
            let arrived = try await tree.eventually {
                try SQLiteShell.value(tree.database(id), "SELECT name || '|' || classes FROM customer WHERE id = 'SZ-1'") == "深圳市政府|important"
            }
            #expect(arrived, "customer did not reach \(id): \(tree.log(id))")
        }
        #expect(try SQLiteShell.value(tree.database("cn.gd.gz"), "SELECT count(*) FROM customer") == "0")
    }

    @Test func contactStopsAtProvince() async throws {
        let tree = try await startedTree()
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, name, scope) VALUES ('SZ-2', 'Bank', 'cn.gd.sz');
            INSERT INTO contact(id, customer_id, name, phone, scope) VALUES ('K-1', 'SZ-2', 'Wang', '138', 'cn.gd.sz');
            """)
        let atProvince = try await tree.eventually { try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM contact") == "1" }
        #expect(atProvince)
        // The customer written in the same transaction reaches the group: wait for it, then
        // the contact must still be absent there.
        let customerAtGroup = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer") == "1" }
        #expect(customerAtGroup)
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM contact") == "0")
    }

    @Test func groupProductReachesEveryCity() async throws {
        let tree = try await startedTree()
        try SQLiteShell.run(tree.database("cn"), """
            INSERT INTO product(id, name, category, monthly_fee_fen, status, scope) VALUES ('P-1', '专线 100M', 'line', 880000, 'active', 'cn');
            """)
        for id in Self.ids {
            let arrived = try await tree.eventually {
                try SQLiteShell.value(tree.database(id), "SELECT monthly_fee_fen FROM product WHERE id = 'P-1'") == "880000"
            }
            #expect(arrived, "product did not reach \(id)")
        }
    }

    @Test func groupEditOfCityCustomerReachesCity() async throws {
        let tree = try await startedTree()
        try SQLiteShell.run(tree.database("cn.js.nj"), "INSERT INTO customer(id, name, scope) VALUES ('NJ-1', 'Grid', 'cn.js.nj');")
        let atGroup = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer WHERE id = 'NJ-1'") == "1" }
        #expect(atGroup)
        try SQLiteShell.run(tree.database("cn"), "UPDATE customer SET unified_code = 'BC-42' WHERE id = 'NJ-1';")
        for id in ["cn.js", "cn.js.nj"] {
            let arrived = try await tree.eventually {
                try SQLiteShell.value(tree.database(id), "SELECT unified_code FROM customer WHERE id = 'NJ-1'") == "BC-42"
            }
            #expect(arrived, "group's edit did not reach \(id)")
        }
        // The city's name survives: the edit carried the whole row as the group held it.
        #expect(try SQLiteShell.value(tree.database("cn.js.nj"), "SELECT name FROM customer WHERE id = 'NJ-1'") == "Grid")
    }

    @Test func upsertsAndOrClausesAtACityReachTheGroup() async throws {
        let tree = try await startedTree()
        let city = tree.database("cn.gd.sz")
        try SQLiteShell.run(city, """
            INSERT INTO customer(id, name, scope) VALUES ('SZ-U', 'first', 'cn.gd.sz'), ('SZ-V', 'second', 'cn.gd.sz'), ('SZ-R', 'third', 'cn.gd.sz');
            INSERT INTO revenue VALUES ('SZ-U', '2026-10', 'data', 100, 'cn.gd.sz');
            """)
        let atGroup = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer") == "3" }
        #expect(atGroup, "the plain inserts did not reach the group: \(tree.log("cn.gd.sz"))")
        // Each statement below changes rows already in the change log.
        try SQLiteShell.run(city, """
            INSERT INTO customer(id, name, scope) VALUES ('SZ-U', 'upserted', 'cn.gd.sz') ON CONFLICT(id) DO UPDATE SET name = excluded.name;
            UPDATE OR IGNORE customer SET status = 'vip' WHERE id = 'SZ-V';
            INSERT OR IGNORE INTO customer(id, name, scope) VALUES ('SZ-W', 'fourth', 'cn.gd.sz'), ('SZ-V', 'ignored', 'cn.gd.sz');
            INSERT OR REPLACE INTO customer(id, name, scope) VALUES ('SZ-R', 'replaced', 'cn.gd.sz');
            INSERT INTO revenue VALUES ('SZ-U', '2026-10', 'data', 50, 'cn.gd.sz') ON CONFLICT DO UPDATE SET amount_fen = amount_fen + excluded.amount_fen;
            UPDATE OR REPLACE revenue SET period = '2026-11' WHERE customer_id = 'SZ-U';
            """)
        let query = "SELECT group_concat(id || '=' || name || '/' || coalesce(status, ''), ',') FROM (SELECT * FROM customer ORDER BY id)"
        let revenue = "SELECT group_concat(period || ':' || amount_fen, ',') FROM revenue"
        let expected = try SQLiteShell.value(city, query)
        #expect(expected == "SZ-R=replaced/,SZ-U=upserted/,SZ-V=second/vip,SZ-W=fourth/")
        #expect(try SQLiteShell.value(city, revenue) == "2026-11:150")
        for id in ["cn.gd", "cn"] {
            let arrived = try await tree.eventually {
                try SQLiteShell.value(tree.database(id), query) == expected && SQLiteShell.value(tree.database(id), revenue) == "2026-11:150"
            }
            let held = try SQLiteShell.value(tree.database(id), query)
            #expect(arrived, "\(id) holds \(held): \(tree.log("cn.gd.sz"))")
        }
    }

    @Test func deletePropagatesUpAndDown() async throws {
        let tree = try await startedTree()
        try SQLiteShell.run(tree.database("cn.gd.sz"), "INSERT INTO customer(id, name, scope) VALUES ('SZ-3', 'Port', 'cn.gd.sz');")
        let atGroup = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer WHERE id = 'SZ-3'") == "1" }
        #expect(atGroup)
        try SQLiteShell.run(tree.database("cn.gd.sz"), "DELETE FROM customer WHERE id = 'SZ-3';")
        for id in ["cn.gd", "cn"] {
            let gone = try await tree.eventually { try SQLiteShell.value(tree.database(id), "SELECT count(*) FROM customer WHERE id = 'SZ-3'") == "0" }
            #expect(gone, "delete did not reach \(id)")
        }
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-9', 'Old plan', 'cn');")
        let atCity = try await tree.eventually { try SQLiteShell.value(tree.database("cn.js.nj"), "SELECT count(*) FROM product") == "1" }
        #expect(atCity)
        try SQLiteShell.run(tree.database("cn"), "DELETE FROM product WHERE id = 'P-9';")
        let goneAtCity = try await tree.eventually { try SQLiteShell.value(tree.database("cn.js.nj"), "SELECT count(*) FROM product") == "0" }
        #expect(goneAtCity)
        // The deletions stay in the group's log as entries of deleted rows, which status shows.
        let status = try tree.command(["status", "--config", tree.nodes["cn"]!.config, "--json"])
        let log = (try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])?["log"] as? [String: Any]
        #expect(log?["deleted"] as? Int == 2 && (log?["entries"] as? Int ?? 0) >= 2 && (log?["fileBytes"] as? Int ?? 0) > 0, "\(status.output)")
        #expect(try tree.command(["status", "--config", tree.nodes["cn"]!.config]).output.contains("(2 of deleted rows)"))
    }

    @Test func citiesOfDifferentProvincesNeverSeeEachOther() async throws {
        let tree = try await startedTree()
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, name, scope) VALUES ('SZ-4', 'A', 'cn.gd.sz');
            INSERT INTO revenue VALUES ('SZ-4', '2026-10', 'data', 500000, 'cn.gd.sz');
            INSERT INTO ticket(id, customer_id, scope) VALUES ('T-1', 'SZ-4', 'cn.gd.sz');
            """)
        try SQLiteShell.run(tree.database("cn.js.nj"), """
            INSERT INTO customer(id, name, scope) VALUES ('NJ-4', 'B', 'cn.js.nj');
            INSERT INTO revenue VALUES ('NJ-4', '2026-10', 'data', 700000, 'cn.js.nj');
            """)
        let bothAtGroup = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn"), "SELECT count(*) || '/' || sum(amount_fen) FROM revenue") == "2/1200000"
        }
        #expect(bothAtGroup)
        // Let a few more rounds pass, then check that no row crossed where it must not.
        try await Task.sleep(for: .seconds(1.5))
        #expect(try SQLiteShell.value(tree.database("cn.js.nj"), "SELECT group_concat(id) FROM customer") == "NJ-4")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT group_concat(id) FROM customer") == "SZ-4")
        #expect(try SQLiteShell.value(tree.database("cn.js"), "SELECT group_concat(id) FROM customer") == "NJ-4")
        #expect(try SQLiteShell.value(tree.database("cn.gd.gz"), "SELECT count(*) FROM customer") == "0")
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM ticket") == "0")
        #expect(try SQLiteShell.value(tree.database("cn.js"), "SELECT count(*) FROM revenue") == "1")
    }
}
