import TierSyncModel

/// One local write as the property test made it, with what its node had seen.
struct RecordedWrite {
    var node: NodeID
    var version: Version
    var context: CausalContext
    var deleted: Bool
    /// The row after the write, or before it for a deletion.
    var values: [SQLValue]
    /// The columns the write set: every column for an insert, the changed ones for an update.
    var columns: Set<String>
}

/// The state the rules prescribe for a row, computed from every write made to it, without
/// the merge code: a write stands unless another write to the same register saw it, and
/// among the writes that stand the highest (priority, version) wins.
enum ReferenceRow {
    /// The expected values, or nil when the row must be deleted.
    static func expected(_ writes: [RecordedWrite], table: TableSchema, scope: NodeID) -> [SQLValue]? {
        func standing(_ candidates: [RecordedWrite]) -> [RecordedWrite] {
            candidates.filter { write in
                !candidates.contains { other in other.version != write.version && other.context.covers(write.version) }
            }
        }
        func best(_ candidates: [RecordedWrite], priority: (RecordedWrite) -> Int) -> RecordedWrite? {
            standing(candidates).max { a, b in
                let (pa, pb) = (priority(a), priority(b))
                return pa != pb ? pa < pb : a.version < b.version
            }
        }
        guard let existence = best(writes, priority: { table.deletes.priority(deleted: $0.deleted) }), !existence.deleted else {
            return nil
        }
        let live = writes.filter { !$0.deleted }
        var values = [SQLValue](repeating: .null, count: table.columns.count)
        for name in table.registerNames {
            let rule = table.rule(forRegister: name)
            let candidates = name == RowMeta.wholeRow ? live : live.filter { $0.columns.contains(name) }
            guard let winner = best(candidates, priority: { rule.priority(writer: $0.node, scope: scope) }) else { continue }
            for index in table.columnIndexes(ofRegister: name) {
                values[index] = winner.values[index]
            }
        }
        for index in table.keyIndexes {
            values[index] = live.first?.values[index] ?? .null
        }
        return values
    }
}
