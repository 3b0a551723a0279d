/// What a child may push to its parent, checked by the parent on every row it receives.
///
/// A child speaks for its own subtree only: each row must be owned there, be one the parent
/// holds, and every write made in the subtree must come from a tier the table lets write,
/// with no more priority than its rule gives it; the state's source must lie in the subtree.
/// Every other node a change names outside the subtree (a write's origin, a context entry,
/// a previous owner) must be known to the parent already, which sent it down; that check
/// needs the parent's state of the row and is made where the row is merged.
public enum PushAuthorization {
    /// Why `child` may not push `change` to its parent, or nil when it may.
    public static func problem(_ change: Change, from child: NodeID, table: TableSchema) -> String? {
        guard let parent = child.parent else { return "\(child) is the group and has no parent to push to" }
        guard child.contains(change.scope) else {
            return "the row's scope \(change.scope) is outside \(child)'s subtree; a node may only push rows owned by itself or the nodes below it"
        }
        guard child.contains(change.source) else {
            return "the change names \(change.source) as its source, outside \(child)'s subtree; a node may only push states made in its subtree, and \(parent) would never pass this one on"
        }
        guard Routing.holds(parent, table: table, scope: change.scope) else {
            return "\(parent) does not hold \(table.name) rows of \(change.scope): the table is concentrated at the \(table.concentration) tier"
        }
        let scopes = [change.scope] + (change.previousScope.map { [$0] } ?? [])
        for sibling in change.meta.existence where child.contains(sibling.version.origin) {
            if let problem = writerProblem(sibling, table: table) { return problem }
            let deleted = sibling.values.map { $0.first == .integer(1) } ?? (sibling.version == change.version ? change.deleted : nil)
            if let deleted, sibling.priority != table.deletes.priority(deleted: deleted) {
                return "the \(deleted ? "delete" : "write") by \(sibling.version.origin) claims priority \(sibling.priority); rule delete=\(table.deletes.rawValue) gives it \(table.deletes.priority(deleted: deleted))"
            }
        }
        for (name, siblings) in change.meta.registers.sorted(by: { $0.key < $1.key }) {
            let rule = table.rule(forRegister: name)
            for sibling in siblings where child.contains(sibling.version.origin) {
                if let problem = writerProblem(sibling, table: table) { return problem }
                let allowed = scopes.map { rule.priority(writer: sibling.version.origin, scope: $0) }.max() ?? 0
                guard sibling.priority <= allowed else {
                    return "register \(name): the write by \(sibling.version.origin) claims priority \(sibling.priority); rule \(rule.rawValue) gives it at most \(allowed)"
                }
            }
        }
        return nil
    }

    /// Why `child` may not push `change` given the parent's state of the row (`local`, nil
    /// when the parent has no entry for it), or nil when it may. `evicted` is what the
    /// parent had seen of a row it holds no entry for because it was evicted: a child's
    /// write made before it learnt of the move still goes up.
    ///
    /// A child learns of writes made outside its subtree only from its parent, so every
    /// write its row names from outside (the version, a register's write, a base) must be
    /// one the parent has seen, and its context may not claim to have seen more of them than
    /// the parent has. A previous owner outside the subtree must be one the parent's entry
    /// names. And it may not write a row the parent knows to belong elsewhere after seeing
    /// the write that put it there.
    public static func historyProblem(_ change: Change, local: Change?, evicted: CausalContext? = nil, from child: NodeID, table: TableSchema) -> String? {
        let parent = child.parent?.description ?? "the parent"
        let seen = (local?.meta.context ?? CausalContext()).union(evicted ?? CausalContext()).stamps
        for (named, version) in namedWrites(change) where !child.contains(version.origin) {
            guard let known = seen[version.origin], known >= version.stamp else {
                return "\(named.role) is the write by \(version.origin) at \(version.stamp), outside \(child)'s subtree, which \(parent) has not sent down; a node may only send writes made in its subtree, or received from its parent"
            }
        }
        if let previous = change.previousScope, !child.contains(previous), previous != local?.scope, previous != local?.previousScope {
            return "the row names \(previous) as its previous owner, outside \(child)'s subtree, which \(parent)'s entry for the row does not; a node may only move rows within its subtree"
        }
        for (writer, stamp) in change.meta.context.stamps.sorted(by: { $0.key < $1.key }) where !child.contains(writer) {
            guard let known = seen[writer], known >= stamp else {
                return "the row claims to have seen writes by \(writer) up to \(stamp), which \(parent) has not; a node may only send writes made in its subtree, or received from its parent"
            }
        }
        // The write that gave the row its current owner: the winner of the register that
        // holds the scope column. Only a write made after seeing it is a takeover; one made
        // concurrently is decided by the rules like any concurrent write.
        if let local, !child.contains(local.scope),
           change.meta.context.covers(local.meta.registers[table.isColumnwise ? "scope" : RowMeta.wholeRow]?.ranked().first?.version ?? local.version) {
            return "the row belongs to \(local.scope) at \(parent); \(child) wrote it after seeing that, and may only write rows owned in its subtree"
        }
        return nil
    }

    /// The part of a change that names a write, worded only for a refusal: the check runs
    /// for every row received.
    private enum NamedWrite {
        case version, existence, register(String), base(String)

        var role: String {
            switch self {
            case .version: "the row's version"
            case .existence: "a write of the existence register"
            case let .register(name): "a write of register \(name)"
            case let .base(name): "the base of register \(name)"
            }
        }
    }

    /// The writes a change names, each with the part of the change that names it: the
    /// version first, then the registers' writes and the bases, in a fixed order.
    private static func namedWrites(_ change: Change) -> [(NamedWrite, Version)] {
        var named: [(NamedWrite, Version)] = [(.version, change.version)]
        named += change.meta.existence.map { (.existence, $0.version) }
        for (name, siblings) in change.meta.registers.sorted(by: { $0.key < $1.key }) {
            named += siblings.map { (.register(name), $0.version) }
        }
        for (name, base) in change.meta.bases.sorted(by: { $0.key < $1.key }) {
            named.append((.base(name), base.version))
        }
        return named
    }

    private static func writerProblem(_ sibling: Sibling, table: TableSchema) -> String? {
        let writer = sibling.version.origin
        guard table.writers.contains(writer.tier) else {
            let tiers = Tier.allCases.filter(table.writers.contains).map(\.description).joined(separator: ", ")
            return "table \(table.name) is written only at the \(tiers) tier; the write by \(writer) (a \(writer.tier) node) at \(sibling.version.stamp) is refused"
        }
        return nil
    }
}
