import Testing
import TierSyncModel

/// Every stamp a received change names is held against the receiver's wall clock.
struct StampLeadTests {
    static let now: Int64 = 1_800_000_000_000
    private let table = TableSchema(name: "t", createSQL: "", concentration: .group, conflict: .merge, columnConflicts: ["a": .tier],
                                    columns: ["id", "a", "scope"], keyColumns: ["id"])

    /// A write at the city `millis` from now, with nothing else in it.
    private func write(_ millis: Int64) throws -> Change {
        try Change.write(table, values: [.text("k"), .text("v"), .text("cn.gd.sz")],
                         version: Version(stamp: HybridTimestamp(millis: Self.now + millis), origin: try NodeID("cn.gd.sz")))
    }

    @Test func aChangeWithinTheBoundPasses() throws {
        let edge = try write(30_000)
        let behind = try write(-86_400_000)
        #expect(StampLead().excess(in: edge, nowMillis: Self.now) == nil, "exactly 30 s ahead is within the default")
        #expect(StampLead().excess(in: behind, nowMillis: Self.now) == nil, "stamps behind are never refused")
    }

    @Test func eachPlaceAStampCanHideInIsChecked() throws {
        let group = try NodeID("cn")
        let far = HybridTimestamp(millis: Self.now + 61_000, counter: 3)
        var inContext = try write(0)
        inContext.meta.context = CausalContext(inContext.meta.context.stamps.merging([group: far]) { $1 })
        var inRegister = try write(0)
        inRegister.meta.registers["a"]!.append(Sibling(version: Version(stamp: far, origin: group), priority: 2, values: [.text("g")]))
        var inBase = try write(0)
        inBase.meta.bases["a"] = RegisterBase(version: Version(stamp: far, origin: group), values: [.text("old")])
        for change in [inContext, inRegister, inBase] {
            let excess = try #require(StampLead().excess(in: change, nowMillis: Self.now))
            #expect(excess.writer == group && excess.stamp == far && excess.leadMillis == 61_000)
            #expect(excess.description == "the write by cn is stamped 61.0 s ahead of this node's wall clock; at most 30 s is accepted (limits.stamp_lead)")
        }
        let beyond = try write(5_001)
        let version = try #require(StampLead(seconds: 5).excess(in: beyond, nowMillis: Self.now))
        #expect(version.writer.description == "cn.gd.sz" && version.leadMillis == 5_001 && version.limit == 5)
    }

    @Test func anEvictionsContextIsCheckedToo() throws {
        let group = try NodeID("cn")
        let near = Eviction(table: "t", key: [.text("k")], scope: try NodeID("cn.gd.sz"),
                            context: CausalContext([group: HybridTimestamp(millis: Self.now + 1_000)]), source: group)
        #expect(StampLead().excess(in: near, nowMillis: Self.now) == nil)
        var far = near
        far.context = CausalContext([group: HybridTimestamp(millis: Self.now + 90_000)])
        let excess = try #require(StampLead().excess(in: far, nowMillis: Self.now))
        #expect(excess.writer == group && excess.leadMillis == 90_000)
    }

    @Test func aClockLeadIsNeverNegative() {
        #expect(StampLead.lead(of: HybridTimestamp(millis: Self.now - 5_000, counter: 9), nowMillis: Self.now) == 0)
        #expect(StampLead.lead(of: HybridTimestamp(millis: Self.now + 61_500), nowMillis: Self.now) == 61_500)
        #expect(StampLead.text(millis: 999) == "999 ms")
        #expect(StampLead.text(millis: 61_500) == "61.5 s")
    }
}
