/// One replicated change: the latest state of one row (or its deletion) with its version.
///
/// A node's change log holds one entry per row, at the position of its latest write, so a
/// change always carries the row's current values rather than a diff. Applying the same
/// change twice, or an older one after a newer one, changes nothing.
public struct Change: Hashable, Sendable {
    /// The table's name.
    public var table: String
    /// The primary-key values, in the table's key-column order.
    public var key: [SQLValue]
    /// All column values in the table's column order, or nil for a deletion.
    public var values: [SQLValue]?
    /// The version of the write that produced this state.
    public var version: Version
    /// The node that owns the row (its `scope` column).
    public var scope: NodeID
    /// The row's previous owner when the row moved between scopes, so that nodes that held
    /// it under the old scope learn to drop it.
    public var previousScope: NodeID?

    /// Creates a change.
    public init(table: String, key: [SQLValue], values: [SQLValue]?, version: Version, scope: NodeID, previousScope: NodeID? = nil) {
        self.table = table
        self.key = key
        self.values = values
        self.version = version
        self.scope = scope
        self.previousScope = previousScope
    }

    /// True when this change deletes the row.
    public var isDelete: Bool { values == nil }
}

/// The routing facts of one change-log entry, without its row values.
public struct LogEntry: Hashable, Sendable {
    /// The entry's position in the node's change log.
    public var sequence: Int64
    /// The table's name.
    public var table: String
    /// The canonical key text (a JSON array of the key values).
    public var keyText: String
    /// The row's version.
    public var version: Version
    /// The row's owner.
    public var scope: NodeID
    /// The row's previous owner, if it moved.
    public var previousScope: NodeID?
    /// True when the entry is a deletion (a tombstone).
    public var deleted: Bool

    /// Creates a log entry.
    public init(sequence: Int64, table: String, keyText: String, version: Version, scope: NodeID, previousScope: NodeID?, deleted: Bool) {
        self.sequence = sequence
        self.table = table
        self.keyText = keyText
        self.version = version
        self.scope = scope
        self.previousScope = previousScope
        self.deleted = deleted
    }
}
