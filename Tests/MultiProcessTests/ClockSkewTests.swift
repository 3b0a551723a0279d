import Foundation
import Testing
import TierSyncTestTraits

/// Daemons whose clocks are minutes apart (libfaketime, see ``FakeClock``): within the
/// stamp bound every node reaches identical rows, versions and conflict winners; a node
/// further ahead than the bound is refused, moves no clock and stops nobody else.
@Suite(.serialized, .daemons, .enabled(if: FakeClock.usable, "libfaketime is not installed here (apt-get install faketime); CI installs it and runs these tests"))
struct ClockSkewTests {
    /// The group's clock runs this many seconds behind the machine's, the city's as far ahead.
    static let skew = 180

    /// Waits until `query` gives the same non-empty answer at every node in `ids`; returns it.
    private func agreed(_ tree: TestTree, _ query: String, at ids: [String]) async throws -> String {
        var answers: [String: String] = [:]
        let settled = try await tree.eventually(30) {
            answers = Dictionary(uniqueKeysWithValues: try ids.map { ($0, try SQLiteShell.value(tree.database($0), query)) })
            return Set(answers.values).count == 1 && answers[ids[0]] != ""
        }
        #expect(settled, "the nodes disagree on \(query): \(answers)")
        return answers[ids[0]] ?? ""
    }

