import Foundation
import GRDB
import TierSyncModel

/// Turns local writes into change-log entries inside the caller's write transaction: the
/// clock gives each its stamp (``HybridClock``, from the write's own time), and the row's
/// entry gets the metadata of a local write (``RowMeta``), moves to the write's position
/// and, when an update changed the row's scope, leaves an eviction record of the old one.
///
/// Each write takes the next log position, in capture order, as if it had been logged when
/// it was made: a row written several times between two folds gets a version, and a base,
/// for each write, and ends at the position of its last.
struct CaptureFold {
    let db: Database
    let node: NodeID
    private var clock: HybridClock
    private var head: Int64
    /// The entries written by this fold and not yet stored, by table and key text.
    private var entries: [EntryKey: LogState] = [:]
    /// The application writes folded and not yet counted in `_ts_node.captured` (an
    /// update that changed a key counts once).
    private var writes: Int64 = 0
    /// The stamp of a key change just folded, which the insert of its new key takes.
    private var keyChangeStamp: HybridTimestamp?
    /// Every application write this fold folded.
    private(set) var folded: Int64 = 0
    /// What was seen of each table's purged tombstones, read once per table.
    private var purged: [String: PurgedHistory] = [:]

    struct EntryKey: Hashable {
        let table: String
        let key: String
    }

    /// A row's change-log entry.
    struct LogState {
        var seq: Int64
        var version: Version
        var source: String
        var scope: String
        var previousScope: String?
        var deleted: Bool
        var meta: RowMeta
        var tomb: String?
        var born: Int64?
    }

    /// The captures read at a time from `_ts_capture`: bounds the fold's memory.
    static let chunk = 2000

    init(db: Database, node: NodeID) throws {
        self.db = db
        self.node = node
        clock = HybridClock(last: HybridTimestamp(rawValue: try Int64.fetchOne(db, sql: "SELECT hlc FROM _ts_node WHERE id = 1") ?? 0))
        head = try SQLiteStore.logHead(db)
    }

    /// Folds every capture waiting in `_ts_capture` into the log, oldest first, and empties
    /// it. Returns the number of application writes folded.
    @discardableResult
    static func foldPending(_ db: Database, node: NodeID, schema: SyncSchema) throws -> Int64 {
        guard try SQLiteStore.hasCaptures(db) else { return 0 }
        let width = try db.columns(in: "_ts_capture").count - 6
        let images = (0..<width).map { ", " + CaptureSQL.imageColumn($0) }.joined()
        let read = try db.makeStatement(sql: "SELECT pos, tbl, op, at, scope, changed\(images) FROM _ts_capture ORDER BY pos LIMIT \(chunk)")
        var fold = try CaptureFold(db: db, node: node)
        while true {
            var last: Int64?
            let rows = try Row.fetchCursor(read)
            while let row = try rows.next() {
                last = row[0]
                    guard let table = schema.table(named: row[1]), let operation = Capture.Operation(rawValue: row[2] ?? "") else {
                    // A table no longer synced, or a row not written by a trigger: nothing
                    // to log, but its position is issued, so the log head never goes back.
                    fold.head += 1
                    continue
                }
                let image = table.columns.indices.map { $0 < width ? SQLValue(row[6 + $0] as DatabaseValue) : .null }
                try fold.fold(Capture(table: table, operation: operation, at: row[3] ?? 0, scope: SQLValue(row[4] as DatabaseValue),
                                      changed: row[5], image: image))
            }
            guard let last else { break }
            try fold.store()
            try db.execute(sql: "DELETE FROM _ts_capture WHERE pos <= ?", arguments: [last])
        }
        return fold.folded
    }

    /// Logs `captures`, made by the store itself, as local writes.
    static func record(_ db: Database, node: NodeID, captures: [Capture]) throws {
        var fold = try CaptureFold(db: db, node: node)
        for capture in captures { try fold.fold(capture) }
        try fold.store()
    }

    /// The version of a local write made now that the store logs by itself, the clock
    /// advanced past it.
    static func nextVersion(_ db: Database, node: NodeID) throws -> Version {
        var fold = try CaptureFold(db: db, node: node)
        let version = Version(stamp: fold.clock.tick(nowMillis: Int64(Date().timeIntervalSince1970 * 1000)), origin: node)
        try db.execute(sql: "UPDATE _ts_node SET hlc = max(hlc, ?) WHERE id = 1", arguments: [version.stamp.rawValue])
        return version
    }

