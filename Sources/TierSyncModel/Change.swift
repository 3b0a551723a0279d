/// One replicated change: the whole replication state of one row.
///
/// A node's change log holds one entry per row, at the position of its latest change, so a
/// change carries the row's current values and registers rather than a diff. Merging the
/// same change twice, or an older one after a newer one, changes nothing.
public struct Change: Hashable, Sendable {
    /// The table's name.
    public var table: String
    /// The primary-key values, in the table's key-column order.
    public var key: [SQLValue]
    /// The row's content in the table's column order: its values, or for a deleted row the
    /// values it had when deleted. Nil when not known.
    public var values: [SQLValue]?
    /// True when the row is deleted.
    public var deleted: Bool
    /// The winning write of the row's existence register: the version the row is at.
    public var version: Version
    /// The node that owns the row (its `scope` column).
    public var scope: NodeID
    /// The row's previous owner when the row moved between scopes. It bounds the priority a
    /// pushed write may claim under the `owner` rule; routing ignores it (the old branch is
    /// sent an ``Eviction`` instead).
    public var previousScope: NodeID?
    /// The node whose subtree already holds exactly this state: the writer, or the node
    /// whose merge produced it. Changes are not sent back into that subtree.
    public var source: NodeID
    /// The causal context and the registers.
    public var meta: RowMeta

    /// Creates a change.
    public init(
        table: String, key: [SQLValue], values: [SQLValue]?, deleted: Bool = false, version: Version,
        scope: NodeID, previousScope: NodeID? = nil, source: NodeID? = nil, meta: RowMeta
    ) {
        self.table = table
        self.key = key
        self.values = values
        self.deleted = deleted
        self.version = version
        self.scope = scope
        self.previousScope = previousScope
        self.source = source ?? version.origin
        self.meta = meta
    }

    /// A fresh write of a whole row (or its deletion) at `version.origin`, as its node's
    /// capture would record it with nothing known before. For tests and tools.
    public static func write(_ table: TableSchema, values: [SQLValue], deleted: Bool = false, version: Version) throws(ModelError) -> Change {
        guard let scopeIndex = table.scopeIndex, values.indices.contains(scopeIndex), let text = values[scopeIndex].textValue else {
            throw .invalidValue(key: "scope", value: "\(values)", expected: "a row of \(table.name) with its scope column")
        }
        return Change(
            table: table.name, key: table.keyIndexes.map { values[$0] }, values: values, deleted: deleted, version: version,
            scope: try NodeID(text), meta: .write(version, table: table, values: values, deleted: deleted))
    }
}

extension Change {
    /// About how many bytes the change takes in a batch: its values (or its key), and a
    /// fixed allowance for its version, ids and each register's metadata. Batches are
    /// bounded by it, so that a table of wide rows cannot make one batch hold gigabytes.
    public var estimatedBytes: Int {
        let values = (self.values ?? key).reduce(0) { $0 + $1.estimatedBytes }
        return values + 96 + 64 * meta.registers.count
    }
}

extension SQLValue {
    /// About how many bytes the value takes: its text or blob bytes, 8 for a number.
    public var estimatedBytes: Int {
        switch self {
        case .null: 1
        case .integer, .real: 8
        case let .text(text): text.utf8.count
        case let .blob(data): data.count
        }
    }
}

/// The routing facts of one change-log entry, without its row values.
public struct LogEntry: Hashable, Sendable {
    /// The entry's position in the node's change log.
    public var sequence: Int64
    /// The table's name.
    public var table: String
    /// The canonical key text (a JSON array of the key values).
    public var keyText: String
    /// The row's version: the winning write of its existence register.
    public var version: Version
    /// The row's owner.
    public var scope: NodeID
    /// The row's previous owner, if it moved.
    public var previousScope: NodeID?
    /// True when the entry is a deletion (a tombstone).
    public var deleted: Bool
    /// The node whose subtree already holds this state (see ``Change/source``).
    public var source: NodeID

    /// Creates a log entry.
    public init(sequence: Int64, table: String, keyText: String, version: Version, scope: NodeID, previousScope: NodeID?, deleted: Bool, source: NodeID? = nil) {
        self.sequence = sequence
        self.table = table
        self.keyText = keyText
        self.version = version
        self.scope = scope
        self.previousScope = previousScope
        self.deleted = deleted
        self.source = source ?? version.origin
    }
}
