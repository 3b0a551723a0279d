import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncTestTraits

/// Applications write synced tables with upserts and `OR` clauses too. SQLite lets the
/// writer's conflict clause override the one of every statement its triggers run, so each
/// case here checks that the write is still logged: the entries of exactly the rows it
/// changed move past the cursor taken before it, and the log agrees with the table.
@Suite(.ownThread)
struct ConflictClauseCaptureTests {
    /// One application write and the keys whose log entries it must move.
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let sql: String
        let moved: Set<String>
        /// Whether the writer's connection sets `PRAGMA recursive_triggers = ON`, as the
        /// README asks of programs that replace rows. Without it SQLite fires no delete
        /// trigger for a row that `OR REPLACE` removes.
        var recursiveTriggers = true
        /// Whether the statement fails part-way (`OR FAIL` keeps the rows done before the
        /// failure) and the application commits what it did.
        var failsPartWay = false
    }

    static let cases: [Case] = [
        Case(testDescription: "INSERT OR IGNORE of a new row", sql: "INSERT OR IGNORE INTO t VALUES ('c', 'C1', 'three', 'cn.gd.sz')", moved: ["c"]),
        Case(testDescription: "INSERT OR IGNORE of a row present", sql: "INSERT OR IGNORE INTO t VALUES ('a', 'A9', 'nine', 'cn.gd.sz')", moved: []),
        Case(testDescription: "upsert of a row present", sql: "INSERT INTO t VALUES ('a', 'A1', 'upserted', 'cn.gd.sz') ON CONFLICT(id) DO UPDATE SET v = excluded.v", moved: ["a"]),
        Case(testDescription: "upsert of a new row", sql: "INSERT INTO t VALUES ('c', 'C1', 'three', 'cn.gd.sz') ON CONFLICT(id) DO UPDATE SET v = excluded.v", moved: ["c"]),
        Case(testDescription: "upsert DO NOTHING of a row present", sql: "INSERT INTO t VALUES ('a', 'A1', 'x', 'cn.gd.sz') ON CONFLICT DO NOTHING", moved: []),
        Case(testDescription: "UPDATE OR IGNORE", sql: "UPDATE OR IGNORE t SET v = 'ignored?' WHERE id = 'a'", moved: ["a"]),
        Case(testDescription: "UPDATE OR FAIL", sql: "UPDATE OR FAIL t SET v = 'failed?' WHERE id = 'b'", moved: ["b"]),
        Case(testDescription: "UPDATE OR ROLLBACK of every row", sql: "UPDATE OR ROLLBACK t SET v = v || '!'", moved: ["a", "b"]),
        Case(testDescription: "INSERT OR ABORT of a new row", sql: "INSERT OR ABORT INTO t VALUES ('c', 'C1', 'three', 'cn.gd.sz')", moved: ["c"]),
        Case(testDescription: "INSERT OR REPLACE of a row present", sql: "INSERT OR REPLACE INTO t VALUES ('a', 'A1', 'replaced', 'cn.gd.sz')", moved: ["a"]),
        Case(testDescription: "REPLACE INTO without recursive triggers", sql: "REPLACE INTO t VALUES ('b', 'B1', 'replaced', 'cn.gd.sz')", moved: ["b"], recursiveTriggers: false),
        Case(testDescription: "INSERT OR REPLACE removing another row through UNIQUE", sql: "INSERT OR REPLACE INTO t VALUES ('c', 'A1', 'three', 'cn.gd.sz')", moved: ["a", "c"]),
        Case(testDescription: "UPDATE OR REPLACE removing another row through UNIQUE", sql: "UPDATE OR REPLACE t SET code = 'B1' WHERE id = 'a'", moved: ["a", "b"]),
        Case(testDescription: "UPDATE OR REPLACE of a key onto a row present", sql: "UPDATE OR REPLACE t SET id = 'b' WHERE id = 'a'", moved: ["a", "b"]),
        Case(testDescription: "UPDATE OR IGNORE of a key", sql: "UPDATE OR IGNORE t SET id = 'z' WHERE id = 'a'", moved: ["a", "z"]),
        Case(testDescription: "UPDATE OR FAIL failing on its second row", sql: "UPDATE OR FAIL t SET code = 'Z1', v = 'kept'", moved: ["a"], failsPartWay: true),
        Case(testDescription: "INSERT OR FAIL failing on its second row",
             sql: "INSERT OR FAIL INTO t VALUES ('c', 'C1', 'kept', 'cn.gd.sz'), ('d', 'A1', 'refused', 'cn.gd.sz')", moved: ["c"], failsPartWay: true),
    ]

    static let schema: SyncSchema = {
        do {
            return try SyncSchema(parsing: """
                [table.t]
                sql = "CREATE TABLE t(id TEXT PRIMARY KEY, code TEXT UNIQUE, v TEXT, scope TEXT NOT NULL)"
                concentrate = group
                """, fileName: "conflict-clauses.toml")
        } catch {
            fatalError("the test schema does not parse: \(error)")
        }
    }()

    @Test(arguments: cases)
    func theWriteIsLogged(_ write: Case) async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd.sz", schema: Self.schema)
        let app = try directory.application("cn.gd.sz")
        try await app.write { db in
            try db.execute(sql: "INSERT INTO t VALUES ('a', 'A1', 'one', 'cn.gd.sz'), ('b', 'B1', 'two', 'cn.gd.sz')")
            // A second write moves both entries once more, so each has been replaced before.
            try db.execute(sql: "UPDATE t SET v = v || '.'")
        }
        let cursor = try await store.logHead()
        try await app.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA recursive_triggers = \(write.recursiveTriggers ? "ON" : "OFF")")
            try db.inTransaction {
                do {
                    try db.execute(sql: write.sql)
                    #expect(!write.failsPartWay, "the statement was meant to fail part-way; the case proves nothing")
                } catch let error as DatabaseError where write.failsPartWay && error.resultCode == .SQLITE_CONSTRAINT {
                    // The rows done before the failure stay, and the application commits them.
                }
                return .commit
            }
        }
        let after = try await store.changes(after: cursor, limit: 100, scanLimit: 100, selecting: .everything).changes
        #expect(Set(after.map { Self.id($0) }) == write.moved)
        #expect(try await store.logHead() > cursor || write.moved.isEmpty)

        // The log holds each row of the table, with its values, and a deletion for each
        // key the table no longer holds.
        let rows = try await app.read { db in
            try Row.fetchAll(db, sql: "SELECT id, code, v, scope FROM t").map { row -> [SQLValue] in
                [.text(row[0]), (row[1] as String?).map(SQLValue.text) ?? .null, (row[2] as String?).map(SQLValue.text) ?? .null, .text(row[3])]
            }
        }
        let log = try await store.allChanges()
        let live = log.filter { !$0.deleted }
        #expect(Set(live.compactMap(\.values)) == Set(rows))
        #expect(live.count == rows.count)
        let keys = Set(rows.map { "\($0[0])" })
        #expect(Set(log.filter(\.deleted).map { "\($0.key[0])" }).isDisjoint(with: keys))
        // The log head is the highest position issued, so cursors stay high-water marks.
        let highest = try await app.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM _ts_log") }
        #expect(try await store.logHead() == highest)
    }

    @Test func theLogHeadNeverGoesBackAfterUpserts() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd.sz", schema: Self.schema)
        let app = try directory.application("cn.gd.sz")
        var heads: [Int64] = []
        for round in 0..<5 {
            try await app.write { db in
                try db.execute(sql: "INSERT INTO t VALUES ('a', NULL, ?, 'cn.gd.sz') ON CONFLICT(id) DO UPDATE SET v = excluded.v", arguments: ["\(round)"])
            }
            heads.append(try await store.logHead())
        }
        #expect(heads == heads.sorted() && Set(heads).count == heads.count)
        let entry = try #require(try await store.allChanges().first)
        #expect(entry.values?[2] == .text("4"))
    }

    private static func id(_ change: Change) -> String {
        if case .text(let id) = change.key[0] { return id }
        return "\(change.key[0])"
    }
}
