import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Folds the writes waiting in the capture log into the change log (``CaptureFold``),
    /// in one write transaction. Every method that reads or writes the log does this first;
    /// a test or tool that reads `_ts_log` itself after a local write calls it.
    /// - Returns: the number of application writes folded.
    @discardableResult
    public func foldCaptures() async throws -> Int64 {
        let schema = self.schema, node = self.node
        guard try await pool.read({ db in try SQLiteStore.hasCaptures(db) }) else { return 0 }
        return try await writeTransaction { db in try CaptureFold.foldPending(db, node: node, schema: schema) }
    }

    /// Runs `body` on a snapshot whose change log holds every local write: a read
    /// transaction when no capture waits, else a write transaction that folds them first.
    /// With `unfoldedWhenFull`, a file that cannot grow (``StoreError/storageFull(database:cause:)``)
    /// gets `body` run on the log as it is instead: for a status that must still be told.
    /// A read-only store always reads the log as it is.
    func readFolded<T: Sendable>(unfoldedWhenFull: Bool = false, _ body: @Sendable (Database) throws -> T) async throws -> T {
        let schema = self.schema, node = self.node
        if readOnly { return try await pool.read(body) }
        let read = try await pool.read { db -> Folded<T> in
            try SQLiteStore.hasCaptures(db) ? .pending : .read(try body(db))
        }
        if case let .read(result) = read { return result }
        do {
            return try await writeTransaction { db in
                try CaptureFold.foldPending(db, node: node, schema: schema)
                return try body(db)
            }
        } catch StoreError.storageFull where unfoldedWhenFull {
            return try await pool.read(body)
        }
    }

    /// What a read found: its result, or captures to fold first.
    private enum Folded<T: Sendable>: Sendable {
        case read(T)
        case pending
    }

    /// True when writes wait in the capture log.
    static func hasCaptures(_ db: Database) throws -> Bool {
        try Int64.fetchOne(db, sql: "SELECT pos FROM _ts_capture LIMIT 1") != nil
    }

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
        for sql in CaptureSQL.triggers(table, node: node) {
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
        let logged = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM _ts_log WHERE tbl = ?1) OR EXISTS(SELECT 1 FROM _ts_capture WHERE tbl = ?1)",
                                       arguments: [table.name]) ?? false
        return absent.count < names.count || logged ? absent : []
    }
}
