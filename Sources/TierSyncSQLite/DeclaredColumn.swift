import GRDB
import TierSyncModel
import TierSyncStore

/// One column as a synced table's declaration (its `sql`) makes it, read by creating the
/// table in a scratch in-memory database: never a node's file, so no durable connection.
struct DeclaredColumn {
    var name: String
    var type: String
    var notNull: Bool
    /// The DEFAULT clause's expression, as SQLite reports it.
    var defaultValue: String?
    /// The column's place in the primary key (1 and up), 0 outside it.
    var key: Int
    /// The column's whole definition as the declaration writes it (name, type and every
    /// constraint), for `ALTER TABLE ... ADD COLUMN`.
    var definition: String

    /// The columns `table`'s `sql` declares, in order.
    /// - Throws: ``StoreError/unusableTable(table:reason:)`` when the sql fails.
    static func all(of table: TableSchema) throws -> [DeclaredColumn] {
        let scratch = try DatabaseQueue()
        return try scratch.write { db in
            do {
                try db.execute(sql: table.createSQL)
            } catch {
                throw StoreError.unusableTable(table: table.name, reason: "its sql failed: \(error)")
            }
            let definitions = columnDefinitions(in: table.createSQL)
            return try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
                .map { row in
                    let name: String = row["name"]
                    let type: String = row["type"] ?? ""
                    let notNull = (row["notnull"] as Int) != 0
                    let defaultValue: String? = row["dflt_value"]
                    let fallback = [quoted(name), type, notNull ? "NOT NULL" : "", defaultValue.map { "DEFAULT \($0)" } ?? ""]
                        .filter { !$0.isEmpty }.joined(separator: " ")
                    return DeclaredColumn(name: name, type: type, notNull: notNull, defaultValue: defaultValue, key: row["pk"],
                                          definition: definitions[name.lowercased()] ?? fallback)
                }
        }
    }

    /// The column definitions of a `CREATE TABLE` statement, by lower-cased column name:
    /// the parts of its parenthesised list, split at commas outside quotes and parentheses,
    /// that do not start a table constraint.
    static func columnDefinitions(in sql: String) -> [String: String] {
        guard let open = sql.firstIndex(of: "(") else { return [:] }
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        list: for character in sql[sql.index(after: open)...] {
            if let closing = quote {
                current.append(character)
                if character == closing { quote = nil }
                continue
            }
            switch character {
            case "'", "\"", "`":
                quote = character
            case "[":
                quote = "]"
            case "(":
                depth += 1
            case ")" where depth == 0:
                parts.append(current)
                break list
            case ")":
                depth -= 1
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default:
                break
            }
            current.append(character)
        }
        var definitions: [String: String] = [:]
        let constraints: Set<String> = ["constraint", "primary", "unique", "check", "foreign"]
        for part in parts {
            let text = part.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first else { continue }
            var name = String(first)
            if let lead = name.first, ["\"", "`", "["].contains(lead), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            guard !constraints.contains(name.lowercased()) || first.first == "\"" else { continue }
            definitions[name.lowercased()] = text
        }
        return definitions
    }
}
