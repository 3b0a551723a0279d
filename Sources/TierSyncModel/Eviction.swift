/// A notice that a row left a scope: a node that held the row under that scope drops it.
///
/// An eviction names the row by its key only. It carries no values and not the row's new
/// owner: a node outside the row's current scope learns nothing of what the row became.
/// Its causal context says which writes to the row the evicting node had seen, so that a
/// receiver holding writes the evicting node has not seen (made in its own subtree, not yet
/// pushed) keeps them and sends them up instead of losing them.
public struct Eviction: Hashable, Sendable {
    /// The table's name.
    public var table: String
    /// The primary-key values, in the table's key-column order.
    public var key: [SQLValue]
    /// The scope the row left: the receiver held it under this scope.
    public var scope: NodeID
    /// The writes to the row the evicting node had seen.
    public var context: CausalContext
    /// The node whose subtree has already dropped the row under `scope` (the node that moved
    /// it, or relayed the eviction). Evictions are not sent back into that subtree.
    public var source: NodeID

    /// Creates an eviction.
    public init(table: String, key: [SQLValue], scope: NodeID, context: CausalContext, source: NodeID) {
        self.table = table
        self.key = key
        self.scope = scope
        self.context = context
        self.source = source
    }

    /// True when a node whose state of the row has seen `local` drops the row on this
    /// eviction: the evicting node has seen every write the local state holds.
    public func supersedes(_ local: CausalContext) -> Bool {
        local.stamps.allSatisfy { context.covers(Version(stamp: $0.value, origin: $0.key)) }
    }
}

/// The routing facts of one eviction record in a node's change log.
public struct EvictionEntry: Hashable, Sendable {
    /// The record's position in the node's change log.
    public var sequence: Int64
    /// The table's name.
    public var table: String
    /// The canonical key text (a JSON array of the key values).
    public var keyText: String
    /// The scope the row left.
    public var scope: NodeID
    /// The row's scope at this node now, or nil when this node holds no entry for the row.
    public var currentScope: NodeID?
    /// The node whose subtree has already dropped the row (see ``Eviction/source``).
    public var source: NodeID
    /// The first log position of the row's entry at this node, or nil when not known.
    public var born: Int64?
    /// The nodes whose writes to the row the eviction's context holds.
    public var writers: [NodeID]

    /// Creates an eviction record's routing facts.
    public init(sequence: Int64, table: String, keyText: String, scope: NodeID, currentScope: NodeID?, source: NodeID, born: Int64?, writers: [NodeID]) {
        self.sequence = sequence
        self.table = table
        self.keyText = keyText
        self.scope = scope
        self.currentScope = currentScope
        self.source = source
        self.born = born
        self.writers = writers
    }
}
