import Testing
import TierSyncModel

struct RowMergeTests {
    private func table(_ conflict: ConflictRule, columns: [String: ConflictRule] = [:]) -> TableSchema {
        TableSchema(name: "t", createSQL: "", concentration: .group, conflict: conflict, columnConflicts: columns,
                    columns: ["id", "a", "b", "scope"], keyColumns: ["id"])
    }

    private func write(_ table: TableSchema, _ a: String, _ b: String, at origin: String, millis: Int64, after seen: [Change] = []) throws -> Change {
        var change = try Change.write(table, values: [.text("k"), .text(a), .text(b), .text("cn.gd.sz")],
                                      version: Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin)))
        for earlier in seen { change.meta.context = change.meta.context.union(earlier.meta.context) }
        return change
    }

    /// Merges the changes one after another, as a node receiving them in this order would.
    private func converge(_ table: TableSchema, _ changes: [Change]) throws -> (Change, conflicts: Int) {
        var state = changes[0]
        var conflicts = 0
        for change in changes.dropFirst() {
            let outcome = try RowMerge.merge(table: table, local: state, incoming: change) { nil }
            conflicts += outcome.conflicts.count
            if outcome.changed || outcome.contextChanged { state = outcome.merged }
        }
        return (state, conflicts)
    }

    @Test func concurrentWritesGoToTheHigherTierInEveryOrder() throws {
        let rows = table(.tier)
        let group = try write(rows, "group", "g", at: "cn", millis: 1000)
        let city = try write(rows, "city", "c", at: "cn.gd.sz", millis: 2000)
        for order in [[group, city], [city, group]] {
            let (state, conflicts) = try converge(rows, order)
            #expect(state.values?[1] == .text("group"))
            #expect(state.meta.registers[RowMeta.wholeRow]?.count == 2, "the losing value is kept")
            #expect(conflicts == 1)
        }
    }

    @Test func aWriteMadeAfterSeeingAnotherSupersedesItWhateverItsTier() throws {
        let rows = table(.tier)
        let group = try write(rows, "group", "g", at: "cn", millis: 1000)
        let city = try write(rows, "city", "c", at: "cn.gd.sz", millis: 2000, after: [group])
        for order in [[group, city], [city, group]] {
            let (state, conflicts) = try converge(rows, order)
            #expect(state.values?[1] == .text("city"))
            #expect(state.meta.registers[RowMeta.wholeRow]?.count == 1)
            #expect(conflicts == 0)
        }
    }

    @Test func mergeKeepsConcurrentEditsOfDifferentColumns() throws {
        let rows = table(.merge, columns: ["b": .owner])
        let base = try write(rows, "a0", "b0", at: "cn.gd.sz", millis: 1000)
        var province = try write(rows, "a1", "b0", at: "cn.gd", millis: 3000, after: [base])
        var city = try write(rows, "a0", "b1", at: "cn.gd.sz", millis: 2000, after: [base])
        // Each side changed one column: the other keeps the base's write.
        province.meta.registers["b"] = base.meta.registers["b"]
        province.meta.registers["scope"] = base.meta.registers["scope"]
        city.meta.registers["a"] = base.meta.registers["a"]
        city.meta.registers["scope"] = base.meta.registers["scope"]
        for order in [[base, province, city], [base, city, province], [city, base, province]] {
            let (state, _) = try converge(rows, order)
            #expect(state.values == [.text("k"), .text("a1"), .text("b1"), .text("cn.gd.sz")])
        }
    }

    @Test func aDeleteAndAConcurrentUpdateGoToTheLaterOne() throws {
        for rule in [DeleteRule.later, .delete] {
            var rows = table(.lww)
            rows.deletes = rule
            // Priorities are fixed where a write is made, under the table's rule. Both sides
            // saw the insert; the delete keeps the content it removed.
            let insert = try write(rows, "i", "i", at: "cn.gd.sz", millis: 500)
            let update = try write(rows, "u", "u", at: "cn.gd", millis: 2000, after: [insert])
            var delete = try Change.write(rows, values: insert.values!, deleted: true,
                                          version: Version(stamp: HybridTimestamp(millis: 1000), origin: try NodeID("cn.gd.sz")))
            delete.meta.registers = insert.meta.registers
            for order in [[insert, update, delete], [insert, delete, update], [delete, update, insert]] {
                let (state, conflicts) = try converge(rows, order)
                if rule == .later {
                    #expect(!state.deleted && state.values?[1] == .text("u"), "delete = later: the later update wins")
                } else {
                    #expect(state.deleted, "delete = delete: the delete wins although it is older")
                }
                #expect(conflicts == 1)
            }
        }
    }
}
