import Foundation

/// What every node of a test tree should hold, kept beside the writes a test makes: each
/// row of the default schema's tables is written only at the node of its scope, so the
/// last write to a row decides its value everywhere, with no conflict anywhere.
///
/// Which nodes hold a row is written out here from the README's rules (owner, ancestors
/// up to the table's concentration tier, and every node below the scope for tables that
/// flow down), not taken from TierSync's routing code, so that the two check each other.
struct ExpectedTree {
    /// A synced table as the tests write it: every column, the key columns, and the rules
    /// that say who holds a row.
    struct Table: Sendable {
        let name: String
        let columns: [String]
        let key: [String]
        /// The highest tier holding its rows, as a depth: 1 group, 2 province, 3 city.
        let concentrate: Int
        /// Whether every node below a row's scope holds the row too.
        let down: Bool

        /// The SQL expression of a row's key text: its key columns joined with `/`.
        var keyExpression: String { key.joined(separator: " || '/' || ") }
        /// The SQL expression of a row's values as text: `quote()` of each column, joined with `|`.
        var valuesExpression: String { columns.map { "quote(\($0))" }.joined(separator: " || '|' || ") }
    }

    /// The default schema's tables, by name.
    static let tables: [String: Table] = [
        "customer": Table(name: "customer", columns: ["id", "unified_code", "name", "classes", "industry", "manager", "credit_level", "status", "scope"], key: ["id"], concentrate: 1, down: false),
        "contact": Table(name: "contact", columns: ["id", "customer_id", "name", "phone", "title", "scope"], key: ["id"], concentrate: 2, down: false),
        "revenue": Table(name: "revenue", columns: ["customer_id", "period", "category", "amount_fen", "scope"], key: ["customer_id", "period", "category"], concentrate: 1, down: false),
        "product": Table(name: "product", columns: ["id", "name", "category", "monthly_fee_fen", "status", "scope"], key: ["id"], concentrate: 1, down: true),
        "marketing_plan": Table(name: "marketing_plan", columns: ["id", "title", "period", "target_fen", "body", "scope"], key: ["id"], concentrate: 1, down: true),
        "ticket": Table(name: "ticket", columns: ["id", "customer_id", "kind", "summary", "status", "opened_at", "scope"], key: ["id"], concentrate: 2, down: false),
    ]

    /// The live rows: table, then key text, then each column's value as `quote()` prints it.
    private(set) var rows: [String: [String: [String]]] = [:]
    /// Rows written (inserts and updates) and deleted so far.
    private(set) var written = 0
    private(set) var deleted = 0

    /// A text value as an SQL literal (and as `quote()` prints it).
    static func text(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Whether `node` holds a row of `table` whose scope is `scope`.
    static func holds(_ node: String, table: String, scope: String) -> Bool {
        guard let table = tables[table] else { return false }
        if node == scope { return true }
        if scope.hasPrefix(node + ".") { return node.split(separator: ".").count >= table.concentrate }
        if node.hasPrefix(scope + ".") { return table.down }
        return false
    }

    /// Whether the row `key` of `table` is live.
    func contains(_ table: String, _ key: String) -> Bool { rows[table]?[key] != nil }

    /// Records a write of a whole row (`values` are SQL literals, in the table's column
    /// order, the last being the scope) and returns the SQL that makes it: an insert for a
    /// new row, an update of every other column for a live one.
    mutating func write(_ table: String, _ values: [String]) -> String {
        let definition = ExpectedTree.tables[table]!
        precondition(values.count == definition.columns.count, "\(table) takes \(definition.columns.count) values")
        let key = keyText(definition, values)
        let known = rows[table]?[key] != nil
        rows[table, default: [:]][key] = values
        written += 1
        if !known {
            return "INSERT INTO \(table)(\(definition.columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")));"
        }
        let assignments = zip(definition.columns, values).filter { !definition.key.contains($0.0) }.map { "\($0.0) = \($0.1)" }
        return "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE \(condition(definition, values));"
    }

    /// Records the deletion of a live row and returns the SQL that makes it.
    mutating func delete(_ table: String, key: String) -> String {
        let definition = ExpectedTree.tables[table]!
        let values = rows[table]![key]!
        rows[table]![key] = nil
        deleted += 1
        return "DELETE FROM \(table) WHERE \(condition(definition, values));"
    }

    /// The live keys of `table` whose scope is `scope`, sorted.
    func keys(_ table: String, scope: String) -> [String] {
        (rows[table] ?? [:]).filter { $0.value.last == ExpectedTree.text(scope) }.keys.sorted()
    }

    /// What `node` should hold: for each table, key text to values joined with `|`.
    func expected(at node: String) -> [String: [String: String]] {
        var held: [String: [String: String]] = [:]
        for (table, byKey) in rows {
            for (key, values) in byKey {
                let scope = String(values.last!.dropFirst().dropLast())
                if ExpectedTree.holds(node, table: table, scope: scope) {
                    held[table, default: [:]][key] = values.joined(separator: "|")
                }
            }
        }
        return held
    }

    private func keyText(_ table: Table, _ values: [String]) -> String {
        table.key.map { column in
            let literal = values[table.columns.firstIndex(of: column)!]
            return literal.hasPrefix("'") ? String(literal.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'") : literal
        }.joined(separator: "/")
    }

    private func condition(_ table: Table, _ values: [String]) -> String {
        table.key.map { "\($0) = \(values[table.columns.firstIndex(of: $0)!])" }.joined(separator: " AND ")
    }
}
