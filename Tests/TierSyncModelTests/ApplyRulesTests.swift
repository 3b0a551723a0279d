import Testing
import TierSyncModel

/// What a received change or eviction makes of a row, decided without a store.
struct ApplyRulesTests {
    private let table = TableSchema(name: "t", createSQL: "", concentration: .group, conflict: .lww,
                                    columns: ["id", "a", "scope"], keyColumns: ["id"])
    private let province = try! NodeID("cn.gd")
    private let city = try! NodeID("cn.gd.sz")

    private var schema: SyncSchema { try! SyncSchema(tables: [table]) }

    private func write(_ value: String, scope: String = "cn.gd.sz", at origin: String = "cn.gd.sz", millis: Int64) throws -> Change {
        try Change.write(table, values: [.text("k"), .text(value), .text(scope)],
                         version: Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin)))
    }

    private func decide(_ rules: ApplyRules, _ change: Change, local: ApplyRules.Local) throws -> ApplyRules.Decision {
        let (table, admitted) = try rules.admit(change)
        return try rules.decide(admitted, table: table, local: local, evicted: { nil }, localValues: { nil })
    }

    @Test func aNewRowIsWrittenAndHeldOnlyWhereItsScopeIsHeld() throws {
        let change = try write("v", millis: 1000)
        guard case let .write(atProvince) = try decide(ApplyRules(schema: schema, node: province, authority: city), change, local: .none) else {
            Issue.record("a new row is written")
            return
        }
        #expect(atProvince.held && !atProvince.evicted && atProvince.left.isEmpty && atProvince.conflicts.isEmpty)
        #expect(atProvince.state.source == city, "a new row keeps its sender's source")
        guard case let .write(elsewhere) = try decide(ApplyRules(schema: schema, node: try NodeID("cn.js")), change, local: .none) else {
            Issue.record("a row outside the node's scope is still logged")
            return
        }
        #expect(!elsewhere.held && elsewhere.evicted)
    }

    @Test func aChangeTheNodeHasSupersededChangesNothing() throws {
        let rules = ApplyRules(schema: schema, node: province)
        let newer = try write("new", millis: 2000)
        let older = try write("old", millis: 1000)
        guard case let .skip(context) = try decide(rules, older, local: .state(newer)) else {
            Issue.record("an older state is skipped")
            return
        }
        #expect(context == nil, "the newer state has seen the older write: the entry's context does not change")
        guard case let .write(taken) = try decide(rules, newer, local: .state(older)) else {
            Issue.record("a newer state is written")
            return
        }
        #expect(taken.state.version == newer.version)
    }

    @Test func aMoveLeavesTheOldScopeForAnEviction() throws {
        let rules = ApplyRules(schema: schema, node: province)
        let before = try write("v", millis: 1000)
        let moved = try write("v", scope: "cn.gd.gz", millis: 2000)
        guard case let .write(written) = try decide(rules, moved, local: .state(before)) else {
            Issue.record("the move is written")
            return
        }
        #expect(written.left == [city])
        #expect(written.held)
    }

    @Test func refusalsNameWhatIsWrongAndDecideNothing() throws {
        let rules = ApplyRules(schema: schema, node: province, authority: city)
        var unknown = try write("v", millis: 1000)
        unknown.table = "missing"
        #expect(throws: ApplyRules.Refusal("unknown table missing; this node syncs t")) { try rules.admit(unknown) }

        let forged = try write("v", at: "cn", millis: 1000)
        #expect { try decide(rules, forged, local: .none) } throws: { error in
            "\(error)".contains("outside cn.gd.sz's subtree")
        }
        #expect(throws: ApplyRules.Refusal.self) { try decide(rules, try write("v", millis: 1000), local: .unreadable) }
    }

    @Test func anEvictionDropsOnlyARowWhoseWritesTheParentHasSeen() throws {
        let rules = ApplyRules(schema: schema, node: city)
        let local = try write("v", millis: 1000)
        let seen = Eviction(table: "t", key: [.text("k")], scope: city, context: local.meta.context, source: province)
        #expect(try rules.decide(seen, local: .state(local)) == .drop(context: local.meta.context))
        let unseen = Eviction(table: "t", key: [.text("k")], scope: city, context: CausalContext(), source: province)
        #expect(try rules.decide(unseen, local: .state(local)) == .skip, "the row holds a write the parent has not seen")
        #expect(try rules.decide(seen, local: .none) == .skip)
        #expect(throws: ApplyRules.Refusal.self) { try rules.decide(seen, local: .unreadable) }
        #expect(throws: ApplyRules.Refusal.self) { try rules.admit(Eviction(table: "t", key: [], scope: city, context: CausalContext(), source: province)) }
    }
}
