/// How much a node's change log holds: what grows with the rows it has seen, and what only
/// a purge of acknowledged history could shrink.
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

    /// Creates a log size.
    public init(entries: Int, deleted: Int, evictionRecords: Int, fileBytes: Int64) {
        self.entries = entries
        self.deleted = deleted
        self.evictionRecords = evictionRecords
        self.fileBytes = fileBytes
    }
}
