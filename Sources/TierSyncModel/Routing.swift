/// Decides which nodes hold which rows, and so which changes cross each tier boundary.
///
/// A row is held by the node named in its scope and by that node's ancestors, up to the
/// table's concentration tier. For tables that flow down, every descendant of the scope
/// holds the row too. No other node ever holds it.
public enum Routing {
    /// True when `node` holds rows of `table` owned by `scope`.
    public static func holds(_ node: NodeID, table: TableSchema, scope: NodeID) -> Bool {
        let reach = reach(of: node, table: table)
        if node == scope { return reach.contains(.own) }
        if node.isAncestor(of: scope) { return reach.contains(.below) }
        if scope.isAncestor(of: node) { return reach.contains(.above) }
        return false
    }

    /// The scopes, relative to a node, whose rows of a table the node holds. This is the one
    /// statement of the rule; ``holds(_:table:scope:)`` and any query a backend builds to
    /// select what a node holds apply it.
    public struct Reach: OptionSet, Sendable {
        public let rawValue: UInt8
        /// Creates a reach from its bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Rows whose scope is the node itself: always held.
        public static let own = Reach(rawValue: 1)
        /// Rows whose scope lies in the node's subtree: held when the table concentrates its
        /// rows at the node's tier or higher.
        public static let below = Reach(rawValue: 2)
        /// Rows whose scope is an ancestor of the node: held when the table's rows flow down.
        public static let above = Reach(rawValue: 4)
    }

    /// The scopes whose rows of `table` `node` holds.
    public static func reach(of node: NodeID, table: TableSchema) -> Reach {
        var reach: Reach = .own
        if node.tier >= table.concentration { reach.insert(.below) }
        if table.flowsDown { reach.insert(.above) }
        return reach
    }

    /// True when `child` should push this entry to its parent: the state was made in the
    /// child's subtree (not received from above unchanged), and the parent holds the row
    /// under its current scope.
    public static func shouldPush(_ entry: LogEntry, from child: NodeID, table: TableSchema) -> Bool {
        guard let parent = child.parent, child.contains(entry.source) else { return false }
        return holds(parent, table: table, scope: entry.scope)
    }

    /// True when a parent should send this entry to `child` on pull: the state was not made
    /// in the child's subtree (the child has it already), and the child holds the row under
    /// its current scope. A node that held the row under an earlier scope is sent an
    /// eviction instead (``shouldEvict(_:to:after:table:)``), never the row's later states.
    public static func shouldSend(_ entry: LogEntry, to child: NodeID, table: TableSchema) -> Bool {
        guard !child.contains(entry.source) else { return false }
        return holds(child, table: table, scope: entry.scope)
    }

    /// True when a parent should send this eviction record to `child` on a pull after
    /// `after`: the eviction was not made in the child's subtree, the child holds rows of
    /// the scope the row left but not of the row's current scope here, and the child may
    /// have held the row: this node first logged it at or before the child's cursor (or
    /// does not know when), or a write to the row was made in the child's subtree.
    public static func shouldEvict(_ entry: EvictionEntry, to child: NodeID, after: Int64, table: TableSchema) -> Bool {
        guard !child.contains(entry.source), holds(child, table: table, scope: entry.scope) else { return false }
        if let current = entry.currentScope, holds(child, table: table, scope: current) { return false }
        if let born = entry.born, after < born, !entry.writers.contains(where: { child.contains($0) }) { return false }
        return true
    }
}
