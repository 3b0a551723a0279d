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
            var removedThrough: Int64 = 0
            var histories: [String: PurgedHistory] = [:]
            let tombstones = try Row.fetchAll(db, sql: """
                SELECT seq, tbl, meta FROM _ts_log INDEXED BY _ts_log_tombstones
                WHERE deleted = 1 AND seq <= ? AND hlc < ? AND tbl IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?
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
            let records = try Row.fetchAll(db, sql: "SELECT rowid, seq, context FROM _ts_evict WHERE seq <= ? ORDER BY seq LIMIT ?",
                                           arguments: [request.through, request.limit])
            let forget = try db.cachedStatement(sql: "DELETE FROM _ts_evict WHERE rowid = ?")
            for row in records {
                let newest = ((try? MetaText.context(row[2]))?.stamps.values.max()) ?? .zero
                guard newest < request.before else { continue }
                forget.setUncheckedArguments([row[0] as Int64])
                try forget.execute()
                recordCount += 1
                removedThrough = max(removedThrough, row[1])
            }
            try db.execute(sql: "UPDATE _ts_node SET purged = max(purged, ?) WHERE id = 1", arguments: [removedThrough])
            let through = try Int64.fetchOne(db, sql: "SELECT purged FROM _ts_node WHERE id = 1") ?? 0
            return PurgeOutcome(tombstones: tombstoneCount, evictionRecords: recordCount, purgedThrough: through,
                                more: tombstones.count == request.limit || (records.count == request.limit && recordCount > 0))
        }
    }

    /// The highest log position a purge removed, 0 before any.
    public func purgedThrough() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT purged FROM _ts_node WHERE id = 1") ?? 0 }
    }
}
