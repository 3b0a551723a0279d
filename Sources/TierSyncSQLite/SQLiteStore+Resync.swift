import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore: ResyncStore {
    /// Repairs the rows `keys` and those of `parentStates` against the parent's states, in
    /// one transaction that also records `mark`, with capture muted and local writes waiting
    /// in the capture log folded first; with `captureGap`, rows written while the triggers
    /// were missing are kept as local writes. With `dryRun`, decides and counts without
    /// writing (but for that fold).
    public func repair(table name: String, keys: [DigestKey], parentStates: [Change], parentPurged: PurgedHistory, parent: NodeID,
                       mark: ResyncMark?, captureGap: Bool, dryRun: Bool) async throws -> RepairCounts {
        let table = try resolvedTable(name)
        let schema = self.schema
        let node = self.node
        if dryRun {
            return try await readFolded { db in
                var repairer = ResyncRepairer(db: db, schema: schema, table: table, node: node, parent: parent, parentPurged: parentPurged, captureGap: captureGap, dryRun: true)
                try repairer.repair(keys: keys, parentStates: parentStates)
                return repairer.counts
            }
        }
        return try await writeTransaction { db in
            try CaptureFold.foldPending(db, node: node, schema: schema)
            let highest = parentStates.flatMap { $0.meta.context.stamps.values.map(\.rawValue) }.max() ?? 0
            try db.execute(sql: "UPDATE _ts_node SET applying = 1, hlc = max(hlc, ?) WHERE id = 1", arguments: [highest])
            var repairer = ResyncRepairer(db: db, schema: schema, table: table, node: node, parent: parent, parentPurged: parentPurged, captureGap: captureGap, dryRun: false)
            try repairer.repair(keys: keys, parentStates: parentStates)
            try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
            try repairer.recordOutcome()
            var counts = repairer.counts
            counts.ranges = mark?.ranges ?? 0
            if let mark { try SQLiteStore.record(db, mark: mark, parent: parent, counts: counts) }
            return counts
        }
    }

    /// The unfinished resync run against `parent`, if any.
    public func resyncRun(with parent: NodeID) async throws -> ResyncRun? {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM _ts_resync WHERE peer = ? ORDER BY tbl", arguments: [parent.description])
            guard let first = rows.first else { return nil }
            var run = ResyncRun(
                parent: parent, path: first["path"], parentEpoch: first["parent_epoch"], parentHead: first["parent_head"],
                cursorBroken: (first["cursor_broken"] as Int64) != 0, tables: [:])
            for row in rows {
                let table: String = row["tbl"]
                run.tables[table] = ResyncMark(table: table, doneThrough: row["done_through"], finished: (row["finished"] as Int64) != 0)
                if let text = row["counts"] as String?, let counts = try? JSONDecoder().decode(RepairCounts.self, from: Data(text.utf8)) {
                    run.counts = run.counts + counts
                }
            }
            return run
        }
    }

    /// Records the start of a run, replacing any earlier record against the same parent.
    public func beginResync(_ run: ResyncRun) async throws {
        try await writeTransaction { db in
            try db.execute(sql: "DELETE FROM _ts_resync WHERE peer = ?", arguments: [run.parent.description])
            let now = Date().timeIntervalSince1970
            for mark in run.tables.values.sorted(by: { $0.table < $1.table }) {
                try db.execute(sql: """
                    INSERT INTO _ts_resync(peer, tbl, path, parent_epoch, parent_head, cursor_broken, done_through, finished, started_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run.parent.description, mark.table, run.path, run.parentEpoch, run.parentHead,
                                     run.cursorBroken ? 1 : 0, mark.doneThrough, mark.finished ? 1 : 0, now, now])
            }
        }
    }

    /// Forgets the run's progress and, when given, sets the pull cursor, in one transaction.
    public func finishResync(with parent: NodeID, cursor: (epoch: String, through: Int64)?) async throws {
        try await writeTransaction { db in
            try db.execute(sql: "DELETE FROM _ts_resync WHERE peer = ?", arguments: [parent.description])
            if let cursor {
                try SQLiteStore.advance(db, cursor: .pulledFrom(parent: parent, epoch: cursor.epoch, through: cursor.through))
            }
        }
    }

    /// Asks a child to resync at its next pull, or clears the request.
    public func setResyncRequested(for child: NodeID, _ requested: Bool) async throws {
        try await writeTransaction { db in
            try SQLiteStore.ensurePeer(db, node: child, role: .child)
            try db.execute(sql: "UPDATE _ts_peer SET resync = ? WHERE node = ?", arguments: [requested ? 1 : 0, child.description])
        }
    }

    static func record(_ db: Database, mark: ResyncMark, parent: NodeID, counts: RepairCounts) throws {
        let known = try String.fetchOne(db, sql: "SELECT counts FROM _ts_resync WHERE peer = ? AND tbl = ?", arguments: [parent.description, mark.table])
        let earlier = known.flatMap { try? JSONDecoder().decode(RepairCounts.self, from: Data($0.utf8)) } ?? RepairCounts()
        let total = String(decoding: try JSONEncoder().encode(earlier + counts), as: UTF8.self)
        try db.execute(sql: """
            UPDATE _ts_resync SET done_through = max(done_through, ?), finished = ?, counts = ?, updated_at = ? WHERE peer = ? AND tbl = ?
            """, arguments: [mark.doneThrough, mark.finished ? 1 : 0, total, Date().timeIntervalSince1970, parent.description, mark.table])
    }
}
