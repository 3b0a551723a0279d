extension SyncSchema {
    /// Parses a schema file: an optional `version = N` (a whole number from 1, 1 when
    /// absent) before the sections, then one `[table.NAME]` section per synced table.
    ///
    /// ```
    /// version = 2
    ///
    /// [table.customer]
    /// sql = "CREATE TABLE customer(id TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL)"
    /// concentrate = group          # group | province | city
    /// down = false                 # true: every descendant of the scope holds the row
    /// writers = city, province, group
    /// conflict = merge             # lww | tier | owner | merge | manual
    /// conflict.unified_code = tier # a column's rule in a merge table (lww by default)
    /// delete = later               # later | delete | update: a delete against an update
    /// ```
    /// - Throws: ``ModelError`` naming the file, line and key at fault.
    public init(parsing text: String, fileName: String) throws(ModelError) {
        let document = try KeyValueDocument(text: text, fileName: fileName)
        var tables: [TableSchema] = []
        for section in document.sections {
            guard section.hasPrefix("table.") else {
                throw .syntax(file: fileName, line: 0, message: "unknown section [\(section)]; schema files hold [table.NAME] sections")
            }
            let name = String(section.dropFirst("table.".count))
            tables.append(try SyncSchema.table(named: name, entries: document.entries(under: section), fileName: fileName))
        }
        guard !tables.isEmpty else { throw .invalidSchema("\(fileName) declares no [table.NAME] section") }
        try self.init(tables: tables)
        for entry in document.entries where !entry.key.contains(".") {
            guard entry.key == "version" else {
                throw .syntax(file: fileName, line: entry.line, message: "unknown setting '\(entry.key)'; before the [table.NAME] sections a schema file holds only version = N")
            }
            guard let version = Int(entry.value), version >= 1 else {
                throw .syntax(file: fileName, line: entry.line, message: "version must be a whole number from 1, got '\(entry.value)'")
            }
            self.version = version
        }
    }

    private static func table(named name: String, entries: [KeyValueDocument.Entry], fileName: String) throws(ModelError) -> TableSchema {
        var table = TableSchema(name: name, createSQL: "", concentration: .group)
        var sawConcentration = false
        for entry in entries {
            func fail(_ expected: String) -> ModelError {
                .syntax(file: fileName, line: entry.line, message: "table \(name): '\(entry.value)' is not valid for \(entry.key); expected \(expected)")
            }
            switch entry.key {
            case "sql":
                table.createSQL = entry.value
            case "concentrate":
                guard let tier = try? Tier(name: entry.value) else { throw fail("group, province or city") }
                table.concentration = tier
                sawConcentration = true
            case "down":
                guard let flag = Bool(entry.value) else { throw fail("true or false") }
                table.flowsDown = flag
            case "writers":
                var writers = Set<Tier>()
                for word in entry.value.split(separator: ",") {
                    guard let tier = try? Tier(name: String(word).trimmingSpaces()) else { throw fail("a list of group, province, city") }
                    writers.insert(tier)
                }
                table.writers = writers
            case "conflict":
                guard let rule = try? ConflictRule(name: entry.value) else { throw fail(ConflictRule.allCases.map(\.rawValue).joined(separator: ", ")) }
                table.conflict = rule
            case "delete":
                guard let rule = try? DeleteRule(name: entry.value) else { throw fail(DeleteRule.allCases.map(\.rawValue).joined(separator: ", ")) }
                table.deletes = rule
            case let key where key.hasPrefix("conflict."):
                guard let rule = try? ConflictRule(name: entry.value) else { throw fail(ConflictRule.allCases.map(\.rawValue).joined(separator: ", ")) }
                table.columnConflicts[String(key.dropFirst("conflict.".count))] = rule
            default:
                throw .syntax(file: fileName, line: entry.line, message: "table \(name): unknown key '\(entry.key)'; known keys are sql, concentrate, down, writers, conflict, conflict.COLUMN, delete")
            }
        }
        guard !table.createSQL.isEmpty else { throw .invalidSchema("table \(name) in \(fileName) has no sql = \"CREATE TABLE ...\"") }
        guard sawConcentration else { throw .invalidSchema("table \(name) in \(fileName) has no concentrate = group|province|city") }
        return table
    }
}
