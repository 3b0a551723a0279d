import GRDB

/// TierSync's own tables for resync, and the columns later versions added to `_ts_peer`.
enum ResyncSQL {
    /// Creates `_ts_resync` and adds `_ts_peer.served` and `_ts_peer.resync` to a store
    /// made before them: part of the first migration (``StoreMigrations/ownTables``).
    /// Idempotent.
    static func install(_ db: Database) throws {
        let peerColumns = Set(try db.columns(in: "_ts_peer").map(\.name))
        if !peerColumns.contains("served") {
            // A child's cursor beyond what the log served it is refused; children known
            // before the column existed were served at most the head.
            try db.execute(sql: "ALTER TABLE _ts_peer ADD COLUMN served INTEGER")
            try db.execute(sql: "UPDATE _ts_peer SET served = ? WHERE role = 'child'", arguments: [try SQLiteStore.logHead(db)])
        }
        if !peerColumns.contains("resync") {
            try db.execute(sql: "ALTER TABLE _ts_peer ADD COLUMN resync INTEGER NOT NULL DEFAULT 0")
        }
        try db.execute(sql: progressTable)
    }

    /// One row per table of the resync run in progress against a parent: the run's path,
    /// the parent's epoch and head when its digests were taken, and the highest digest leaf
    /// repaired. Written in the transaction that repairs each range; deleted when the run
    /// ends.
    static let progressTable = """
        CREATE TABLE IF NOT EXISTS _ts_resync(
            peer TEXT NOT NULL,
            tbl TEXT NOT NULL,
            path TEXT NOT NULL,
            parent_epoch TEXT NOT NULL,
            parent_head INTEGER NOT NULL,
            cursor_broken INTEGER NOT NULL DEFAULT 0,
            done_through INTEGER NOT NULL DEFAULT -1,
            finished INTEGER NOT NULL DEFAULT 0,
            counts TEXT,
            started_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY(peer, tbl)
        );
        """
}
