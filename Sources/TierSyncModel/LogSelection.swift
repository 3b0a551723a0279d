/// Which log entries and eviction records a reader of the change log wants, as data: the
/// routing rule (``Routing``) that a store backend applies in its own query, so that no
/// backend holds a sync rule of its own and no caller hands a backend code to run.
public enum LogSelection: Hashable, Sendable {
    /// Every entry and every eviction record (inspection and tests).
    case everything
    /// The entries `node` pushes to its parent (``Routing/shouldPush(_:from:table:)``); no
    /// eviction records.
    case pushedBy(NodeID)
    /// The entries and eviction records a parent sends `child` on a pull after the child's
    /// cursor `after` (``Routing/shouldSend(_:to:table:)``,
    /// ``Routing/shouldEvict(_:to:after:table:)``).
    case pulledBy(NodeID, after: Int64)

    /// True when the reader wants eviction records at all.
    public var readsEvictions: Bool {
        switch self {
        case .everything, .pulledBy: true
        case .pushedBy: false
        }
    }

    /// True when the reader wants `entry`, a log entry of `table`.
    public func includes(_ entry: LogEntry, table: TableSchema) -> Bool {
        switch self {
        case .everything: true
        case let .pushedBy(node): Routing.shouldPush(entry, from: node, table: table)
        case let .pulledBy(child, _): Routing.shouldSend(entry, to: child, table: table)
        }
    }

    /// True when the reader wants `record`, an eviction record of `table`.
    public func includes(_ record: EvictionEntry, table: TableSchema) -> Bool {
        switch self {
        case .everything: true
        case .pushedBy: false
        case let .pulledBy(child, after): Routing.shouldEvict(record, to: child, after: after, table: table)
        }
    }
}

/// Which rows of a table count, by their scope, for a digest or a resync read: data a
/// store backend turns into its own query, like ``LogSelection``.
public enum ScopeSelection: Hashable, Sendable {
    /// Every row, whatever its scope.
    case everything
    /// The rows `node` holds (``Routing/holds(_:table:scope:)``).
    case heldBy(NodeID)
    /// The rows both `parent` and `child` hold: what a parent's digest for a child covers.
    case sharedBy(parent: NodeID, child: NodeID)
    /// What `child` counts against `parent` in a resync: the rows the parent holds too, and
    /// those the child should not hold at all (so that a difference shows them and they are
    /// removed). A scope that is not a node id counts here, and nowhere else.
    case comparedWith(parent: NodeID, child: NodeID)

    /// True when a row of `table` with scope `scope` counts; `scope` is nil when the row's
    /// scope text is not a node id.
    public func includes(table: TableSchema, scope: NodeID?) -> Bool {
        switch self {
        case .everything:
            return true
        case let .heldBy(node):
            guard let scope else { return false }
            return Routing.holds(node, table: table, scope: scope)
        case let .sharedBy(parent, child):
            guard let scope else { return false }
            return Routing.holds(child, table: table, scope: scope) && Routing.holds(parent, table: table, scope: scope)
        case let .comparedWith(parent, child):
            guard let scope else { return true }
            return !Routing.holds(child, table: table, scope: scope) || Routing.holds(parent, table: table, scope: scope)
        }
    }

    /// ``includes(table:scope:)`` for a scope as stored: text that may not be a node id.
    public func includes(table: TableSchema, scopeText: String) -> Bool {
        if case .everything = self { return true }
        return includes(table: table, scope: try? NodeID(scopeText))
    }
}