    /// Each row's version, deletion, causal context and registers at node `id`, in key
    /// order. The base values kept for conflict listings (`b`) are left out: they describe
    /// what each node saw, not the row's state.
    private func rowStates(_ tree: TestTree, _ id: String, table: String) throws -> [String] {
        let rows = try SQLiteShell.value(tree.database(id), "SELECT pk || ' ' || hlc || ' ' || origin || ' ' || deleted || ' ' || meta FROM _ts_log WHERE tbl = '\(table)' ORDER BY pk")
        return try rows.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 4).map(String.init)
            guard parts.count == 5, var meta = try JSONSerialization.jsonObject(with: Data(parts[4].utf8)) as? [String: Any] else {
                throw SQLiteShell.Failure(description: "unreadable log entry at \(id): \(line)")
            }
            meta["b"] = nil
            let normalized = String(decoding: try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys]), as: UTF8.self)
            return parts[0..<4].joined(separator: " ") + " " + normalized
        }
    }

    /// A node's clock (`_ts_node.hlc`) ahead of the machine's wall clock, in seconds.
    private func clockLead(_ tree: TestTree, _ id: String) throws -> Int {
        let millis = Int(try SQLiteShell.value(tree.database(id), "SELECT hlc >> 16 FROM _ts_node")) ?? 0
        return (millis - Int(Date().timeIntervalSince1970 * 1000)) / 1000
    }

    /// The time a node's summary of itself was made, as held by its parent, ahead of the
    /// machine's clock in seconds: the skew of that node's daemon.
    private func summaryLead(_ tree: TestTree, _ id: String) throws -> Int {
        let parent = tree.nodes[id]!.parent!
        let made = Int(try SQLiteShell.value(tree.database(parent), "SELECT json_extract(summary, '$[0].madeAt') FROM _ts_peer WHERE node = '\(id)'")) ?? 0
        return (made - Int(Date().timeIntervalSince1970 * 1000)) / 1000
    }

    /// Skews within the bound. A city minutes ahead and a group minutes behind are 2 × skew
    /// apart, more than the default bound on stamps received: the bound is raised above that
    /// here, as an operator would for such clocks. `limits.clock_skew` bounds signing times
    /// and stamps; `TIERSYNC_LIMITS_STAMP_LEAD` raises the separate bound on stamps where a
    /// TierSync has it, and is ignored where it does not.
    @Test func skewedClocksWithinTheBoundReachIdenticalOutcomesEverywhere() async throws {
        #expect(FakeClock.library != nil && FileManager.default.isExecutableFile(atPath: FakeClock.program), "libfaketime is missing; install Debian's faketime")
        let ids = ["cn", "cn.gd", "cn.gd.sz"]
        let tree = try TestTree(ids, extra: "[limits]\nclock_skew = 900\n")
        let bound = FakeClock.daemonEnvironment.merging(["TIERSYNC_LIMITS_STAMP_LEAD": "900"]) { $1 }
        try await tree.start(["cn"], environment: bound, launcher: FakeClock.launcher(offset: -Self.skew))
        try await tree.start(["cn.gd"], environment: bound)
        try await tree.start(["cn.gd.sz"], environment: bound, launcher: FakeClock.launcher(offset: Self.skew))
        // The applications at the city and at the group share their node's clock.
        func city(_ sql: String) throws { try SQLiteShell.run(tree.database("cn.gd.sz"), sql, environment: FakeClock.environment(offset: Self.skew)) }
        func group(_ sql: String) throws { try SQLiteShell.run(tree.database("cn"), sql, environment: FakeClock.environment(offset: -Self.skew)) }
        try city("""
            INSERT INTO customer(id, name, classes, industry, status, scope) VALUES ('C1', 'Old name', 'potential', 'none', 'new', 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('C3', 'Deleted at the city', 'cn.gd.sz');
            INSERT INTO customer(id, name, industry, scope) VALUES ('C4', 'Edited at city and group', 'none', 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('C5', 'Edited later at the group', 'cn.gd.sz');
            INSERT INTO contact(id, customer_id, name, phone, scope) VALUES ('K1', 'C1', 'Wang', '100', 'cn.gd.sz');
            """)
        _ = try await agreed(tree, "SELECT count(*) FROM customer", at: ids)
        // The daemons really run on their skewed clocks.
        let cityLead = try summaryLead(tree, "cn.gd.sz")
        let provinceLead = try summaryLead(tree, "cn.gd")
        #expect(abs(cityLead - Self.skew) <= 5, "the city's daemon is \(cityLead) s ahead, not \(Self.skew)")
        #expect(abs(provinceLead) <= 5, "the province's daemon is \(provinceLead) s ahead")

        // A later edit at the group, which is behind, supersedes what it has seen from the
        // city, which is ahead: its clock moved past the city's stamps.
        try group("UPDATE customer SET name = 'Fixed at the group' WHERE id = 'C5';")
        let fixed = try await agreed(tree, "SELECT name FROM customer WHERE id = 'C5'", at: ids)
        #expect(fixed == "Fixed at the group")

        // Concurrent edits: the offline city first, then the province and the group, each
        // later in real time but earlier by its stamps than the city's.
        tree.stop("cn.gd.sz")
        try city("""
            UPDATE customer SET name = 'City name', status = 'closed' WHERE id = 'C1';
            DELETE FROM customer WHERE id = 'C3';
            UPDATE customer SET industry = 'city industry' WHERE id = 'C4';
            UPDATE contact SET phone = '111' WHERE id = 'K1';
            """)
        try await Task.sleep(for: .milliseconds(300))
        try SQLiteShell.run(tree.database("cn.gd"), """
            UPDATE customer SET classes = 'important', status = 'active' WHERE id = 'C1';
            UPDATE customer SET industry = 'ports' WHERE id = 'C3';
            UPDATE contact SET phone = '222' WHERE id = 'K1';
            """)
        try await Task.sleep(for: .milliseconds(300))
        try group("""
            UPDATE customer SET unified_code = 'BC-1', industry = 'energy' WHERE id = 'C1';
            UPDATE customer SET industry = 'water' WHERE id = 'C4';
            """)
        try await tree.start(["cn.gd.sz"], environment: bound, launcher: FakeClock.launcher(offset: Self.skew))

        // The rules decide by the stamps, so the city, ahead, wins every lww register it
        // wrote; the tier and owner rules do not look at clocks. The same everywhere.
        let row = "SELECT group_concat(id || '|' || name || '|' || coalesce(unified_code, '') || '|' || coalesce(classes, '') || '|' || coalesce(industry, '') || '|' || coalesce(status, ''), ';') FROM (SELECT * FROM customer ORDER BY id)"
        let rows = try await agreed(tree, row, at: ids)
        #expect(rows == "C1|City name|BC-1|important|energy|closed;C4|Edited at city and group|||city industry|;C5|Fixed at the group||||",
                "unexpected outcome: \(rows)")
        let phone = try await agreed(tree, "SELECT phone FROM contact WHERE id = 'K1'", at: ["cn.gd", "cn.gd.sz"])
        #expect(phone == "111", "the owning city's phone must win")
        // Identical versions, contexts and registers for every row, deleted ones too.
        for (table, holders) in [("customer", ids), ("contact", ["cn.gd", "cn.gd.sz"])] {
            let states = try holders.map { try rowStates(tree, $0, table: table) }
            #expect(Set(states).count == 1, "the nodes' row states of \(table) differ: \(zip(holders, states).map { "\($0): \($1)" })")
        }
        // Every node that recorded a conflict between the same two writes chose the same one.
        var winners: [String: String] = [:]
        for id in ids {
            let records = try SQLiteShell.value(tree.database(id), """
                SELECT tbl || ' ' || pk || ' ' || register || ' ' || min(local_version, remote_version) || ' ' || max(local_version, remote_version)
                  || '=' || CASE winner WHEN 'local' THEN local_version ELSE remote_version END FROM _ts_conflict ORDER BY id
                """)
            for line in records.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if let earlier = winners[parts[0]] {
                    #expect(earlier == parts[1], "\(id) chose \(parts[1]) for \(parts[0]), another node \(earlier)")
                }
                winners[parts[0]] = parts[1]
            }
        }
        #expect(winners.keys.contains { $0.hasPrefix("customer [\"C1\"] status") } && winners.keys.contains { $0.hasPrefix("customer [\"C3\"] (exists)") },
                "the conflicts were not recorded: \(winners)")
        // The bound holds: no node's clock was moved further ahead of its own wall clock
        // than the bound, however far the city's stamps are ahead of the group's.
        #expect(try clockLead(tree, "cn") + Self.skew <= 900)
        #expect(try clockLead(tree, "cn.gd") <= 900)
    }

    /// A node further ahead than the default bound: refused with a message naming its lead,
    /// no parent's clock moves, and its sibling keeps syncing.
    @Test func aNodeAheadOfTheDefaultBoundIsRefusedAndTheRestKeepsSyncing() async throws {
        #expect(FakeClock.library != nil && FileManager.default.isExecutableFile(atPath: FakeClock.program), "libfaketime is missing; install Debian's faketime")
        let lead = 600
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"])
        try await tree.start(["cn", "cn.gd", "cn.gd.gz"])
        try await tree.start(["cn.gd.sz"], environment: FakeClock.daemonEnvironment, launcher: FakeClock.launcher(offset: lead))
        try SQLiteShell.run(tree.database("cn.gd.sz"), "INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'from the future', 'cn.gd.sz');",
                            environment: FakeClock.environment(offset: lead))
        try SQLiteShell.run(tree.database("cn.gd.gz"), "INSERT INTO customer(id, name, scope) VALUES ('GZ-1', 'on time', 'cn.gd.gz');")
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'broadband', 'cn');")

        // The rest of the tree syncs on.
        let sibling = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer WHERE id = 'GZ-1'") == "1" }
        #expect(sibling, "the city on time did not reach the group: \(tree.log("cn.gd.gz"))")
        let catalogue = try await tree.eventually { try SQLiteShell.value(tree.database("cn.gd.gz"), "SELECT count(*) FROM product") == "1" }
        #expect(catalogue, "the group's product did not reach the city on time")

        // The city ahead is refused, and told by how much.
        let lastError = "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'"
        // The error is kept as it is seen: a later successful contact (the held pull) clears it.
        var message = ""
        let refused = try await tree.eventually {
            message = try SQLiteShell.value(tree.database("cn.gd.sz"), lastError)
            return !message.isEmpty
        }
        #expect(refused && Self.namesLead(message, lead), "the refusal must name the clock lead: \(message)")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM customer WHERE id = 'SZ-1'") == "0")
        #expect(try clockLead(tree, "cn.gd") < 5, "the province's clock moved ahead")
        #expect(try clockLead(tree, "cn") < 5, "the group's clock moved ahead")

        // Its clock corrected, the city still holds stamps from the future: its daemon now
        // signs on time, and the stamps themselves are refused, with nothing applied.
        tree.stop("cn.gd.sz")
        try SQLiteShell.run(tree.database("cn.gd.sz"), "UPDATE _ts_peer SET last_error = NULL WHERE node = 'cn.gd';")
        try await tree.start(["cn.gd.sz"])
        var stampMessage = ""
        let stampRefused = try await tree.eventually {
            stampMessage = try SQLiteShell.value(tree.database("cn.gd.sz"), lastError)
            return stampMessage.contains("stamped")
        }
        #expect(stampRefused && Self.namesLead(stampMessage, lead), "the stamps must be refused, naming their lead: \(stampMessage)")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM customer WHERE id = 'SZ-1'") == "0")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM _ts_log WHERE pk = '[\"SZ-1\"]'") == "0")
        #expect(try clockLead(tree, "cn.gd") < 5, "the province's clock moved ahead")
    }

    /// True when `message` speaks of a clock and states a lead of about `lead` seconds: less
    /// the seconds since the write, for a stamp, which on a loaded machine can be minutes.
    private static func namesLead(_ message: String, _ lead: Int) -> Bool {
        let seconds = message.matches(of: #/([0-9]+)(\.[0-9])? s /#).compactMap { Int($0.output.1) }
        return message.contains("clock") && seconds.contains { (lead - 300...lead + 5).contains($0) }
    }
}
