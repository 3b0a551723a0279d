/// The set of synced tables a node replicates, with their rules.
public struct SyncSchema: Hashable, Sendable {
    /// The tables in declaration order.
    public var tables: [TableSchema]
    /// The schema file's version (`version = N`, 1 when absent): raised with each change an
    /// operator rolls out, and reported by every node so that mixed versions show.
    public var version: Int = 1

    /// Creates a schema from table declarations.
    /// - Throws: ``ModelError/invalidSchema(_:)`` when two tables share a name or a name
    ///   is reserved.
    public init(tables: [TableSchema]) throws(ModelError) {
        var seen = Set<String>()
        for table in tables {
            guard seen.insert(table.name).inserted else { throw .invalidSchema("table '\(table.name)' is declared twice") }
            guard !table.name.hasPrefix("_ts_"), !table.name.hasPrefix("sqlite_") else {
                throw .invalidSchema("table name '\(table.name)' is reserved; the _ts_ prefix belongs to TierSync")
            }
            guard table.name.utf8.allSatisfy({ $0 == 0x5F || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) else {
                throw .invalidSchema("table name '\(table.name)' may only hold a-z, 0-9 and '_'")
            }
        }
        for table in tables {
            for (column, rule) in table.columnConflicts.sorted(by: { $0.key < $1.key }) {
                guard table.conflict == .merge else {
                    throw .invalidSchema("table \(table.name): conflict.\(column) = \(rule.rawValue) needs conflict = merge, which decides column by column")
                }
                guard rule != .merge else {
                    throw .invalidSchema("table \(table.name): conflict.\(column) = merge is not a column rule; use lww, tier, owner or manual")
                }
            }
        }
        self.tables = tables
    }

    /// The table with this name, if the schema declares it.
    public func table(named name: String) -> TableSchema? {
        tables.first { $0.name == name }
    }
}
