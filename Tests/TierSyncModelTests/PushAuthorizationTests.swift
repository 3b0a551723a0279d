import Testing
import TierSyncModel

/// A child may name a node outside its subtree only for what its parent sent down.
struct PushAuthorizationTests {
    private let table = TableSchema(name: "t", createSQL: "", concentration: .group, conflict: .merge, columnConflicts: ["a": .tier],
                                    columns: ["id", "a", "scope"], keyColumns: ["id"])
    private let city = try! NodeID("cn.gd.sz")

    private func write(_ value: String, at origin: String, millis: Int64) throws -> Change {
        try Change.write(table, values: [.text("k"), .text(value), .text("cn.gd.sz")],
                         version: Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin)))
    }

    @Test func aStateWhoseSourceLiesOutsideTheSubtreeIsRefused() throws {
        var forged = try write("mine", at: "cn.gd.sz", millis: 1000)
        #expect(PushAuthorization.problem(forged, from: city, table: table) == nil)
        for outside in ["cn", "cn.gd", "cn.gd.gz"] {
            forged.source = try NodeID(outside)
            let problem = try #require(PushAuthorization.problem(forged, from: city, table: table))
            #expect(problem.contains("names \(outside) as its source, outside cn.gd.sz's subtree"), "\(problem)")
        }
        var province = try write("mine", at: "cn.gd", millis: 1000)
        province.source = try NodeID("cn.gd.sz")
        #expect(PushAuthorization.problem(province, from: try NodeID("cn.gd"), table: table) == nil, "a city below the province is in its subtree")
    }

    @Test func aWriteAttributedOutsideTheSubtreePassesOnlyWhenTheParentSentIt() throws {
        // The group's write reached the city through the province; the city wrote the row
        // concurrently and merged the two: the merged state's version is the group's write.
        let group = try write("group", at: "cn", millis: 2000)
        let own = try write("city", at: "cn.gd.sz", millis: 1000)
        let merged = try RowMerge.merge(table: table, local: own, incoming: group) { nil }.merged
        #expect(merged.version.origin.description == "cn")
        #expect(PushAuthorization.historyProblem(merged, local: group, from: city, table: table) == nil,
                "the province sent the group's write down: the city may name it")
        let unseen = try #require(PushAuthorization.historyProblem(merged, local: own, from: city, table: table))
        #expect(unseen.contains("the row's version is the write by cn at 2000.0, outside cn.gd.sz's subtree, which cn.gd has not sent down"), "\(unseen)")

        // The same write forged outright, on a row the province does not know.
        let forged = try write("forged", at: "cn", millis: 3000)
        let refused = try #require(PushAuthorization.historyProblem(forged, local: nil, from: city, table: table))
        #expect(refused.contains("the row's version is the write by cn at 3000.0"), "\(refused)")
    }

    @Test func anOutsideWriteInARegisterABaseOrTheContextIsRefusedUnlessSeen() throws {
        let parentState = try write("old", at: "cn.gd.sz", millis: 1000)
        var register = try write("mine", at: "cn.gd.sz", millis: 5000)
        register.meta.registers["a"]!.append(Sibling(version: Version(stamp: HybridTimestamp(millis: 4000), origin: try NodeID("cn.gd")), priority: 1, values: [.text("p")]))
        register.meta.context.record(Version(stamp: HybridTimestamp(millis: 4000), origin: try NodeID("cn.gd")))
        let registerProblem = try #require(PushAuthorization.historyProblem(register, local: parentState, from: city, table: table))
        #expect(registerProblem.contains("a write of register a is the write by cn.gd at 4000.0"), "\(registerProblem)")

        var base = try write("mine", at: "cn.gd.sz", millis: 5000)
        base.meta.bases["a"] = RegisterBase(version: Version(stamp: HybridTimestamp(millis: 4500), origin: try NodeID("cn")), values: [.text("g")])
        let baseProblem = try #require(PushAuthorization.historyProblem(base, local: parentState, from: city, table: table))
        #expect(baseProblem.contains("the base of register a is the write by cn at 4500.0"), "\(baseProblem)")
        var seen = parentState
        seen.meta.context.record(Version(stamp: HybridTimestamp(millis: 4500), origin: try NodeID("cn")))
        #expect(PushAuthorization.historyProblem(base, local: seen, from: city, table: table) == nil)

        var context = try write("mine", at: "cn.gd.sz", millis: 5000)
        context.meta.context.record(Version(stamp: HybridTimestamp(millis: 4800), origin: try NodeID("cn")))
        let contextProblem = try #require(PushAuthorization.historyProblem(context, local: parentState, from: city, table: table))
        #expect(contextProblem.contains("claims to have seen writes by cn up to 4800.0"), "\(contextProblem)")
    }

    @Test func aPreviousOwnerOutsideTheSubtreeMustBeOneTheParentNames() throws {
        var moved = try write("mine", at: "cn.gd.sz", millis: 5000)
        moved.previousScope = try NodeID("cn.gd.gz")
        let refused = try #require(PushAuthorization.historyProblem(moved, local: nil, from: city, table: table))
        #expect(refused.contains("names cn.gd.gz as its previous owner, outside cn.gd.sz's subtree"), "\(refused)")
        // The province moved the row from cn.gd.gz to the city and sent that down.
        var sent = try write("moved", at: "cn.gd", millis: 4000)
        sent.previousScope = try NodeID("cn.gd.gz")
        moved.meta.context = moved.meta.context.union(sent.meta.context)
        #expect(PushAuthorization.historyProblem(moved, local: sent, from: city, table: table) == nil)
    }
}
