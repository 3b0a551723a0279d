/// Whether a received change can belong to its table: key, values, scope and registers
/// checked against the table's declaration, before anything is applied.
public enum ChangeShape {
    /// Why a change cannot belong to `table`, or nil when its shape fits.
    public static func problem(_ change: Change, table: TableSchema) -> String? {
        if let problem = keyProblem(change.key, table: table) { return problem }
        if let problem = registersProblem(change, table: table) { return problem }
        guard let values = change.values else {
            return change.deleted ? nil : "a live row must carry its values"
        }
        guard values.count == table.columns.count else {
            return "table \(table.name) has \(table.columns.count) columns, the change gives \(values.count)"
        }
        guard table.keyIndexes.map({ values[$0] }) == change.key else {
            return "the key does not match the row's key columns"
        }
        guard let scopeIndex = table.scopeIndex, values[scopeIndex] == .text(change.scope.description) else {
            return "the row's scope column does not match the change's scope \(change.scope)"
        }
        return nil
    }

    /// Why `key` cannot be a key of `table` (of a change or an eviction), or nil when it fits.
    public static func keyProblem(_ key: [SQLValue], table: TableSchema) -> String? {
        guard key.count == table.keyColumns.count else {
            return "table \(table.name) has \(table.keyColumns.count) key column(s) (\(table.keyColumns.joined(separator: ", "))), the change gives \(key.count)"
        }
        for value in key {
            switch value {
            case .integer, .text: continue
            default: return "key values must be INTEGER or TEXT, got \(value)"
            }
        }
        return nil
    }

    /// Why a change's registers cannot be merged here, or nil when they fit the table.
    public static func registersProblem(_ change: Change, table: TableSchema) -> String? {
        let meta = change.meta
        let names = table.registerNames
        // Checked without building sets: this runs for every row received. A register may be
        // missing: a column added to the table since the row was last written has none until
        // a write gives it one (SYNC.md 2.1).
        guard meta.registers.count <= names.count, meta.registers.keys.allSatisfy(names.contains) else {
            let sent = meta.registers.keys.sorted().joined(separator: ", ")
            return "the sender decides conflicts on table \(table.name) with registers \(sent), this node with \(names.joined(separator: ", ")); every node must use the same schema rules"
        }
        if let problem = metadataProblem(change) { return problem }
        for name in meta.bases.keys where !table.registerNames.contains(name) {
            return "a base names register \(name), which table \(table.name) does not have"
        }
        for (name, base) in meta.bases where base.values.count != table.columnIndexes(ofRegister: name).count {
            return "register \(name): the base carries \(base.values.count) value(s), the register has \(table.columnIndexes(ofRegister: name).count)"
        }
        for (name, siblings) in meta.registers where siblings.count > 1 {
            let width = table.columnIndexes(ofRegister: name).count
            guard siblings.ranked().dropFirst().allSatisfy({ $0.values?.count == width }) else {
                return "register \(name): every losing write must carry its \(width) value(s)"
            }
        }
        return nil
    }

    /// Why a change's metadata cannot be right whatever its table's columns, or nil: the
    /// checks a receiver makes of a change it keeps for a newer schema (SYNC.md 2.1), and of
    /// every other change as part of ``registersProblem(_:table:)``.
    public static func metadataProblem(_ change: Change) -> String? {
        let meta = change.meta
        guard !meta.existence.isEmpty, meta.registers.values.allSatisfy({ !$0.isEmpty }) else {
            return "every register must hold at least one write"
        }
        func allWrites(_ test: (Sibling) -> Bool) -> Bool {
            meta.existence.allSatisfy(test) && meta.registers.values.allSatisfy { $0.allSatisfy(test) }
        }
        guard allWrites({ $0.version.stamp > .zero }) else {
            return "every write's stamp must be greater than 0"
        }
        guard allWrites({ meta.context.covers($0.version) }) else {
            return "the causal context must cover every write the registers hold"
        }
        func holdsTwice(_ siblings: [Sibling]) -> Bool {
            siblings.count > 1 && Set(siblings.map(\.version)).count != siblings.count
        }
        if holdsTwice(meta.existence) || meta.registers.values.contains(where: holdsTwice) {
            return "a register holds the same write twice"
        }
        guard meta.existence.ranked().first?.version == change.version, meta.isDeleted == change.deleted else {
            return "the version and deleted flag must be those of the winning write of the existence register"
        }
        return nil
    }
}
