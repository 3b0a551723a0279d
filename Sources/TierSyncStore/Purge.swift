import TierSyncModel

/// What a purge may forget: the tombstones and eviction records every peer that needs them
/// has acknowledged, once they are old enough that no late copy of an earlier write can
/// still be on its way.
///
/// The engine decides every bound (``RetentionHorizon``, the grace period, which tables keep
/// their tombstones); the store only removes what the request names, in one transaction.
public struct PurgeRequest: Sendable, Equatable {
    /// The highest log position every peer that needs the entries has acknowledged: nothing
    /// after it goes.
    public var through: Int64
    /// Only tombstones whose version, and eviction records whose newest write, are older
    /// than this stamp go.
    public var before: HybridTimestamp
    /// The tables whose tombstones may go. Eviction records go whatever their table. A
    /// store never purges the tombstones of a table it keeps changes of (``KeptChange``),
    /// judged in the purge's own transaction: a kept change applied later must still meet
    /// the deletions it is concurrent with.
    public var tables: Set<String>
    /// The most tombstones, and the most eviction records, one purge reads: it bounds the
    /// transaction and its memory. The default is 5000.
    public var limit: Int

    /// Creates a request.
    public init(through: Int64, before: HybridTimestamp, tables: Set<String>, limit: Int = 5000) {
        self.through = through
        self.before = before
        self.tables = tables
        self.limit = limit
    }
}

/// What a purge removed.
public struct PurgeOutcome: Sendable, Equatable, Codable {
    /// Tombstones removed from the change log.
    public var tombstones: Int
    /// Eviction records removed.
    public var evictionRecords: Int
    /// The highest log position of anything a purge has removed from this store so far
    /// (this one or an earlier one): a reader that starts below it may miss a deletion.
    public var purgedThrough: Int64
    /// True when the purge stopped at its limit: another may find more to remove.
    public var more: Bool

    /// Creates an outcome.
    public init(tombstones: Int, evictionRecords: Int, purgedThrough: Int64, more: Bool) {
        self.tombstones = tombstones
        self.evictionRecords = evictionRecords
        self.purgedThrough = purgedThrough
        self.more = more
    }
}
