import Foundation
import TierSyncModel

/// What a store offers for resync (see `Protocols/SYNC.md` section 15): digests computed
/// from its tables' contents, the states of the rows in chosen digest leaves, the repair of
/// a child's rows against its parent's states, and the progress of a run, kept in the same
/// transactions as the repairs so that a run killed halfway continues where it stopped.
public protocol ResyncStore: ChangeStore {
    /// The digest trees of `tables`, computed in one read snapshot from the table rows and
    /// the log entries of rows held in the tables; only rows whose scope `scopes` selects
    /// are counted (``ScopeSelection``).
    func digests(of tables: [String], scopes: ScopeSelection) async throws -> [String: TableDigest]

    /// The keys of `table` in the leaves `buckets`, whose scope `scopes` selects, each with
    /// its state hash here (``RowDigest/stateHash(key:tableValues:loggedVersion:order:)``).
    /// With the `locations` of an earlier digest, only the rows it placed in those leaves
    /// are read; without, the table and the log are read whole.
    func digestKeys(of table: String, buckets: Set<Int>, locations: DigestLocations?, scopes: ScopeSelection) async throws -> [DigestKey]

    /// The states in this node's log of the rows of `table` in the leaves `buckets` that
    /// `scopes` selects by their scope here, with their values, from one snapshot; with
    /// `locations`, as for ``digestKeys(of:buckets:locations:scopes:)``.
    func states(of table: String, buckets: Set<Int>, locations: DigestLocations?, scopes: ScopeSelection) async throws -> [Change]

    /// Repairs the rows `keys` and those of `parentStates` (a child's, against its
    /// parent's states of the same leaves) in one transaction, which also records `mark`.
    /// `captureGap` says this node has a recorded ``CaptureGap``: rows its table and log
    /// disagree on are then kept as local writes (``RowRepair/decide(local:parent:captureGap:parentPurged:)``).
    /// `parentPurged` is what the parent's purged tombstones of the table had seen: a row
    /// the parent has no state of, whose every write it covers, was deleted above. With
    /// `dryRun`, only decides and counts; nothing is written.
    func repair(table: String, keys: [DigestKey], parentStates: [Change], parentPurged: PurgedHistory, parent: NodeID, mark: ResyncMark?,
                captureGap: Bool, dryRun: Bool) async throws -> RepairCounts

    /// The unfinished resync run against `parent`, if one was started and not finished.
    func resyncRun(with parent: NodeID) async throws -> ResyncRun?

    /// Records the start of a run: its path and tables, replacing any earlier record.
    func beginResync(_ run: ResyncRun) async throws

    /// Forgets a capture gap found before `date`: a resync of every table that started
    /// after it brought the node back into agreement with its parent. A gap found later
    /// stays.
    func clearCaptureGap(foundBefore date: Date) async throws

    /// Ends a run: forgets its progress and, when `cursor` is given, sets the pull cursor
    /// to it in the same transaction.
    func finishResync(with parent: NodeID, cursor: (epoch: String, through: Int64)?) async throws

    /// At a parent: asks `child` to resync at its next pull (`requested`), or clears that.
    func setResyncRequested(for child: NodeID, _ requested: Bool) async throws
}

/// One table's digest at one node.
public struct TableDigest: Sendable, Equatable {
    /// The tree.
    public var tree: DigestTree
    /// The table rows counted in it.
    public var rows: Int64
    /// Where the scan found each row and log entry, by leaf; nil when the store keeps none.
    public var locations: DigestLocations?

    /// Creates a table digest.
    public init(tree: DigestTree, rows: Int64, locations: DigestLocations? = nil) {
        self.tree = tree
        self.rows = rows
        self.locations = locations
    }

    /// Digests are equal when their trees and counts are.
    public static func == (lhs: TableDigest, rhs: TableDigest) -> Bool {
        lhs.tree == rhs.tree && lhs.rows == rhs.rows
    }
}

/// Where a digest scan found each table row and log entry of one table, so that the rows
/// of a few leaves can be read again without reading the table whole. Each element packs
/// the leaf in its top 16 bits and the store's locator (an SQLite rowid or log position)
/// below.
public struct DigestLocations: Sendable {
    /// The table rows (nil when they cannot be located, e.g. a table without rowids).
    public var rows: [UInt64]?
    /// The log entries, tombstones included.
    public var entries: [UInt64]

    /// Creates locations.
    public init(rows: [UInt64]?, entries: [UInt64]) {
        self.rows = rows
        self.entries = entries
    }

    /// Packs a leaf and a locator; nil when the locator does not fit in 48 bits.
    public static func pack(bucket: Int, _ locator: Int64) -> UInt64? {
        guard locator >= 0, locator < 1 << 48 else { return nil }
        return UInt64(bucket) << 48 | UInt64(locator)
    }

    /// The locators of `packed` whose leaf is wanted.
    public static func locators(_ packed: [UInt64], wanted: [Bool]) -> [Int64] {
        packed.compactMap { wanted[Int($0 >> 48)] ? Int64($0 & (1 << 48 - 1)) : nil }
    }
}

