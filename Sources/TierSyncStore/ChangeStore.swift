import Foundation
import TierSyncModel

/// The one interface the sync engine uses to reach a node's data. SQLite implements it
/// today; a second backend (PostgreSQL at the group) implements the same calls, and the
/// engine does not change.
///
/// Every call that changes data is one transaction: the data, the change-log entries and
/// the cursor it covers commit together or not at all.
public protocol ChangeStore: Sendable {
    /// The node this store belongs to.
    var node: NodeID { get }
    /// The synced tables, with their columns and keys filled in from the database.
    var schema: SyncSchema { get }
    /// A random id fixed when the change log was created. A different epoch at the same
    /// address means a different log: cursors into the old one mean nothing there.
    var epoch: String { get }

    /// Reads the change log after `sequence`, in log order, and returns the changes that
    /// `selection` wants, with their current values, from one consistent snapshot. The
    /// backend applies the selection's routing rule itself (``LogSelection``).
    ///
    /// Stops after `limit` selected changes and evictions, `scanLimit` scanned entries, or
    /// changes of `byteLimit` bytes (``Change/estimatedBytes``), whichever comes first, and
    /// only between log positions; a batch holds at least one change whatever its size. A
    /// backend whose query passes over entries the selection does not want need not count
    /// them, and a read that reaches the end of the log reports the log head as scanned.
    /// When the selection reads eviction records (a pull), the batch also holds the
    /// evictions of those it wants, each with the row's key only.
    func changes(after sequence: Int64, limit: Int, scanLimit: Int, byteLimit: Int, selecting selection: LogSelection) async throws -> ChangeBatch

    /// Counts the log entries after `sequence` that `selection` wants, without reading rows.
    func countEntries(after sequence: Int64, selecting selection: LogSelection) async throws -> Int

    /// Applies remote changes in one transaction, merging each into the row's state here
    /// (``RowMerge``), logging what changed with its merged registers, recording the
    /// conflicts met, and advancing `cursor` in the
    /// same transaction.
    ///
    /// Evictions (from a pull) are applied after the changes: each drops the row, and its
    /// log entry, when the evicting node has seen every write the row's state here holds,
    /// and keeps an eviction record so that this node's children drop it too.
    ///
    /// `kept` are received changes this node cannot store yet (``KeptChange``): they are
    /// stored as they are, in the same transaction, and applied later with
    /// ``CursorAdvance/released(kept:source:fromChild:)``.
    func apply(_ changes: [Change], evictions: [Eviction], keeping kept: [KeptChange], cursor: CursorAdvance) async throws -> ApplyOutcome

    /// The kept changes with ids above `id`, oldest first, at most `limit`.
    func keptChanges(after id: Int64, limit: Int) async throws -> [KeptChange]

    /// How many kept changes wait, by table.
    func keptCounts() async throws -> [String: Int]

    /// The cursor and contact record kept for a peer, if any.
    func peer(_ node: NodeID) async throws -> PeerState?

    /// All peer records.
    func peers() async throws -> [PeerState]

    /// Records a contact with a peer that moved no data: a successful exchange (error nil)
    /// or a failure (its message), and optionally a corrected push position.
    func recordContact(with node: NodeID, role: PeerRole, pushed: Int64?, pulled: Int64?, error: String?) async throws

    /// At a parent: records that a pull answer to `child` covered this node's log through
    /// `through`, before the answer is sent. A child whose cursor lies beyond the highest
    /// position recorded holds a cursor into a log this node no longer has (it was
    /// restored from a backup). It records nothing for a child without a peer record (one
    /// removed while the pull was held stays removed).
    func recordServed(to child: NodeID, through: Int64) async throws

    /// The highest sequence the change log has issued.
    func logHead() async throws -> Int64

    /// The node's hybrid clock: the last stamp it issued or took in (`_ts_node`).
    func clock() async throws -> HybridTimestamp

    /// The number of rows in each synced table.
    func rowCounts() async throws -> [String: Int]

    /// What the change log holds: entries, tombstones, eviction records, the file's size,
    /// and how far a purge has removed history.
    func logSize() async throws -> LogSize

    /// Removes, in one transaction, the tombstones of `request.tables` and the eviction
    /// records at log positions up to `request.through` whose writes are older than
    /// `request.before`, and records the highest position removed. Nothing else changes:
    /// not the rows, not the other entries, not the clock.
    func purge(_ request: PurgeRequest) async throws -> PurgeOutcome

