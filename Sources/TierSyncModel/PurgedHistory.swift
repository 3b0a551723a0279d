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
/// The whole history of the table is kept, not only the writers of the new row's scope: a
/// row that moved from another scope before it was deleted carries writers of both, and
/// the key may come back in either. A context of a row written anew at a node that purged
/// many writers' deletions (the group) is that much longer.
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

    /// The metadata a row written anew at a key with no log entry starts from; nil when
    /// nothing was purged.
    public var start: RowMeta? {
        seen.stamps.isEmpty ? nil : RowMeta(context: seen)
    }

    /// True when the purged deletions had seen every write `context` has seen: a row in
    /// that state was deleted where this history was kept (SYNC.md 14.3).
    public func covers(_ context: CausalContext) -> Bool {
        !context.stamps.isEmpty && seen.covers(context)
    }
}
