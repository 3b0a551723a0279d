import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Looks for capture triggers that someone dropped, reinstalls them, and records the gap
    /// (``CaptureGap``) in the same transaction. One read of `sqlite_master` when none is
    /// missing, so the daemon runs it every few seconds.
    /// - Returns: the triggers reinstalled; empty when none was missing.
    public func checkCapture() async throws -> [String] {
        let expected = schema.tables.flatMap(ChangeLogSQL.triggerNames)
        let present = try await pool.read { db in try SQLiteStore.triggerNames(db) }
        guard !expected.allSatisfy(present.contains) else { return [] }
        let schema = self.schema, node = self.node
        return try await writeTransaction { db in
            let present = try SQLiteStore.triggerNames(db)
            var missing: [String] = []
            for table in schema.tables {
                let absent = ChangeLogSQL.triggerNames(table).filter { !present.contains($0) }
                guard !absent.isEmpty else { continue }
                missing += absent
                try SQLiteStore.installTriggers(db, table: table, node: node)
            }
            try SQLiteStore.recordCaptureGap(db, triggers: missing)
            return missing
        }
    }

    /// The capture gap recorded in the file, if any.
    public func captureGap() async throws -> CaptureGap? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT gap_since, gap_found, gap_triggers FROM _ts_node WHERE id = 1"),
                  let since: Double = row["gap_since"], let found: Double = row["gap_found"], let names: String = row["gap_triggers"] else { return nil }
            return CaptureGap(since: Date(timeIntervalSince1970: since), lastFound: Date(timeIntervalSince1970: found),
                              triggers: names.split(separator: ",").map(String.init))
        }
    }

    /// Forgets the capture gap if its latest trigger was found before `date`: after a
    /// resync of every table that started later, or when an operator acknowledges it
    /// (with the current time).
    public func clearCaptureGap(foundBefore date: Date) async throws {
        try await writeTransaction { db in
            try db.execute(sql: "UPDATE _ts_node SET gap_since = NULL, gap_found = NULL, gap_triggers = NULL WHERE id = 1 AND gap_found <= ?",
                           arguments: [date.timeIntervalSince1970])
        }
    }

    /// The names of the triggers in the file.
    static func triggerNames(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }

    /// (Re)creates the three capture triggers of `table`.
    static func installTriggers(_ db: Database, table: TableSchema, node: NodeID) throws {
        for name in ChangeLogSQL.triggerNames(table) {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(quoted(name))")
        }
        for sql in ChangeLogSQL.triggers(table, node: node) {
            try db.execute(sql: sql)
        }
    }

    /// Adds `triggers` to the recorded gap, which starts now unless one is recorded already.
    static func recordCaptureGap(_ db: Database, triggers: [String]) throws {
        guard !triggers.isEmpty else { return }
        let known = try String.fetchOne(db, sql: "SELECT gap_triggers FROM _ts_node WHERE id = 1").map { $0.split(separator: ",").map(String.init) } ?? []
        let now = Date().timeIntervalSince1970
        try db.execute(sql: "UPDATE _ts_node SET gap_since = coalesce(gap_since, ?), gap_found = ?, gap_triggers = ? WHERE id = 1",
                       arguments: [now, now, Set(known + triggers).sorted().joined(separator: ",")])
    }

    /// The capture triggers of `table` missing from a file TierSync had installed before,
    /// where that lost writes: some of its triggers remain, or its rows were logged before.
    /// A table new to the schema (no trigger, nothing logged) lost nothing: its rows are
    /// adopted when the store opens.
    static func lostTriggers(_ db: Database, table: TableSchema) throws -> [String] {
        let present = try triggerNames(db)
        let names = ChangeLogSQL.triggerNames(table)
        let absent = names.filter { !present.contains($0) }
        guard !absent.isEmpty else { return [] }
        let logged = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM _ts_log WHERE tbl = ?)", arguments: [table.name]) ?? false
        return absent.count < names.count || logged ? absent : []
    }
}
