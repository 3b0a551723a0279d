/// What a resync does to one row of a child whose digest differs from its parent's.
///
/// The child's state of a row is its table row (values, read as they are) and its log
/// entry (version and registers). Both can disagree with each other when the file was
/// edited while the capture triggers were off; the parent's state is its log entry with
/// its values. Versions and the conflict rules decide, and nothing newer on either side
/// is overwritten:
///
/// - the parent has the row's state:
///   - the child has no readable entry for it: take the parent's state (a table row
///     added behind the back has no version, and the parent's state wins);
///   - the child's entry is at the parent's version: take the parent's values (a row
///     edited or deleted behind the back has no version of its own);
///   - the child lost the row from its table although its entry says it holds it, and the
///     parent's state has not seen the child's version: the values of that version are
///     gone everywhere reachable, so the child records a deletion of the row as a new
///     local write, which the rules then rank against the parent's;
///   - otherwise merge the parent's state into the child's (the child's values taken as
///     those of its entry's version); if the merge changes nothing, the child's state is
///     the newer and is pushed again;
/// - the parent has no state of the row:
///   - a table row outside the child's scope is removed without logging a delete (an
///     eviction: its values stay in the child's log entry; one without an entry is
///     moved to the error queue);
///   - a table row without a live entry was added behind the back: it becomes a new local
///     write, pushed like any other;
///   - a table row with its entry is pushed again;
///   - an entry that says the row is held, without the row, was deleted behind the back
///     and nobody above has it: the deletion becomes a new local write.
public enum RowRepair: String, Sendable, Codable, CaseIterable {
    /// The row is as the parent holds it.
    case none
    /// Take the parent's state, values included, even at the same version.
    case takeParent
    /// Merge the parent's state into the child's; push the child's again if it is newer.
    case merge
    /// Push the child's state again (its log entry moves to a new position).
    case repush
    /// Log the table row as a new local insert.
    case adopt
    /// Remove the table row, keeping its values in its log entry: it is not in scope.
    case evict
    /// Remove a table row that is neither in scope nor logged, into the error queue.
    case quarantine
    /// Log a deletion of the row as a new local write.
    case deleteLocally

    /// The child's state of one row, as a resync reads it.
    public struct Local: Sendable {
        /// The row in the table, in column order; nil when the table has no such row.
        public var values: [SQLValue]?
        /// True when the table row's scope is a node this child holds the row for.
        public var valuesInScope: Bool
        /// The row's log entry, with its values when they are not in the table; nil when
        /// there is none or it cannot be read.
        public var entry: Change?
        /// True when the entry says the row is held in the table (live, no `tomb`).
        public var entryHeld: Bool

        /// Creates a local state.
        public init(values: [SQLValue]?, valuesInScope: Bool, entry: Change?, entryHeld: Bool) {
            self.values = values
            self.valuesInScope = valuesInScope
            self.entry = entry
            self.entryHeld = entryHeld
        }
    }

    /// Decides what to do with one row.
    public static func decide(local: Local, parent: Change?) -> RowRepair {
        if let parent {
            guard let entry = local.entry else { return .takeParent }
            if entry.version == parent.version { return .takeParent }
            if local.values == nil && local.entryHeld {
                return parent.meta.context.covers(entry.version) ? .takeParent : .deleteLocally
            }
            return .merge
        }
        if local.values != nil {
            if !local.valuesInScope { return local.entry == nil ? .quarantine : .evict }
            return local.entry != nil && local.entryHeld ? .repush : .adopt
        }
        return local.entryHeld ? .deleteLocally : .none
    }
}
