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
///   - a table row with its entry is pushed again, unless the parent's purged history
///     (``PurgedHistory``, SYNC.md 14.3) covers every write the entry has seen: the row was
///     deleted above and the deletion purged, so the child drops it as an eviction would
///     (nothing is pushed, and an eviction record tells its own children);
///   - an entry that says the row is held, without the row, was deleted behind the back
///     and nobody above has it: the deletion becomes a new local write.
///
/// With a capture gap recorded (``decide(local:parent:captureGap:)``), a difference
/// between the table and the log is taken for a write the missing triggers did not log,
/// and kept as a new local write instead of being replaced by the parent's state. Where
/// the parent has the row, and the child's table row is in its scope:
///   - no readable entry: the row is adopted (``adopt``), a write concurrent with the
///     parent's state, which the rules rank against it once pushed;
///   - the entry is at the parent's version and held, with other values in the table: an
///     update (``updateLocally``) made after seeing that version;
///   - the entry is at the parent's version and not held (a deletion, or an eviction):
///     an insert (``adopt``) made after seeing it;
///   - the entry is at the parent's version and held, without a table row: a deletion
///     (``deleteLocally``) made after seeing it.
/// Every other case is decided as without a gap; in particular a row whose values were
/// moved out of the child's scope takes the parent's state.
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
    /// Drop the row and its entry without logging a deletion, keeping an eviction record for
    /// this node's children: the row was deleted above, where the deletion has been purged.
    case dropDeleted
    /// Log the table row as a new local update of the entry's version: its values were
    /// written while the capture triggers were missing.
    case updateLocally

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

    /// Decides what to do with one row. `captureGap` says the node's capture triggers were
    /// found missing since its last complete resync: differences between its table and its
    /// log at the parent's version are then local writes to keep, not damage to undo.
    /// `parentPurged` is what the parent's purged tombstones of the row's table had seen.
    public static func decide(local: Local, parent: Change?, captureGap: Bool, parentPurged: PurgedHistory = PurgedHistory()) -> RowRepair {
        if let parent {
            guard let entry = local.entry else {
                return captureGap && local.values != nil && local.valuesInScope ? .adopt : .takeParent
            }
            if entry.version == parent.version {
                return captureGap ? uncaptured(local, parent: parent) ?? .takeParent : .takeParent
            }
            if local.values == nil && local.entryHeld {
                return parent.meta.context.covers(entry.version) ? .takeParent : .deleteLocally
            }
            return .merge
        }
        if local.values != nil {
            if !local.valuesInScope { return local.entry == nil ? .quarantine : .evict }
            guard let entry = local.entry, local.entryHeld else { return .adopt }
            return parentPurged.covers(entry.meta.context) ? .dropDeleted : .repush
        }
        return local.entryHeld ? .deleteLocally : .none
    }

    /// The write the missing triggers did not log, for a row whose entry is at the parent's
    /// version; nil when the table row is out of scope or agrees with the parent's values.
    private static func uncaptured(_ local: Local, parent: Change) -> RowRepair? {
        guard let values = local.values else { return local.entryHeld ? .deleteLocally : nil }
        guard local.valuesInScope else { return nil }
        if !local.entryHeld { return .adopt }
        return values == parent.values ? nil : .updateLocally
    }
}
