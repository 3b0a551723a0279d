/// The replication state of one row beside its values: what the node has seen of it, and
/// which writes its registers hold.
///
/// A table with a row-level rule has one content register, ``RowMeta/wholeRow``. A `merge`
/// table has one register per non-key column, named after the column. Every row also has
/// an existence register, whose siblings say whether the write deleted the row.
public struct RowMeta: Hashable, Sendable {
    /// The name of the single register of a table with a row-level rule.
    public static let wholeRow = "*"

    /// The writes to this row seen here.
    public var context: CausalContext
    /// The existence register: one sibling per concurrent write still standing; a sibling's
    /// values are `[1]` for a deletion and `[0]` for a live write.
    public var existence: [Sibling]
    /// The content registers by name.
    public var registers: [String: [Sibling]]
    /// For each register, the value its latest local write replaced, kept so that a conflict
    /// can show the base both sides started from.
    public var bases: [String: RegisterBase]

    /// Creates row metadata.
    public init(context: CausalContext = CausalContext(), existence: [Sibling] = [], registers: [String: [Sibling]] = [:], bases: [String: RegisterBase] = [:]) {
        self.context = context
        self.existence = existence
        self.registers = registers
        self.bases = bases
    }

    /// The metadata of a fresh write by `writer` of a whole row (or its deletion) to a table,
    /// as if nothing was known before: one sibling per register, the write in the context.
    public static func write(_ version: Version, table: TableSchema, values: [SQLValue], deleted: Bool) -> RowMeta {
        var meta = RowMeta()
        meta.context.record(version)
        meta.existence = [Sibling(version: version, priority: table.deletes.priority(deleted: deleted), values: [.integer(deleted ? 1 : 0)])]
        let scope = table.scopeIndex.flatMap { values.indices.contains($0) ? values[$0].textValue : nil }.flatMap { try? NodeID($0) }
        for name in table.registerNames {
            let priority = table.rule(forRegister: name).priority(writer: version.origin, scope: scope)
            meta.registers[name] = [Sibling(version: version, priority: priority, values: nil)]
        }
        return meta
    }

    /// True when the existence register's winner is a deletion.
    public var isDeleted: Bool {
        existence.ranked().first?.values == [.integer(1)]
    }
}

/// The value one register held before a write replaced it.
public struct RegisterBase: Hashable, Sendable {
    /// The replaced write.
    public var version: Version
    /// The replaced values (the whole row, or one column's value).
    public var values: [SQLValue]

    /// Creates a base.
    public init(version: Version, values: [SQLValue]) {
        self.version = version
        self.values = values
    }
}
