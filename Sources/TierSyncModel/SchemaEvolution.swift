/// Which changes of a synced table's declaration a running tree can take (issue 15 item 4,
/// SYNC.md 2.1): new tables and new columns, rolled out node by node; never a change of an
/// existing table's routing or conflict rules, nor the removal of a column.
///
/// A node records each table's rules as a line of `key=value` pairs (``ruleLine(of:)``)
/// when it first runs with it; at every later start the declared table must keep every
/// recorded pair. New pairs are allowed only for columns added since.
public enum SchemaEvolution {
    /// The table's routing and conflict rules, one `key=value` pair per rule, every column
    /// of a `merge` table named with its effective rule (so that giving an existing column
    /// a rule of its own is a change, not an addition).
    public static func ruleLine(of table: TableSchema) -> String {
        var pairs = [
            "concentrate=\(table.concentration)", "down=\(table.flowsDown)",
            "writers=\(table.writers.map(\.description).sorted().joined(separator: ","))",
            "conflict=\(table.conflict.rawValue)", "delete=\(table.deletes.rawValue)",
        ]
        if table.isColumnwise {
            for column in table.registerNames.sorted() { pairs.append("column.\(column)=\(table.rule(forRegister: column).rawValue)") }
        }
        return pairs.joined(separator: " ")
    }

    /// What changed in `table`'s rules since `recorded` (an earlier ``ruleLine(of:)``), as
    /// an operator's message with the safe procedure; nil when the table only gained rules
    /// for columns it did not have.
    public static func ruleChange(recorded: String, table: TableSchema) -> String? {
        let now = pairs(ruleLine(of: table))
        let before = pairs(recorded)
        var changed: [String] = []
        for (key, value) in before.sorted(by: { $0.key < $1.key }) where now[key] != value {
            changed.append("\(key) was \(value), is \(now[key] ?? "gone")")
        }
        for key in now.keys.sorted() where before[key] == nil && !key.hasPrefix("column.") {
            changed.append("\(key) is new")
        }
        // A column that had no rule of its own (a table that was not `merge`) cannot gain one.
        if before["conflict"] != nil && before["conflict"] != ConflictRule.merge.rawValue {
            changed += now.keys.filter { $0.hasPrefix("column.") && before[$0] == nil }.sorted().map { "\($0) is new" }
        }
        guard !changed.isEmpty else { return nil }
        return "its rules changed since this node last ran (\(changed.joined(separator: "; "))). "
            + "A running tree cannot change a table's routing or conflict rules: nodes deciding by the old rules and by the new "
            + "would settle the same writes differently. Restore the table's previous rules in the schema file; to sync it under "
            + "new rules, declare a new table with them, copy the rows into it, and stop writing the old one"
    }

    /// The message for a column the table still has but the schema no longer declares.
    public static func removedColumn(_ column: String, table: String) -> String {
        "it has column \(column), which the schema no longer declares. Removing a column from a running tree is refused: "
            + "nodes not yet upgraded would still send values for it, and this node could not keep them. Keep \(column) "
            + "declared and stop writing it (it may stay unused, or hold NULL); the schema file's other changes can go ahead"
    }

    private static func pairs(_ line: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in line.split(separator: " ") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }
}
