import Foundation
import Testing
import TierSyncModel
import TierSyncReports
import TierSyncStore

/// The aggregates the triggers keep must equal those built from the rows, after any mix of
/// writes: by an application at the group, and by a province's changes applied through the
/// sync path (upserts, deletes, evictions).
@Suite struct AggregateConsistencyTests {
    /// A seeded xorshift generator, so a failing seed can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    static let cities = ["cn.gd.sz", "cn.gd.gz", "cn.gd"]
    static let industries = ["'finance'", "'energy'", "NULL", "'retail'"]
    static let classes = ["'high-value'", "'high-value,group'", "' group , high-value,,'", "NULL", "'important'"]
    static let codes = ["'BC-1'", "'BC-2'", "NULL"]

    /// One random write to customer or revenue, in SQL, on rows owned by `scopes`. With
    /// `clauses`, a third of the writes are upserts or carry an `OR` conflict clause.
    static func randomWrite(_ random: inout Seeded, scopes: [String], clauses: Bool = false) -> String {
        func pick(_ values: [String]) -> String { values[Int(random.next() % UInt64(values.count))] }
        let customer = "'C\(random.next() % 8)'"
        let other = "'C\(random.next() % 8)'"
        let scope = "'\(pick(scopes))'"
        let period = "'2026-0\(1 + random.next() % 3)'"
        let category = "'\(pick(["data", "voice"]))'"
        let line = "customer_id = \(customer) AND period = \(period) AND category = \(category)"
        if clauses, random.next() % 3 == 0 {
            let customerValues = "(\(customer), \(pick(codes)), 'n', \(pick(classes)), \(pick(industries)), \(scope))"
            let revenueValues = "(\(customer), \(period), \(category), \(random.next() % 1000), \(scope))"
            return pick([
                "INSERT OR REPLACE INTO customer(id, unified_code, name, classes, industry, scope) VALUES \(customerValues)",
                "INSERT OR IGNORE INTO customer(id, unified_code, name, classes, industry, scope) VALUES \(customerValues)",
                "INSERT INTO customer(id, unified_code, name, classes, industry, scope) VALUES \(customerValues) ON CONFLICT(id) DO UPDATE SET classes = excluded.classes, industry = excluded.industry",
                "UPDATE OR REPLACE customer SET id = \(other) WHERE id = \(customer)",
                "REPLACE INTO revenue VALUES \(revenueValues)",
                "INSERT OR IGNORE INTO revenue VALUES \(revenueValues)",
                "INSERT INTO revenue VALUES \(revenueValues) ON CONFLICT DO UPDATE SET amount_fen = amount_fen + excluded.amount_fen",
                "UPDATE OR REPLACE revenue SET period = \(period), scope = \(scope) WHERE customer_id = \(customer)",
                "UPDATE OR IGNORE revenue SET category = \(category) WHERE customer_id = \(other)",
            ])
        }
        switch random.next() % 9 {
        case 0, 1:
            return """
                INSERT INTO customer(id, unified_code, name, classes, industry, scope)
                  SELECT \(customer), \(pick(codes)), 'n', \(pick(classes)), \(pick(industries)), \(scope)
                  WHERE NOT EXISTS (SELECT 1 FROM customer WHERE id = \(customer))
                """
        case 2:
            return "UPDATE customer SET industry = \(pick(industries)), classes = \(pick(classes)) WHERE id = \(customer)"
        case 3:
            return "UPDATE customer SET unified_code = \(pick(codes)), scope = \(scope) WHERE id = \(customer)"
        case 4:
            return random.next() % 2 == 0
                ? "DELETE FROM customer WHERE id = \(customer)"
                : "UPDATE customer SET id = \(other) WHERE id = \(customer) AND NOT EXISTS (SELECT 1 FROM customer WHERE id = \(other))"
        case 5, 6:
            return """
                INSERT INTO revenue SELECT \(customer), \(period), \(category), \(random.next() % 1000), \(scope)
                  WHERE NOT EXISTS (SELECT 1 FROM revenue WHERE \(line))
                """
        case 7:
            return "UPDATE revenue SET amount_fen = \(random.next() % 1000) WHERE customer_id = \(customer)"
        default:
            return random.next() % 2 == 0
                ? "DELETE FROM revenue WHERE customer_id = \(customer) AND period = \(period)"
                : """
                    UPDATE revenue SET customer_id = \(other), scope = \(scope) WHERE \(line)
                      AND NOT EXISTS (SELECT 1 FROM revenue WHERE customer_id = \(other) AND period = \(period) AND category = \(category))
                    """
        }
    }

    @Test(arguments: 1...12)
    func triggersKeepWhatARebuildFinds(seed: UInt64) async throws {
        try await checkAggregates(seed: seed, clauses: false)
    }

    @Test(arguments: 101...106)
    func triggersKeepWhatARebuildFindsUnderConflictClauses(seed: UInt64) async throws {
        try await checkAggregates(seed: seed, clauses: true)
    }

    /// Writes at a group and a province for twelve rounds, pushing the province's changes
    /// to the group, then compares the aggregates the triggers kept with a rebuild.
    private func checkAggregates(seed: UInt64, clauses: Bool) async throws {
        var random = Seeded(state: seed &* 0x9E37_79B9_7F4A_7C15)
        let group = try await ReportFixture(node: "cn")
        let province = try await ReportFixture(node: "cn.gd")
        var pushed: Int64 = 0
        for _ in 0..<12 {
            var groupWrites: [String] = []
            var provinceWrites: [String] = []
            for _ in 0..<6 {
                groupWrites.append(Self.randomWrite(&random, scopes: ["cn.js.nj", "cn.js"], clauses: clauses))
                provinceWrites.append(Self.randomWrite(&random, scopes: Self.cities, clauses: clauses))
            }
            try await group.write(groupWrites.joined(separator: ";\n"))
            try await province.write(provinceWrites.joined(separator: ";\n"))
            let batch = try await province.store.changes(after: pushed, limit: 10_000, scanLimit: 10_000, selecting: .everything)
            let outcome = try await group.store.apply(batch.changes, cursor: .pushedBy(child: try NodeID("cn.gd"), after: pushed, through: batch.scannedThrough))
            #expect(outcome.rejected.isEmpty, "seed \(seed): \(outcome.rejected)")
            pushed = batch.scannedThrough
        }
        for fixture in [group, province] {
            let kept = try await fixture.aggregates()
            #expect(kept.values.contains { !$0.isEmpty }, "seed \(seed): the writes left no figures; the test proves nothing")
            try await fixture.rebuild()
            let built = try await fixture.aggregates()
            for table in built.keys.sorted() {
                #expect(kept[table] == built[table], "seed \(seed), \(fixture.store.node), \(table): kept by triggers \(kept[table] ?? []) but built \(built[table] ?? [])")
            }
        }
    }
}
