import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Stores changes this node cannot store yet (``KeptChange``), inside the caller's
    /// transaction. A change already kept from the same sender, byte for byte (a batch
    /// sent again after its answer was lost), is not kept twice.
    static func keep(_ db: Database, _ kept: [KeptChange]) throws {
        guard !kept.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO _ts_kept(received_at, source, from_child, tbl, schema_version, body) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let now = Date().timeIntervalSince1970
        for change in kept {
            insert.setUncheckedArguments([now, change.source.description, change.fromChild, change.table, change.schemaVersion, change.body])
            try insert.execute()
        }
    }

    /// The kept changes with ids above `id`, oldest first, at most `limit`.
    public func keptChanges(after id: Int64, limit: Int) async throws -> [KeptChange] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, source, from_child, tbl, schema_version, body FROM _ts_kept WHERE id > ? ORDER BY id LIMIT ?
                """, arguments: [id, limit]).map { row in
                let source: String = row["source"]
                guard let node = try? NodeID(source) else {
                    throw StoreError.database(operation: "read kept change \(row["id"] as Int64)", message: "its source '\(source)' is not a node id")
                }
                return KeptChange(id: row["id"], source: node, fromChild: row["from_child"], table: row["tbl"],
                                  schemaVersion: row["schema_version"], body: row["body"])
            }
        }
    }

    /// How many kept changes wait, by table.
    public func keptCounts() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tbl, count(*) AS n FROM _ts_kept GROUP BY tbl") {
                counts[row["tbl"]] = row["n"]
            }
            return counts
        }
    }
}