/// A key found in a digest leaf, with this node's state hash for it.
public struct DigestKey: Sendable, Hashable {
    /// The leaf.
    public var bucket: Int
    /// The key values, in key-column order.
    public var key: [SQLValue]
    /// The state hash (0 when neither the table row nor a held log entry counts here).
    public var hash: UInt64

    /// Creates a digest key.
    public init(bucket: Int, key: [SQLValue], hash: UInt64) {
        self.bucket = bucket
        self.key = key
        self.hash = hash
    }
}

/// Where a resync run stands in one table: recorded with each repaired range.
public struct ResyncMark: Sendable, Equatable {
    /// The table.
    public var table: String
    /// The highest leaf repaired so far; every differing leaf up to it is done.
    public var doneThrough: Int
    /// True when the table is done.
    public var finished: Bool
    /// The number of leaves this transaction repairs.
    public var ranges: Int

    /// Creates a mark.
    public init(table: String, doneThrough: Int, finished: Bool, ranges: Int = 0) {
        self.table = table
        self.doneThrough = doneThrough
        self.finished = finished
        self.ranges = ranges
    }
}

/// A resync run as recorded at the child, so that a run killed halfway continues.
public struct ResyncRun: Sendable, Equatable {
    /// The parent the child repairs against.
    public var parent: NodeID
    /// The path chosen: `digest` or `full`.
    public var path: String
    /// The parent's log epoch and head read before its digests were computed; the pull
    /// cursor is set to them at the end when the old cursor was broken.
    public var parentEpoch: String
    /// See ``parentEpoch``.
    public var parentHead: Int64
    /// True when the run started because the pull cursor no longer fitted the parent's log.
    public var cursorBroken: Bool
    /// Per table: the highest leaf done (-1 for none) and whether the table is finished.
    public var tables: [String: ResyncMark]
    /// What the run has done so far, summed over its transactions.
    public var counts: RepairCounts

    /// Creates a run record.
    public init(parent: NodeID, path: String, parentEpoch: String, parentHead: Int64, cursorBroken: Bool, tables: [String: ResyncMark], counts: RepairCounts = RepairCounts()) {
        self.parent = parent
        self.path = path
        self.parentEpoch = parentEpoch
        self.parentHead = parentHead
        self.cursorBroken = cursorBroken
        self.tables = tables
        self.counts = counts
    }
}

/// What the repair of some rows did (or, in a dry run, would do).
public struct RepairCounts: Sendable, Equatable, Codable {
    /// Digest leaves (key ranges) repaired.
    public var ranges = 0
    /// Keys compared.
    public var compared = 0
    /// Keys whose state equalled the parent's.
    public var same = 0
    /// Rows that took the parent's state (pulled).
    public var pulled = 0
    /// Rows pushed again, or logged as new local writes to be pushed (adopted, updated, deleted).
    public var pushed = 0
    /// Rows added behind the back, logged as new local writes.
    public var adopted = 0
    /// Rows edited while the capture triggers were missing, logged as new local updates.
    public var updated = 0
    /// Rows lost from the table behind the back, logged as local deletions.
    public var deleted = 0
    /// Rows removed from the table because they are not in this node's scope.
    public var evicted = 0
    /// Rows removed that were neither in scope nor logged; their values are in the error queue.
    public var quarantined = 0
    /// Parent states this node refused (in the error queue).
    public var rejected = 0

    /// No counts.
    public init() {}

    /// Reads counts, each absent one as 0 (a run recorded by an earlier TierSync lacks some).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> Int { try container.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        ranges = try count(.ranges)
        compared = try count(.compared)
        same = try count(.same)
        pulled = try count(.pulled)
        pushed = try count(.pushed)
        adopted = try count(.adopted)
        updated = try count(.updated)
        deleted = try count(.deleted)
        evicted = try count(.evicted)
        quarantined = try count(.quarantined)
        rejected = try count(.rejected)
    }

    /// The sum of two counts.
    public static func + (lhs: RepairCounts, rhs: RepairCounts) -> RepairCounts {
        var sum = lhs
        sum.ranges += rhs.ranges
        sum.compared += rhs.compared
        sum.same += rhs.same
        sum.pulled += rhs.pulled
        sum.pushed += rhs.pushed
        sum.adopted += rhs.adopted
        sum.updated += rhs.updated
        sum.deleted += rhs.deleted
        sum.evicted += rhs.evicted
        sum.quarantined += rhs.quarantined
        sum.rejected += rhs.rejected
        return sum
    }

    /// The rows changed here or queued for the parent.
    public var repaired: Int { pulled + pushed + evicted + quarantined }
}

extension ResyncStore {
    /// Repairs against a parent that purged nothing of the table.
    public func repair(table: String, keys: [DigestKey], parentStates: [Change], parent: NodeID, mark: ResyncMark?,
                       captureGap: Bool, dryRun: Bool) async throws -> RepairCounts {
        try await repair(table: table, keys: keys, parentStates: parentStates, parentPurged: PurgedHistory(), parent: parent, mark: mark,
                         captureGap: captureGap, dryRun: dryRun)
    }
}
