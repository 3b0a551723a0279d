import Foundation
import Testing
import TierSyncTestTraits

/// Concurrent edits made while a city is offline, decided by the default schema's rules
/// once it comes back, through real daemons.
@Suite(.serialized, .daemons)
struct ConflictRuleTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz"]

    /// Starts the tree, writes `base` at the city, waits until `ready` holds at the group
    /// and the province, then stops the city's daemon.
    private func offlineCity(base: String, ready: String) async throws -> TestTree {
        let tree = try TestTree(Self.ids)
        try await tree.start()
        try SQLiteShell.run(tree.database("cn.gd.sz"), base)
        for id in ["cn", "cn.gd"] {
            let arrived = try await tree.eventually { try SQLiteShell.value(tree.database(id), ready) == "1" }
            #expect(arrived, "the base rows did not reach \(id): \(tree.log(id))")
        }
        tree.stop("cn.gd.sz")
        return tree
    }

    /// Waits until `query` gives `expected` at every node in `ids`.
    private func expectEverywhere(_ tree: TestTree, _ query: String, _ expected: String, at ids: [String] = ids) async throws {
        for id in ids {
            let settled = try await tree.eventually { try SQLiteShell.value(tree.database(id), query) == expected }
            let found = try SQLiteShell.value(tree.database(id), query)
            #expect(settled, "\(id): \(query) gave \(found), expected \(expected)")
        }
    }

    @Test func rulesDecideConcurrentEdits() async throws {
        let tree = try await offlineCity(base: """
            INSERT INTO customer(id, name, classes, status, scope) VALUES ('C1', 'Old name', 'potential', 'new', 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('C3', 'Deleted later', 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('C4', 'Updated later', 'cn.gd.sz');
            INSERT INTO contact(id, customer_id, name, phone, scope) VALUES ('K1', 'C1', 'Wang', '100', 'cn.gd.sz');
            """, ready: "SELECT count(*) = 3 FROM customer")
        // Earlier writes above: the province corrects the class and the status, and updates
        // a customer the city will delete later; the group assigns the unified code.
        try SQLiteShell.run(tree.database("cn.gd"), """
            UPDATE customer SET classes = 'important', status = 'active' WHERE id = 'C1';
            UPDATE customer SET industry = 'ports' WHERE id = 'C3';
            """)
        try SQLiteShell.run(tree.database("cn"), "UPDATE customer SET unified_code = 'BC-1' WHERE id = 'C1';")
        // The offline city writes after them, and the city deletes C4 before the province's
        // later update of it.
        try SQLiteShell.run(tree.database("cn.gd.sz"), "DELETE FROM customer WHERE id = 'C4';")
        try await Task.sleep(for: .milliseconds(50))
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            UPDATE customer SET name = 'New name', classes = 'commercial', status = 'closed' WHERE id = 'C1';
            DELETE FROM customer WHERE id = 'C3';
            UPDATE contact SET phone = '111' WHERE id = 'K1';
            """)
        try await Task.sleep(for: .milliseconds(50))
        // Later than the city's writes: the province's phone edit, and its update of C4.
        try SQLiteShell.run(tree.database("cn.gd"), """
            UPDATE contact SET phone = '222' WHERE id = 'K1';
            UPDATE customer SET industry = 'grid' WHERE id = 'C4';
            """)
        try await tree.start(["cn.gd.sz"])

        // merge: the city's name and the group's code survive side by side; tier: the
        // province's class beats the city's later one; lww column: the city's later status.
        try await expectEverywhere(tree, "SELECT name || '|' || unified_code || '|' || classes || '|' || status FROM customer WHERE id = 'C1'",
                                   "New name|BC-1|important|closed")
        // owner: the city that owns the contact wins over the province's later edit.
        try await expectEverywhere(tree, "SELECT phone FROM contact WHERE id = 'K1'", "111", at: ["cn.gd", "cn.gd.sz"])
        // delete = later: the later delete removes C3; the later update brings C4 back.
        try await expectEverywhere(tree, "SELECT count(*) FROM customer WHERE id = 'C3'", "0")
        try await expectEverywhere(tree, "SELECT name || '|' || industry FROM customer WHERE id = 'C4'", "Updated later|grid")
        // Every decision is in the listing where it was made.
        let listed = try tree.command(["conflicts", "list", "--json", "--config", tree.nodes["cn.gd"]!.config])
        #expect(listed.status == 0, "\(listed.output)")
        for register in ["\"register\":\"classes\"", "\"register\":\"(exists)\"", "\"rule\":\"owner\""] {
            #expect(listed.output.contains(register), "\(register) missing from \(listed.output)")
        }
    }

    @Test func aManualConflictWaitsForAnOperatorAndTheChoicePropagates() async throws {
        let tree = try await offlineCity(
            base: "INSERT INTO customer(id, name, credit_level, scope) VALUES ('C2', 'Bank', 'B', 'cn.gd.sz');",
            ready: "SELECT count(*) FROM customer WHERE credit_level = 'B'")
        try SQLiteShell.run(tree.database("cn.gd.sz"), "UPDATE customer SET credit_level = 'A' WHERE id = 'C2';")
        try await Task.sleep(for: .milliseconds(50))
        try SQLiteShell.run(tree.database("cn.gd"), "UPDATE customer SET credit_level = 'C' WHERE id = 'C2';")
        try await tree.start(["cn.gd.sz"])
        // The interim winner is the later write, everywhere.
        try await expectEverywhere(tree, "SELECT credit_level FROM customer WHERE id = 'C2'", "C")
        let province = tree.nodes["cn.gd"]!.config
        let listed = try tree.command(["conflicts", "list", "--config", province])
        #expect(listed.status == 0 && listed.output.contains("OPEN"), "\(listed.output)")
        #expect(listed.output.contains("column credit_level") && listed.output.contains("'A'") && listed.output.contains("'C'") && listed.output.contains("'B'"),
                "the listing must show local, remote and base values: \(listed.output)")
        let status = try tree.command(["status", "--json", "--config", province])
        #expect(status.output.contains("\"openConflicts\":1"), "\(status.output)")
        guard let id = listed.output.split(separator: " ").first.map({ $0.dropFirst() }).flatMap({ Int($0) }) else {
            Issue.record("no conflict id in \(listed.output)")
            return
        }
        // The operator keeps the city's value: it becomes a new write that reaches every node.
        let resolved = try tree.command(["conflicts", "resolve", "\(id)", "--keep", "remote", "--config", province])
        #expect(resolved.status == 0, "\(resolved.output)")
        try await expectEverywhere(tree, "SELECT credit_level FROM customer WHERE id = 'C2'", "A")
        let after = try tree.command(["status", "--json", "--config", province])
        #expect(after.output.contains("\"openConflicts\":0"), "\(after.output)")
        let again = try tree.command(["conflicts", "resolve", "\(id)", "--keep", "local", "--config", province])
        #expect(again.status != 0 && again.output.contains("resolved already"), "\(again.output)")
        let missing = try tree.command(["conflicts", "resolve", "999", "--keep", "local", "--config", province])
        #expect(missing.status != 0 && missing.output.contains("no conflict 999"), "\(missing.output)")
    }
}
