/// How much a node's change log holds: what grows with the rows it has seen, and what a
/// purge of acknowledged history shrinks.
public struct LogSize: Codable, Sendable, Equatable {
    /// Log entries: one per row this node has logged, held or deleted.
    public var entries: Int
    /// The entries of deleted rows (tombstones), kept so that a late, older write of the row
    /// cannot bring it back.
    public var deleted: Int
    /// Eviction records: a row that left a scope, kept so the nodes that held it there drop it.
    public var evictionRecords: Int
    /// The database file and its write-ahead log, in bytes.
    public var fileBytes: Int64
    /// The highest log position of anything a purge removed (0 before any); absent from a
    /// node of a TierSync before retention.
    public var purgedThrough: Int64?

    /// Creates a log size.
    public init(entries: Int, deleted: Int, evictionRecords: Int, fileBytes: Int64, purgedThrough: Int64? = nil) {
        self.entries = entries
        self.deleted = deleted
        self.evictionRecords = evictionRecords
        self.fileBytes = fileBytes
        self.purgedThrough = purgedThrough
    }
}
