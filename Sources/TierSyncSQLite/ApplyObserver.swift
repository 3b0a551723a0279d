import GRDB
import TierSyncModel

/// Keeps data derived from synced rows (such as the report aggregates) current through
/// applies, in the apply's own transaction. An apply with observers sets
/// `_ts_node.observing = 1` for its duration, so that triggers which keep the same data
/// for other writers can stand aside (`WHEN (SELECT observing FROM _ts_node) = 0`) rather
/// than do the work row by row; an apply without observers leaves it 0 and they run.
public protocol ApplyObserver: Sendable {
    /// The synced tables whose written rows it sees.
    var tables: Set<String> { get }
    /// Starts observing one apply transaction of `changes` changes.
    func begin(_ db: Database, changes: Int) throws -> any ApplyObservation
}

/// One apply transaction, as an observer follows it.
public protocol ApplyObservation: AnyObject {
    /// A row of an observed table was written: its values before (nil when it was not in
    /// the table) and after (nil when it is no longer), in the table's column order.
    func rowWritten(_ table: TableSchema, before: [SQLValue]?, after: [SQLValue]?) throws
    /// Every change is applied; the transaction commits after this returns.
    func finish() throws
}