    /// Logs one write at the next position.
    mutating func fold(_ capture: Capture) throws {
        head += 1
        if capture.operation != .keyChange {
            writes += 1
            folded += 1
        }
        let table = capture.table
        // The new key of an update that changed it shares the stamp of the old key's deletion.
        let stamp = capture.operation == .insert ? keyChangeStamp ?? clock.tick(nowMillis: capture.at) : clock.tick(nowMillis: capture.at)
        keyChangeStamp = capture.operation == .keyChange ? stamp : nil
        let version = Version(stamp: stamp, origin: node)
        let scope = capture.loggedScope.textValue ?? ""
        let id = EntryKey(table: table.name, key: KeyText.text(capture.key))
        let earlier = try entries[id] ?? load(id)
        // A key with no entry may be one whose tombstone was purged: the write starts from
        // what was seen of the purged deletions (SYNC.md 14.3).
        let start = try earlier?.meta ?? history(table.name).start
        let meta = capture.meta(after: start, version: version)
        let entry = LogState(
            seq: head, version: version, source: node.description, scope: scope,
            previousScope: earlier.map { $0.scope != scope ? $0.scope : $0.previousScope } ?? nil,
            deleted: capture.deletes, meta: meta, tomb: capture.deletes ? MetaText.text(capture.image) : nil,
            born: earlier == nil ? head : earlier?.born)
        entries[id] = entry
        if capture.operation == .update, capture.recordsMove, let oldScope = table.scopeIndex.map({ capture.image[$0] }), oldScope != capture.scope {
            try recordMove(id, entry: entry, from: oldScope)
        }
    }

    /// Records that an update moved the row out of the scope `old`, at the position its
    /// entry just moved to, and forgets any eviction from its new scope.
    private func recordMove(_ id: EntryKey, entry: LogState, from old: SQLValue) throws {
        if let left = old.textValue {
            try db.execute(sql: ChangeLogSQL.recordEviction, arguments: [
                id.table, id.key, left, entry.seq, entry.source, MetaText.text(entry.meta.context), entry.born,
            ])
        }
        try db.execute(sql: ChangeLogSQL.forgetEviction, arguments: [id.table, id.key, entry.scope])
    }

    /// The row's entry as the log holds it; nil when it has none. Unreadable metadata counts
    /// as none: the write starts it anew.
    private func load(_ id: EntryKey) throws -> LogState? {
        let statement = try db.cachedStatement(sql: "SELECT \(LoggedEntry.columns) FROM _ts_log WHERE tbl = ? AND pk = ?")
        statement.setUncheckedArguments([id.table, id.key])
        guard let row = try LoggedEntry.read(statement) else { return nil }
        return LogState(
            seq: row.seq, version: Version(stamp: HybridTimestamp(rawValue: row.hlc), origin: (try? NodeID(row.origin)) ?? node),
            source: row.source, scope: row.scope, previousScope: row.previousScope, deleted: row.deleted,
            meta: (try? MetaText.meta(row.meta)) ?? RowMeta(), tomb: row.tomb, born: row.born)
    }

    /// What was seen of `table`'s purged tombstones (`_ts_purged`).
    private mutating func history(_ table: String) throws -> PurgedHistory {
        if let known = purged[table] { return known }
        let history = try SQLiteStore.purgedHistory(db, table: table)
        purged[table] = history
        return history
    }

    /// Writes the entries folded, the clock and the count of writes captured.
    mutating func store() throws {
        let write = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO _ts_log(seq, tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (id, entry) in entries.sorted(by: { $0.value.seq < $1.value.seq }) {
            write.setUncheckedArguments([
                entry.seq, id.table, id.key, entry.version.stamp.rawValue, entry.version.origin.description, entry.source,
                entry.scope, entry.previousScope, entry.deleted ? 1 : 0, MetaText.text(entry.meta), entry.tomb, entry.born,
            ])
            try write.execute()
        }
        entries.removeAll(keepingCapacity: true)
        // Positions issued without an entry (an entry moved again, a capture skipped) stay issued.
        try db.execute(sql: """
            INSERT INTO sqlite_sequence(name, seq) SELECT '_ts_log', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '_ts_log');
            UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = '_ts_log';
            """, arguments: [head])
        try db.execute(sql: "UPDATE _ts_node SET hlc = max(hlc, ?), captured = captured + ? WHERE id = 1",
                       arguments: [clock.last.rawValue, writes])
        writes = 0
    }
}
