import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Removes the tombstones and eviction records `request` names, at most `request.limit`
    /// of each, in one transaction; keeps in `_ts_purged` what the tombstones had seen, and
    /// in `_ts_node.purged` the highest position removed.
    public func purge(_ request: PurgeRequest) async throws -> PurgeOutcome {
        try await writeTransaction { db in
            // Removing the entry at the head must not let its position be issued again.
            try db.execute(sql: ChangeLogSQL.recordHead)
            var removedThrough: Int64 = 0
            var histories: [String: PurgedHistory] = [:]
            let tombstones = try Row.fetchAll(db, sql: """
                SELECT seq, tbl, meta FROM _ts_log INDEXED BY _ts_log_tombstones
                WHERE deleted = 1 AND seq <= ? AND hlc < ? AND tbl IN (SELECT value FROM json_each(?))
                  AND tbl NOT IN (SELECT tbl FROM _ts_kept) ORDER BY seq LIMIT ?
                """, arguments: [request.through, request.before.rawValue, JSONText.array(request.tables.sorted().map(JSONText.string)).text, request.limit])
            let remove = try db.cachedStatement(sql: "DELETE FROM _ts_log WHERE seq = ?")
            var tombstoneCount = 0
            for row in tombstones {
                let table: String = row[1]
                // Unreadable metadata (SYNC.md 13) is skipped by every read: nothing to keep.
                if let meta = try? MetaText.meta(row[2]) { histories[table, default: PurgedHistory()].forget(meta.context) }
                remove.setUncheckedArguments([row[0] as Int64])
                try remove.execute()
                tombstoneCount += 1
                removedThrough = max(removedThrough, row[0])
            }
            let keep = try db.cachedStatement(sql: """
                INSERT INTO _ts_purged(tbl, node, hlc) VALUES (?, ?, ?)
                ON CONFLICT(tbl, node) DO UPDATE SET hlc = max(hlc, excluded.hlc)
                """)
            for (table, history) in histories {
                for (writer, stamp) in history.seen.stamps {
                    keep.setUncheckedArguments([table, writer.description, stamp.rawValue])
                    try keep.execute()
                }
            }
            var recordCount = 0
            // An eviction record's age is that of the newest write in its context.
            let records = try Row.fetchAll(db, sql: """
                SELECT rowid, seq FROM _ts_evict
                WHERE seq <= ? AND (SELECT max(value) FROM json_each(context)) < ? ORDER BY seq LIMIT ?
                """, arguments: [request.through, request.before.rawValue, request.limit])
            let forget = try db.cachedStatement(sql: "DELETE FROM _ts_evict WHERE rowid = ?")
            for row in records {
                forget.setUncheckedArguments([row[0] as Int64])
                try forget.execute()
                recordCount += 1
                removedThrough = max(removedThrough, row[1])
            }
            try db.execute(sql: "UPDATE _ts_node SET purged = max(purged, ?) WHERE id = 1", arguments: [removedThrough])
            let through = try Int64.fetchOne(db, sql: "SELECT purged FROM _ts_node WHERE id = 1") ?? 0
            return PurgeOutcome(tombstones: tombstoneCount, evictionRecords: recordCount, purgedThrough: through,
                                more: tombstones.count == request.limit || records.count == request.limit)
        }
    }

    /// The highest log position a purge removed, 0 before any.
    public func purgedThrough() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT purged FROM _ts_node WHERE id = 1") ?? 0 }
    }

    /// What this node's purged tombstones of `table` had seen: the newest stamp of each
    /// writer (`_ts_purged`).
    public func purgedHistory(of table: String) async throws -> PurgedHistory {
        try await pool.read { db in try SQLiteStore.purgedHistory(db, table: table) }
    }

    /// Reads what the purged tombstones of `table` had seen, in the caller's transaction.
    static func purgedHistory(_ db: Database, table: String) throws -> PurgedHistory {
        var stamps: [NodeID: HybridTimestamp] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT node, hlc FROM _ts_purged WHERE tbl = ?", arguments: [table]) {
            if let writer = try? NodeID(row[0] as String) { stamps[writer] = HybridTimestamp(rawValue: row[1]) }
        }
        return PurgedHistory(CausalContext(stamps))
    }

    /// Records that every peer had acknowledged the log through `through` at `at`, and
    /// returns the horizon recorded at least `age` seconds before `at` (0 when none is that
    /// old). Records older than the one returned are no longer needed and go.
    public func recordHorizon(_ through: Int64, at: Date, age: Int) async throws -> Int64 {
        try await writeTransaction { db in
            let now = at.timeIntervalSince1970
            let last = try Row.fetchOne(db, sql: "SELECT at, through FROM _ts_horizon ORDER BY at DESC LIMIT 1")
            if (last?["through"] as Int64?) != through || last == nil {
                try db.execute(sql: "INSERT OR REPLACE INTO _ts_horizon(at, through) VALUES (?, ?)", arguments: [now, through])
            }
            let cutoff = now - Double(age)
            guard let old = try Row.fetchOne(db, sql: "SELECT at, through FROM _ts_horizon WHERE at <= ? ORDER BY at DESC LIMIT 1", arguments: [cutoff]) else {
                return 0
            }
            try db.execute(sql: "DELETE FROM _ts_horizon WHERE at < ?", arguments: [old["at"] as Double])
            return old["through"]
        }
    }
}