    /// The highest log position of anything a purge removed (0 before any): a reader whose
    /// cursor lies below it may have missed a deletion there.
    func purgedThrough() async throws -> Int64

    /// What this node's purged tombstones of `table` had seen (``PurgedHistory``).
    func purgedHistory(of table: String) async throws -> PurgedHistory

    /// Records that every peer had acknowledged this node's log through `through` at `at`,
    /// and returns the position every peer had acknowledged at least `age` seconds before
    /// `at`, by the records kept (0 when none is that old).
    func recordHorizon(_ through: Int64, at: Date, age: Int) async throws -> Int64

    /// The number of changes this node refused and holds in its error queue.
    func rejectedCount() async throws -> Int

    /// The newest changes of the error queue, newest first.
    func rejections(limit: Int) async throws -> [RejectedChange]

    /// Records in the error queue the changes the parent refused from this node's push.
    func recordRefusals(_ rejections: [RejectedChange], by parent: NodeID) async throws

    /// The conflicts met here, newest first: the open and decided ones, or with `all` the
    /// resolved ones too.
    func conflicts(all: Bool, limit: Int) async throws -> [ConflictRecord]

    /// The number of conflicts waiting for an operator (`manual` rules).
    func openConflictCount() async throws -> Int

    /// The number of conflicts recorded here, whatever their status.
    func conflictCount() async throws -> Int

    /// The number of local writes the capture triggers have logged since the store was
    /// created (a key-changing update counts once).
    func capturedCount() async throws -> Int64

    /// Capture triggers found missing and reinstalled since the last resync or
    /// acknowledgement, or nil when none were.
    func captureGap() async throws -> CaptureGap?

    /// Keeps the summaries a child sent of its subtree (its own first), replacing those it
    /// sent before.
    func recordSubtree(_ nodes: [NodeSummary], from child: NodeID) async throws

    /// The subtree summaries every child last sent, by child id.
    func subtrees() async throws -> [SubtreeRecord]

    /// Applies an operator's choice as a new local write, which supersedes both sides
    /// everywhere it propagates, and marks the conflict resolved in the same transaction.
    func resolveConflict(id: Int64, keep choice: ConflictChoice) async throws -> ConflictRecord
}

extension ChangeStore {
    /// Reads the log after `sequence` with the default byte bound (``ChangeBatch/byteLimit``).
    public func changes(after sequence: Int64, limit: Int, scanLimit: Int, selecting selection: LogSelection) async throws -> ChangeBatch {
        try await changes(after: sequence, limit: limit, scanLimit: scanLimit, byteLimit: ChangeBatch.byteLimit, selecting: selection)
    }

    /// Applies remote changes, without evictions (a push, or a repair).
    public func apply(_ changes: [Change], cursor: CursorAdvance) async throws -> ApplyOutcome {
        try await apply(changes, evictions: [], keeping: [], cursor: cursor)
    }

    /// Applies remote changes and evictions, with nothing to keep.
    public func apply(_ changes: [Change], evictions: [Eviction], cursor: CursorAdvance) async throws -> ApplyOutcome {
        try await apply(changes, evictions: evictions, keeping: [], cursor: cursor)
    }
}

/// A run of changes read from the log.
public struct ChangeBatch: Sendable {
    /// The bytes of changes a batch holds at most, unless its first change alone is larger:
    /// 8 MiB, so that a push or a pull answer of wide rows stays a few tens of MB in memory.
    public static let byteLimit = 8 << 20

    /// The changes kept, in log order.
    public var changes: [Change]
    /// The evictions kept, in log order: rows that left a scope the reader's peer holds.
    public var evictions: [Eviction]
    /// The last log position scanned. A cursor may advance to it even when fewer
    /// changes were kept.
    public var scannedThrough: Int64
    /// True when the log holds entries beyond `scannedThrough`.
    public var more: Bool

    /// Creates a batch.
    public init(changes: [Change], evictions: [Eviction] = [], scannedThrough: Int64, more: Bool) {
        self.changes = changes
        self.evictions = evictions
        self.scannedThrough = scannedThrough
        self.more = more
    }
}

/// The cursor an apply advances in its own transaction.
public enum CursorAdvance: Sendable, Equatable {
    /// A parent applying a child's push: the child's log is applied through `through`.
    case pushedBy(child: NodeID, after: Int64, through: Int64)
    /// A child applying a pull: the parent's log (with this epoch) is applied through `through`.
    case pulledFrom(parent: NodeID, epoch: String, through: Int64)
    /// Kept changes (``KeptChange``) from `source` applied now that they fit: they leave
    /// the store's keeping in the same transaction. With `fromChild`, the source's rights
    /// as a child apply, as they did to its push.
    case released(kept: [Int64], source: NodeID, fromChild: Bool)
    /// No cursor (tests, repairs).
    case none
}

