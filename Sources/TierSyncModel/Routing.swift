/// Decides which nodes hold which rows, and so which changes cross each tier boundary.
///
/// A row is held by the node named in its scope and by that node's ancestors, up to the
/// table's concentration tier. For tables that flow down, every descendant of the scope
/// holds the row too. No other node ever holds it.
public enum Routing {
    /// True when `node` holds rows of `table` owned by `scope`.
    public static func holds(_ node: NodeID, table: TableSchema, scope: NodeID) -> Bool {
        if node == scope { return true }
        if node.isAncestor(of: scope) { return node.tier >= table.concentration }
        if scope.isAncestor(of: node) { return table.flowsDown }
        return false
    }

    /// True when `node` held or holds the row this entry describes, under its current or
    /// its previous scope.
    public static func concerns(_ node: NodeID, table: TableSchema, scope: NodeID, previousScope: NodeID?) -> Bool {
        if holds(node, table: table, scope: scope) { return true }
        if let previousScope { return holds(node, table: table, scope: previousScope) }
        return false
    }

    /// True when `child` should push this entry to its parent: the state was made in the
    /// child's subtree (not received from above unchanged), and the parent holds the row.
    public static func shouldPush(_ entry: LogEntry, from child: NodeID, table: TableSchema) -> Bool {
        guard let parent = child.parent, child.contains(entry.source) else { return false }
        return concerns(parent, table: table, scope: entry.scope, previousScope: entry.previousScope)
    }

    /// True when a parent should send this entry to `child` on pull: the state was not made
    /// in the child's subtree (the child has it already), and the child holds the row or
    /// held it before it moved.
    public static func shouldSend(_ entry: LogEntry, to child: NodeID, table: TableSchema) -> Bool {
        guard !child.contains(entry.source) else { return false }
        return concerns(child, table: table, scope: entry.scope, previousScope: entry.previousScope)
    }
}
