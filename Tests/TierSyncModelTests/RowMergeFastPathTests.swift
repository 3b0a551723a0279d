import Testing
@testable import TierSyncModel

/// The merge's fast path (an incoming state that has seen every local write supersedes it
/// whole) must give exactly what the general merge gives for the same two states.
struct RowMergeFastPathTests {
    private static let origins = ["cn", "cn.gd", "cn.gd.sz"]

    /// A small deterministic generator, so a failure names its seed.
    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    private func table(_ conflict: ConflictRule) -> TableSchema {
        TableSchema(name: "t", createSQL: "", concentration: .group, conflict: conflict, columnConflicts: conflict == .merge ? ["b": .owner] : [:],
                    columns: ["id", "a", "b", "scope"], keyColumns: ["id"])
    }

    /// Writes at random nodes, each having seen a random set of the earlier ones, then
    /// states made by merging random subsets of them in random orders.
    private func states(_ table: TableSchema, random: inout Generator) throws -> [Change] {
        var writes: [Change] = []
        for index in 0..<(3 + random.next(3)) {
            let origin = try NodeID(Self.origins[random.next(Self.origins.count)])
            var write = try Change.write(
                table, values: [.text("k"), .text("a\(random.next(3))"), .text("b\(random.next(3))"), .text("cn.gd.sz")],
                deleted: random.next(6) == 0, version: Version(stamp: HybridTimestamp(millis: Int64(1000 + 10 * index)), origin: origin))
            for earlier in writes where random.next(2) == 0 {
                write.meta.context = write.meta.context.union(earlier.meta.context)
            }
            // Some writes record the value they replaced, as a local edit does.
            if let earlier = writes.last, random.next(2) == 0 {
                for name in table.registerNames where random.next(2) == 0 {
                    let width = table.columnIndexes(ofRegister: name).count
                    write.meta.bases[name] = RegisterBase(version: earlier.version, values: Array(repeating: .text("base\(index)"), count: width))
                }
            }
            if write.deleted { write.values = nil }
            writes.append(write)
        }
        var states = writes
        for _ in 0..<8 {
            var state = writes[random.next(writes.count)]
            for _ in 0..<random.next(4) {
                let incoming = writes[random.next(writes.count)]
                guard let outcome = try? RowMerge.merge(table: table, local: state, incoming: incoming, localValues: { nil }) else { continue }
                if outcome.changed || outcome.contextChanged { state = outcome.merged }
            }
            states.append(state)
        }
        return states
    }

    @Test(arguments: [ConflictRule.lww, .tier, .merge])
    func theFastPathGivesWhatTheGeneralMergeGives(rule: ConflictRule) throws {
        let table = table(rule)
        var fast = 0
        for seed in UInt64(1)...300 {
            var random = Generator(state: seed)
            let states = try states(table, random: &random)
            for local in states {
                for incoming in states {
                    guard let quick = RowMerge.supersede(table: table, local: local, incoming: incoming) else { continue }
                    fast += 1
                    let full = try RowMerge.combine(table: table, local: local, incoming: incoming) { local.values }
                    #expect(quick.merged == full.merged, "seed \(seed)")
                    #expect(quick.changed == full.changed, "seed \(seed)")
                    #expect(quick.contextChanged == full.contextChanged, "seed \(seed)")
                    #expect(quick.sameAsIncoming == full.sameAsIncoming, "seed \(seed)")
                    #expect(full.conflicts.isEmpty, "seed \(seed)")
                }
            }
        }
        #expect(fast > 1000, "the generated states must take the fast path often; they took it \(fast) times")
    }
}