/// What an apply did.
public struct ApplyOutcome: Sendable, Equatable, Codable {
    /// Changes that won and were written.
    public var applied: Int
    /// Changes that lost to, or equalled, the version already held.
    public var skipped: Int
    /// Rows removed because they no longer belong in this node's scope.
    public var evicted: Int
    /// Changes refused, each with its reason; they are kept in the error queue.
    public var rejected: [RejectedChange]
    /// Concurrent writes that met here for the first time; each is in the conflict listing.
    public var conflicts: Int

    /// Creates an outcome.
    public init(applied: Int = 0, skipped: Int = 0, evicted: Int = 0, rejected: [RejectedChange] = [], conflicts: Int = 0) {
        self.applied = applied
        self.skipped = skipped
        self.evicted = evicted
        self.rejected = rejected
        self.conflicts = conflicts
    }

    private enum CodingKeys: String, CodingKey {
        case applied, skipped, evicted, rejected, conflicts
    }

    /// Decodes an outcome; `conflicts` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        applied = try container.decode(Int.self, forKey: .applied)
        skipped = try container.decode(Int.self, forKey: .skipped)
        evicted = try container.decode(Int.self, forKey: .evicted)
        rejected = try container.decode([RejectedChange].self, forKey: .rejected)
        conflicts = try container.decodeIfPresent(Int.self, forKey: .conflicts) ?? 0
    }
}

/// A change the receiver refused, and why.
public struct RejectedChange: Sendable, Equatable, Codable {
    /// The entry's number in the error queue, once recorded.
    public var id: Int64?
    /// When it was refused, once recorded.
    public var receivedAt: Date?
    /// The peer that sent it, once recorded.
    public var peer: String?
    /// The table named by the change.
    public var table: String
    /// The key, as text.
    public var key: String
    /// The version the change carried.
    public var version: String
    /// What is wrong and what to do.
    public var reason: String

    /// Creates a rejection record.
    public init(table: String, key: String, version: String, reason: String, id: Int64? = nil, receivedAt: Date? = nil, peer: String? = nil) {
        self.id = id
        self.receivedAt = receivedAt
        self.peer = peer
        self.table = table
        self.key = key
        self.version = version
        self.reason = reason
    }
}

/// Which side of a tier boundary a peer is on.
public enum PeerRole: String, Sendable, Codable {
    /// The node this one pushes to and pulls from.
    case parent
    /// A node that pushes to and pulls from this one.
    case child
}

/// The cursors and contact record a node keeps for one peer.
public struct PeerState: Sendable, Equatable, Codable {
    /// The peer's id.
    public var node: NodeID
    /// Whether the peer is this node's parent or one of its children.
    public var role: PeerRole
    /// At a child: its own log position the parent acknowledged. At a parent: the child's
    /// log position applied here.
    public var pushed: Int64
    /// At a child: the parent's log position applied here. At a parent: the position the
    /// child last said it had applied.
    public var pulled: Int64
    /// The parent's log epoch that `pulled` refers to (at a child).
    public var epoch: String?
    /// The last successful exchange with the peer.
    public var lastContact: Date?
    /// The last failure, cleared by the next success.
    public var lastError: String?
    /// At a parent: the highest position of its log a pull answer to this child covered;
    /// nil when not recorded yet.
    public var served: Int64?
    /// At a parent: true when an operator asked this child to resync at its next pull.
    public var resyncRequested: Bool?
    /// At a parent: the time of the newest change received from this child (the highest
    /// version stamp its pushes carried). Absent before its first change.
    public var newestChange: Date?

    /// Creates a peer record.
    public init(node: NodeID, role: PeerRole, pushed: Int64 = 0, pulled: Int64 = 0, epoch: String? = nil, lastContact: Date? = nil, lastError: String? = nil,
                served: Int64? = nil, resyncRequested: Bool? = nil, newestChange: Date? = nil) {
        self.node = node
        self.role = role
        self.pushed = pushed
        self.pulled = pulled
        self.epoch = epoch
        self.lastContact = lastContact
        self.lastError = lastError
        self.served = served
        self.resyncRequested = resyncRequested
        self.newestChange = newestChange
    }
}
