/// What a node keeps of the tombstones it purged: for each table, the newest stamp of each
/// writer in their causal contexts (SYNC.md 14.3).
///
/// A tombstone is purged only once every peer has it and it is older than the grace period;
/// but a node that wrote the same key again afterwards would otherwise write it as if it had
/// never seen the deletion, and a node still holding the tombstone would meet the two as
/// concurrent writes and let the table's rules choose (under `delete = delete`, or under
/// `tier`, the old deletion or the old values could win over the new write). A new row
/// written locally therefore starts from this history: its context covers the purged
/// deletions, exactly as it would have covered the tombstone.
///
/// Only the writers that can write a row of the new row's scope are kept in its context:
/// the scope's ancestors, itself and the nodes below it. Rows of other scopes never share
/// writes with it, and a context stays a few entries long.
public struct PurgedHistory: Sendable, Equatable {
    /// The newest purged stamp of each writer.
    public private(set) var seen: CausalContext

    /// Creates the history from what was kept.
    public init(_ seen: CausalContext = CausalContext()) {
        self.seen = seen
    }

    /// Adds the context of a tombstone being purged.
    public mutating func forget(_ tombstone: CausalContext) {
        seen = seen.union(tombstone)
    }

    /// The metadata a row written anew at a key with no log entry starts from, nil when no
    /// purged writer can have written a row of `scope`.
    public func start(forScope scope: NodeID?) -> RowMeta? {
        let kept = seen.stamps.filter { writer, _ in
            guard let scope else { return true }
            return writer.contains(scope) || scope.contains(writer)
        }
        return kept.isEmpty ? nil : RowMeta(context: CausalContext(kept))
    }
}
