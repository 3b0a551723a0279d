/// One synced table as declared in a schema: its SQL, how far up its rows are concentrated,
/// whether they flow down, and how conflicts are decided.
public struct TableSchema: Hashable, Sendable {
    /// The table's name.
    public var name: String
    /// The `CREATE TABLE` statement a node runs when the table does not exist yet.
    public var createSQL: String
    /// The highest tier that holds the table's rows. `group` means national concentration;
    /// `province` stops rows at the province; `city` keeps them at their owner.
    public var concentration: Tier
    /// True when every descendant of a row's scope holds the row too (catalogue, plans).
    /// The default is false.
    public var flowsDown: Bool
    /// The tiers whose nodes may write the table. The default is every tier.
    public var writers: Set<Tier>
    /// The table-wide conflict rule. The default is ``ConflictRule/lww``.
    public var conflict: ConflictRule { didSet { derive() } }
    /// Per-column rules of a `merge` table. A column without one uses LWW.
    public var columnConflicts: [String: ConflictRule]
    /// How a delete and a concurrent update are decided. The default is ``DeleteRule/later``.
    public var deletes: DeleteRule
    /// The column names in table order, filled in from the database when the store opens.
    public var columns: [String] { didSet { derive() } }
    /// The primary-key column names in key order, filled in from the database.
    public var keyColumns: [String] { didSet { derive() } }
    /// The columns that keep each value's type as written, filled in from the database: in
    /// them an integer and an equal real (1 and 1.0) are different values. Elsewhere the
    /// column's type converts one into the other, so equal values are the same value. The
    /// default, before the database is read, is every column.
    public var typeKeepingColumns: Set<String>?
    /// The value each column takes in a row written by a node whose schema does not have
    /// the column yet, filled in from the database: its DEFAULT when that is a constant, or
    /// NULL when the column may be NULL and declares none; the same value the column takes
    /// in the rows already there when a node adds it. A column missing here cannot be
    /// filled: a change without it is refused (SYNC.md 2.1).
    public var fills: [String: SQLValue] = [:]
    /// What follows from the columns and the rule, worked out once: these are read for
    /// every row synced.
    private var derived = Derived()

    private struct Derived: Hashable, Sendable {
        var scopeIndex: Int?
        var keyIndexes: [Int] = []
        var registerNames: [String] = [RowMeta.wholeRow]
        var registerIndexes: [String: [Int]] = [:]
    }

    private mutating func derive() {
        var derived = Derived()
        derived.scopeIndex = columns.firstIndex(of: "scope")
        derived.keyIndexes = keyColumns.compactMap { columns.firstIndex(of: $0) }
        derived.registerNames = conflict == .merge ? columns.filter { !keyColumns.contains($0) } : [RowMeta.wholeRow]
        derived.registerIndexes[RowMeta.wholeRow] = Array(columns.indices)
        for (index, column) in columns.enumerated() where derived.registerIndexes[column] == nil && column != RowMeta.wholeRow {
            derived.registerIndexes[column] = [index]
        }
        self.derived = derived
    }

    /// Creates a table declaration.
    public init(
        name: String, createSQL: String, concentration: Tier, flowsDown: Bool = false,
        writers: Set<Tier> = Set(Tier.allCases), conflict: ConflictRule = .lww,
        columnConflicts: [String: ConflictRule] = [:], deletes: DeleteRule = .later, columns: [String] = [], keyColumns: [String] = []
    ) {
        self.name = name
        self.createSQL = createSQL
        self.concentration = concentration
        self.flowsDown = flowsDown
        self.writers = writers
        self.conflict = conflict
        self.columnConflicts = columnConflicts
        self.deletes = deletes
        self.columns = columns
        self.keyColumns = keyColumns
        derive()
    }

    /// True when column `name` may hold an integer and an equal real as different values
    /// (see ``typeKeepingColumns``).
    public func keepsType(_ name: String) -> Bool {
        typeKeepingColumns?.contains(name) ?? true
    }

    /// The index of the `scope` column.
    public var scopeIndex: Int? { derived.scopeIndex }

    /// The positions of the key columns among all columns.
    public var keyIndexes: [Int] { derived.keyIndexes }

    /// True when conflicts are decided column by column (`conflict = merge`).
    public var isColumnwise: Bool { conflict == .merge }

    /// The names of the content registers: the non-key columns of a `merge` table, or
    /// ``RowMeta/wholeRow`` for a row-level rule.
    public var registerNames: [String] { derived.registerNames }

    /// The rule that ranks the writes of a register.
    public func rule(forRegister name: String) -> ConflictRule {
        guard isColumnwise else { return conflict }
        return columnConflicts[name] ?? .lww
    }

    /// The positions of a register's values among all columns.
    public func columnIndexes(ofRegister name: String) -> [Int] {
        derived.registerIndexes[name] ?? []
    }

    /// The table's conflict rules as one line, for example
    /// `conflict=merge classes=tier credit_level=manual delete=later`. Nodes whose lines
    /// differ would rank writes differently, so a receiver compares them.
    public var rulesSignature: String {
        (["conflict=\(conflict.rawValue)"] + columnConflicts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }
            + ["delete=\(deletes.rawValue)"]).joined(separator: " ")
    }
}
