import Foundation
import TierSyncStore

/// What a resync did, for the command's summary and `--json`.
public struct ResyncReport: Sendable, Codable, Equatable {
    /// The path taken: `replay` (the cursor's replay sufficed; every digest matched),
    /// `digest` (only the rows of differing ranges moved) or `full` (every row compared).
    public var path = "replay"
    /// Why that path.
    public var reason = ""
    /// True when the run continued one that had stopped halfway.
    public var resumed = false
    /// True when nothing was written (`--dry-run`).
    public var dryRun = false
    /// True when the run started because the pull cursor no longer fitted the parent's log.
    public var cursorBroken = false
    /// True when the node had a capture gap: rows written while its capture triggers were
    /// missing were kept as local writes (`counts.adopted`, `updated`, `deleted`).
    public var captureGap = false
    /// Changes the replay moved before the digests were compared (pushed, pulled).
    public var replayed = 0
    /// The tables compared.
    public var tables: [String] = []
    /// The tables whose digests differed.
    public var differingTables: [String] = []
    /// Rows of this node's tables that the digests covered.
    public var rowsChecked: Int64 = 0
    /// Digest leaves (key ranges) that differed when this run compared digests (every leaf
    /// of every table on the full path).
    public var rangesDiffering = 0
    /// The ranges that the run this one resumed had repaired before it stopped.
    public var rangesSkipped = 0
    /// What the repairs did.
    public var counts = RepairCounts()
    /// Bytes sent to and received from the parent by this run.
    public var bytesMoved: Int64 = 0
    /// Seconds the run took.
    public var seconds = 0.0

    /// An empty report.
    public init() {}
}

/// A step of a resync, for progress output.
public enum ResyncEvent: Sendable {
    /// The path is chosen.
    case path(ResyncReport)
    /// A table's digests were compared.
    case compared(table: String, rows: Int64, differing: Int)
    /// A range of leaves of a table was repaired.
    case repaired(table: String, leaves: Int, of: Int, counts: RepairCounts, bytes: Int64)
}
