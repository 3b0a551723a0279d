/// The rules that decide what a received change or eviction makes of a row (SYNC.md
/// section 9), without storage: a backend reads the row's state here, asks these rules,
/// and writes what they decide. Every backend applies through them, so the checks, the
/// merge, routing and the rights of a pushing child are written once.
public struct ApplyRules: Sendable {
    /// The tables this node syncs.
    public let schema: SyncSchema
    /// The node applying.
    public let node: NodeID
    /// The child whose push is applied, whose rows must stay within its rights; nil for a
    /// pull from the parent or a resync.
    public let authority: NodeID?

    /// Creates the rules for `node` applying a batch from `authority` (nil when it comes
    /// from above).
    public init(schema: SyncSchema, node: NodeID, authority: NodeID? = nil) {
        self.schema = schema
        self.node = node
        self.authority = authority
    }

    /// Why a change or an eviction is refused into the error queue; nothing of it is applied.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, for the operator.
        public var reason: String

        /// A refusal for `reason`.
        public init(_ reason: String) { self.reason = reason }

        /// The reason.
        public var description: String { reason }

        static let unreadable = Refusal("this node's log entry for the row is unreadable; its file needs repair before this row can sync")
    }

    /// A row's state here, as the backend read it from its log.
    public enum Local: Sendable {
        /// The log holds no entry for the row.
        case none
        /// The log holds an entry that cannot be read.
        case unreadable
        /// The entry's state; its values are nil when the row is held in the table.
        case state(Change)
    }

    /// What applying one change does.
    public enum Decision: Sendable {
        /// Nothing changes in the table. When `context` is set, the log entry records the
        /// merged metadata: the change brought writes already superseded here.
        case skip(context: RowMeta?)
        /// The row is written: upserted when ``Write/held``, removed from the table otherwise.
        case write(Write)
    }

    /// A row's new state, and what goes with it.
    public struct Write: Sendable {
        /// The merged state, with the source it is logged with.
        public var state: Change
        /// True when the table holds the row under this node's scope: a live row to upsert.
        /// False for a deletion or for a live row held only in the log (`tomb`).
        public var held: Bool
        /// Concurrent writes this merge brought together for the first time.
        public var conflicts: [Conflict]
        /// The scopes the row left here (the one it had, or the one the sender gave it):
        /// the nodes holding it there are sent an eviction.
        public var left: Set<NodeID>
        /// True when the row is live but not held here: it leaves the table.
        public var evicted: Bool { !held && !state.deleted }
    }

    /// What applying one eviction does.
    public enum EvictionDecision: Sendable, Equatable {
        /// Nothing: the row is not logged here, or holds writes the parent has not seen.
        case skip
        /// The row leaves the table and the log; the eviction record carries `context`.
        case drop(context: CausalContext)
    }

    /// Checks `change` before the row's state is read: its table, its shape and the rights
    /// of the pushing child. Returns the table and the change with each register ranked
    /// winner first, the winner's values dropped (they are the row's values).
    public func admit(_ change: Change) throws(Refusal) -> (table: TableSchema, change: Change) {
        let table = try synced(change.table)
        if let problem = ChangeShape.problem(change, table: table) { throw Refusal(problem) }
        if let authority, let problem = PushAuthorization.problem(change, from: authority, table: table) { throw Refusal(problem) }
        return (table, ApplyRules.normalized(change))
    }

    /// Decides what `change`, admitted for `table`, makes of the row whose state here is
    /// `local`. `evicted` gives the contexts of the evictions this node applied to the row
    /// (nil for none); it is called only for a pushed row this node has no entry for.
    /// `localValues` gives the row's values in the table; it is called at most once, when
    /// the merge needs a value the change does not carry.
    public func decide(
        _ change: Change, table: TableSchema, local: Local,
        evicted: () throws -> CausalContext?, localValues: () throws -> [SQLValue]?
    ) throws -> Decision {
        guard case let .state(state) = local else {
            if case .unreadable = local { throw Refusal.unreadable }
            if let authority, PushAuthorization.historyProblem(change, local: nil, from: authority, table: table) != nil,
               let problem = PushAuthorization.historyProblem(change, local: nil, evicted: try evicted(), from: authority, table: table) {
                throw Refusal(problem)
            }
            return .write(Write(state: change, held: holds(change, table: table), conflicts: [], left: []))
        }
        if let authority, let problem = PushAuthorization.historyProblem(change, local: state, from: authority, table: table) {
            throw Refusal(problem)
        }
        let result: RowMerge.Outcome
        do {
            result = try RowMerge.merge(table: table, local: state, incoming: change, localValues: localValues)
        } catch let failure as RowMerge.Failure {
            throw Refusal(failure.description)
        }
        guard result.changed else { return .skip(context: result.contextChanged ? result.merged.meta : nil) }
        var merged = result.merged
        merged.source = result.sameAsIncoming ? change.source : node
        let left = Set([change.scope, state.scope]).subtracting([merged.scope])
        return .write(Write(state: merged, held: holds(merged, table: table), conflicts: result.conflicts, left: left))
    }

    /// Checks `eviction` before the row's state is read: its table and its key.
    public func admit(_ eviction: Eviction) throws(Refusal) -> TableSchema {
        let table = try synced(eviction.table)
        if let problem = ChangeShape.keyProblem(eviction.key, table: table) { throw Refusal(problem) }
        return table
    }

    /// Decides what `eviction` does to the row whose state here is `local` (section 9.1):
    /// the row leaves only when the parent has seen every write this node's state holds.
    public func decide(_ eviction: Eviction, local: Local) throws(Refusal) -> EvictionDecision {
        switch local {
        case .none: return .skip
        case .unreadable: throw Refusal.unreadable
        case let .state(state):
            guard eviction.supersedes(state.meta.context) else { return .skip }
            return .drop(context: eviction.context.union(state.meta.context))
        }
    }

    /// The table named `name`, which this node must sync.
    private func synced(_ name: String) throws(Refusal) -> TableSchema {
        guard let table = schema.table(named: name) else {
            throw Refusal("unknown table \(name); this node syncs \(schema.tables.map(\.name).joined(separator: ", "))")
        }
        return table
    }

    /// True when this node holds `state` in its table: live and in a scope it holds.
    public func holds(_ state: Change, table: TableSchema) -> Bool {
        !state.deleted && Routing.holds(node, table: table, scope: state.scope)
    }

    /// The highest stamp `change` carries: applying it raises the clock this far. Only a
    /// change that was merged raises it, so a refused one leaves the clock where it was.
    public static func highestStamp(of change: Change) -> Int64 {
        change.meta.context.stamps.values.map(\.rawValue).max() ?? 0
    }

    /// The change with each register ranked winner first and the winner's values dropped:
    /// they are the row's `values`, whatever the sender put beside them.
    public static func normalized(_ change: Change) -> Change {
        var change = change
        // Most registers hold one write, sent without values: nothing to rewrite.
        for (name, siblings) in change.meta.registers where siblings.count > 1 || siblings.first?.values != nil {
            var ranked = siblings.ranked()
            if !ranked.isEmpty { ranked[0].values = nil }
            change.meta.registers[name] = ranked
        }
        if change.meta.existence.count > 1 { change.meta.existence = change.meta.existence.ranked() }
        return change
    }
}
