import Foundation
import GRDB
import Testing
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncTestTraits

/// The capture triggers record a write in `_ts_capture` only; the store's fold turns the
/// captures into change-log entries with the metadata of a local write, in capture order.
@Suite(.ownThread)
struct ThinCaptureTests {
    static let node = "cn.gd.sz"

    /// A row's log entry as the fold wrote it.
    struct Entry {
        let seq: Int64
        let stamp: Int64
        let origin: String
        let scope: String
        let previousScope: String?
        let deleted: Bool
        let meta: [String: Any]
        let tomb: String?
        let born: Int64?

        var context: [String: Int64] { meta["v"] as? [String: Int64] ?? [:] }
        var existence: [[Any]] { meta["e"] as? [[Any]] ?? [] }
        func register(_ name: String) -> [[Any]] { (meta["c"] as? [String: [[Any]]])?[name] ?? [] }
        func base(_ name: String) -> [Any]? { (meta["b"] as? [String: [Any]])?[name] }
        /// The stamp of a register's winner.
        func winner(_ name: String) -> Int64? { register(name).first?.first as? Int64 }
    }

    static func entry(_ app: DatabaseQueue, _ table: String, _ key: String) throws -> Entry? {
        try app.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT seq, hlc, origin, scope, prev_scope, deleted, meta, tomb, born FROM _ts_log WHERE tbl = ? AND pk = json_array(?)
                """, arguments: [table, key]) else { return nil }
            let meta = try JSONSerialization.jsonObject(with: Data((row[6] as String).utf8)) as? [String: Any] ?? [:]
            return Entry(seq: row[0], stamp: row[1], origin: row[2], scope: row[3], previousScope: row[4], deleted: (row[5] as Int64) != 0,
                         meta: Self.integers(meta) as? [String: Any] ?? [:], tomb: row[7], born: row[8])
        }
    }

    /// JSON numbers as Int64, so stamps compare exactly.
    private static func integers(_ value: Any) -> Any {
        switch value {
        case let number as NSNumber where !(value is Bool): number.int64Value
        case let array as [Any]: array.map(integers)
        case let object as [String: Any]: object.mapValues(integers)
        default: value
        }
    }

    /// A fresh store of `node` and an application's connection to its file, in a directory
    /// removed with it.
    final class Fixture {
        let directory: TemporaryDirectory
        let store: SQLiteStore
        let app: DatabaseQueue

        init(_ node: String = ThinCaptureTests.node) throws {
            directory = try TemporaryDirectory()
            store = try directory.store(node)
            app = try directory.application(node)
        }
    }

    static func count(_ app: DatabaseQueue, _ sql: String) throws -> Int {
        try app.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    @Test func aWriteReachesOnlyTheCaptureLogUntilTheFold() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        let clockBefore = try await store.clock()
        try await app.write { db in
            try db.execute(sql: "INSERT INTO ticket(id, summary, scope) VALUES ('T1', 'line down', 'cn.gd.sz')")
        }
        #expect(try Self.count(app, "SELECT count(*) FROM _ts_log") == 0)
        #expect(try Self.count(app, "SELECT count(*) FROM _ts_capture WHERE tbl = 'ticket' AND op = 'I' AND o0 = 'T1'") == 1)
        #expect(try await store.clock() == clockBefore, "the trigger ticked the clock")
        #expect(try Self.count(app, "SELECT captured FROM _ts_node") == 0)
        // The head moves at once, so the daemon notices the write, and counts it captured.
        #expect(try await store.logHead() == 1)
        #expect(try await store.capturedCount() == 1)

        #expect(try await store.foldCaptures() == 1)
        #expect(try Self.count(app, "SELECT count(*) FROM _ts_capture") == 0)
        let entry = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(entry.seq == 1 && entry.born == 1 && entry.origin == Self.node && !entry.deleted && entry.tomb == nil)
        #expect(try await store.logHead() == 1)
        #expect(try await store.capturedCount() == 1)
        #expect(try await store.clock().rawValue == entry.stamp)
        #expect(try await store.foldCaptures() == 0)
    }

    /// The metadata a fold gives an insert, an update and a delete of a row-level (lww) table.
    @Test func insertUpdateAndDeleteOfAnLWWRowGetTheMetadataOfLocalWrites() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        try await app.write { db in try db.execute(sql: "INSERT INTO ticket(id, summary, status, scope) VALUES ('T1', 'line down', 'open', 'cn.gd.sz')") }
        try await store.foldCaptures()
        let inserted = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(inserted.context == [Self.node: inserted.stamp])
        #expect(inserted.existence.count == 1 && inserted.existence[0][0] as? Int64 == inserted.stamp && inserted.existence[0][3] as? Int64 == 0)
        #expect(inserted.register(RowMeta.wholeRow).count == 1 && inserted.winner(RowMeta.wholeRow) == inserted.stamp)
        #expect(inserted.base(RowMeta.wholeRow) == nil)

        try await app.write { db in try db.execute(sql: "UPDATE ticket SET status = 'closed' WHERE id = 'T1'") }
        try await store.foldCaptures()
        let updated = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(updated.stamp > inserted.stamp && updated.seq == 2 && updated.born == 1)
        #expect(updated.winner(RowMeta.wholeRow) == updated.stamp)
        // The base is the replaced write and the row's values before the update.
        let base = try #require(updated.base(RowMeta.wholeRow))
        #expect(base[0] as? Int64 == inserted.stamp && base[1] as? String == Self.node)
        #expect((base[2] as? [Any])?.compactMap { $0 as? String } == ["T1", "line down", "open", "cn.gd.sz"])

        try await app.write { db in try db.execute(sql: "DELETE FROM ticket WHERE id = 'T1'") }
        try await store.foldCaptures()
        let deleted = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(deleted.deleted && deleted.stamp > updated.stamp && deleted.seq == 3 && deleted.born == 1)
        #expect(deleted.existence[0][3] as? Int64 == 1 && deleted.existence[0][0] as? Int64 == deleted.stamp)
        // A deletion keeps the content register and the base, and the row's last values as its tomb.
        #expect(deleted.winner(RowMeta.wholeRow) == updated.stamp && deleted.base(RowMeta.wholeRow) != nil)
        #expect(try MetaTextProbe.values(deleted.tomb) == [.text("T1"), .null, .null, .text("line down"), .text("closed"), .null, .text("cn.gd.sz")])
        let change = try #require(try await store.allChanges().first)
        #expect(change.deleted && change.values?[4] == .text("closed"))
    }

    /// A `merge` table: an update gives a new version, and a base, only to the columns it changed.
    @Test func anUpdateOfAMergeRowTakesOnlyTheColumnsItChanged() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        try await app.write { db in
            try db.execute(sql: "INSERT INTO customer(id, name, classes, industry, scope) VALUES ('C1', 'Ports', 'important', 'shipping', 'cn.gd.sz')")
        }
        try await store.foldCaptures()
        let inserted = try #require(try Self.entry(app, "customer", "C1"))
        // A case-only edit counts as a change; writing a column's own value does not.
        try await app.write { db in try db.execute(sql: "UPDATE customer SET name = 'PORTS', industry = 'shipping' WHERE id = 'C1'") }
        try await store.foldCaptures()
        let updated = try #require(try Self.entry(app, "customer", "C1"))
        #expect(updated.winner("name") == updated.stamp && updated.winner("industry") == inserted.stamp && updated.winner("classes") == inserted.stamp)
        let base = try #require(updated.base("name"))
        #expect(base[0] as? Int64 == inserted.stamp && (base[2] as? [Any])?.first as? String == "Ports")
        #expect(updated.base("industry") == nil && updated.base("classes") == nil)
        // The group's tier rule ranks a city's write 0, the existence register by `delete = later` 0.
        #expect(updated.register("classes").first?[2] as? Int64 == 0)
        #expect(updated.context == [Self.node: updated.stamp])
    }

    /// Whether an update changed a column is told by its value as stored, bytes and type:
    /// in a column without a type, 1 becoming 1.0 is a change; in an INTEGER column SQLite
    /// stores 1.0 as 1, so writing it changes nothing; in a NOCASE column a case-only edit
    /// is a change; a REAL column written its own value is unchanged.
    @Test func aColumnsTypeDecidesWhetherAnEqualValueIsAChange() async throws {
        let schema = try SyncSchema(parsing: """
            [table.sample]
            sql = "CREATE TABLE sample(id TEXT PRIMARY KEY, loose, whole INTEGER, label TEXT COLLATE NOCASE, amount REAL, scope TEXT NOT NULL)"
            concentrate = group
            conflict = merge
            """, fileName: "typed.toml")
        let directory = try TemporaryDirectory()
        let store = try directory.store(Self.node, schema: schema)
        let app = try directory.application(Self.node)
        let table = try #require(store.schema.table(named: "sample"))
        #expect(table.keepsType("loose") && !table.keepsType("whole") && !table.keepsType("label") && !table.keepsType("amount"))
        try await app.write { db in
            try db.execute(sql: "INSERT INTO sample(id, loose, whole, label, amount, scope) VALUES ('S1', 1, 1, 'abc', 1.5, 'cn.gd.sz')")
        }
        try await store.foldCaptures()
        let inserted = try #require(try Self.entry(app, "sample", "S1"))
        try await app.write { db in
            try db.execute(sql: "UPDATE sample SET loose = 1.0, whole = 1.0, label = 'ABC', amount = 1.5 WHERE id = 'S1'")
        }
        try await store.foldCaptures()
        let updated = try #require(try Self.entry(app, "sample", "S1"))
        #expect(updated.winner("loose") == updated.stamp && updated.winner("label") == updated.stamp)
        #expect(updated.winner("whole") == inserted.stamp && updated.winner("amount") == inserted.stamp)
    }

    /// SQLite's affinity rules, as TierSync reads a column's declared type.
    @Test(arguments: [
        ("", true), ("BLOB", true), ("ANY", true), ("any", true),
        ("INTEGER", false), ("BIGINT", false), ("TEXT", false), ("VARCHAR(20)", false), ("CLOB", false),
        ("REAL", false), ("DOUBLE PRECISION", false), ("NUMERIC", false), ("DECIMAL(10,2)", false), ("BOOLEAN", false), ("DATE", false),
    ])
    func aDeclaredTypeKeepsValuesTypesOnlyWithoutAffinity(_ declared: String, _ keeps: Bool) {
        #expect(SQLiteStore.keepsType(declared: declared) == keeps, "\(declared)")
    }

    /// Several writes to a row between two folds each get their own version and position,
    /// in order: the last update's base is the write before it, with the values it left.
    @Test func writesBetweenFoldsAreFoldedOneByOneInCommitOrder() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        try await app.write { db in
            try db.execute(sql: "INSERT INTO ticket(id, summary, scope) VALUES ('T1', 'first', 'cn.gd.sz')")
            try db.execute(sql: "UPDATE ticket SET summary = 'second' WHERE id = 'T1'")
        }
        try await app.write { db in try db.execute(sql: "UPDATE ticket SET summary = 'third' WHERE id = 'T1'") }
        #expect(try await store.logHead() == 3)
        // Three writes, three stamps: the clock gives each its own.
        #expect(try await store.foldCaptures() == 3)
        let entry = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(entry.seq == 3 && entry.born == 1)
        let base = try #require(entry.base(RowMeta.wholeRow))
        let previous = try #require(base[0] as? Int64)
        #expect(previous < entry.stamp && previous > 0)
        #expect((base[2] as? [Any])?.compactMap { $0 as? String } == ["T1", "second", "cn.gd.sz"])
        #expect(try await store.clock().rawValue == entry.stamp)
        #expect(try await store.logHead() == 3)
    }

    /// A row inserted and deleted between two folds is logged as a deletion with the values
    /// it had, born at the insert's position.
    @Test func aRowInsertedAndDeletedBetweenFoldsIsLoggedDeleted() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        try await app.write { db in
            try db.execute(sql: "INSERT INTO ticket(id, summary, scope) VALUES ('T0', 'kept', 'cn.gd.sz')")
            try db.execute(sql: "INSERT INTO ticket(id, summary, scope) VALUES ('T1', 'gone', 'cn.gd.sz')")
            try db.execute(sql: "DELETE FROM ticket WHERE id = 'T1'")
        }
        try await store.foldCaptures()
        let entry = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(entry.deleted && entry.seq == 3 && entry.born == 2)
        #expect(try MetaTextProbe.values(entry.tomb)[3] == .text("gone"))
        #expect(entry.context.count == 1 && entry.context[Self.node] == entry.stamp)
        let changes = try await store.allChanges()
        #expect(changes.map(\.deleted) == [false, true])
    }

    /// An update that changes the key logs a deletion of the old key and an insert of the
    /// new one, at two positions.
    @Test func aKeyChangeIsADeleteAndAnInsert() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        try await app.write { db in
            try db.execute(sql: "INSERT INTO revenue VALUES ('A', '2026-10', 'data', 100, 'cn.gd.sz')")
            try db.execute(sql: "UPDATE revenue SET period = '2026-11' WHERE customer_id = 'A'")
        }
        #expect(try await store.logHead() == 3)
        #expect(try await store.capturedCount() == 2)
        #expect(try await store.foldCaptures() == 2)
        let old = try app.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, deleted, tomb FROM _ts_log WHERE pk = '[\"A\",\"2026-10\",\"data\"]'")
        }
        let new = try app.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, deleted, tomb, born FROM _ts_log WHERE pk = '[\"A\",\"2026-11\",\"data\"]'")
        }
        // One write: the deletion and the insert share its stamp.
        #expect(try Self.count(app, "SELECT count(DISTINCT hlc) FROM _ts_log WHERE seq IN (2, 3)") == 1)
        #expect(old?[0] as Int64? == 2 && old?[1] as Int64? == 1 && (old?[2] as String?)?.contains("2026-10") == true)
        #expect(new?[0] as Int64? == 3 && new?[1] as Int64? == 0 && new?[2] as String? == nil && new?[3] as Int64? == 3)
        #expect(try await store.capturedCount() == 2)
    }

    /// An update that moves a row to another scope leaves an eviction record of the old
    /// scope at the position its entry moved to, with the row's new context.
    @Test func aScopeMoveLeavesAnEvictionRecord() async throws {
        let fixture = try Fixture("cn.gd")
        let store = fixture.store, app = fixture.app
        try await app.write { db in try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('C1', 'Ports', 'cn.gd.sz')") }
        try await app.write { db in try db.execute(sql: "UPDATE customer SET scope = 'cn.gd.gz' WHERE id = 'C1'") }
        try await store.foldCaptures()
        let entry = try #require(try Self.entry(app, "customer", "C1"))
        #expect(entry.scope == "cn.gd.gz" && entry.previousScope == "cn.gd.sz" && entry.seq == 2)
        let record = try app.read { db in try Row.fetchOne(db, sql: "SELECT scope, seq, source, context, born FROM _ts_evict WHERE pk = '[\"C1\"]'") }
        #expect(record?[0] as String? == "cn.gd.sz" && record?[1] as Int64? == 2 && record?[2] as String? == "cn.gd" && record?[4] as Int64? == 1)
        #expect(record?[3] as String? == "{\"cn.gd\":\(entry.stamp)}")
        // Moving back forgets the record of the scope it returns to and records the other.
        try await app.write { db in try db.execute(sql: "UPDATE customer SET scope = 'cn.gd.sz' WHERE id = 'C1'") }
        try await store.foldCaptures()
        #expect(try Self.count(app, "SELECT count(*) FROM _ts_evict WHERE scope = 'cn.gd.sz'") == 0)
        #expect(try Self.count(app, "SELECT seq FROM _ts_evict WHERE scope = 'cn.gd.gz'") == 3)
    }

    /// A stamp is taken from the time of the write, not of the fold.
    @Test func aStampIsTheTimeOfTheWrite() async throws {
        let fixture = try Fixture()
        let store = fixture.store, app = fixture.app
        let written = Int64(Date().timeIntervalSince1970 * 1000)
        try await app.write { db in try db.execute(sql: "INSERT INTO ticket(id, scope) VALUES ('T1', 'cn.gd.sz')") }
        try await Task.sleep(for: .milliseconds(700))
        try await store.foldCaptures()
        let entry = try #require(try Self.entry(app, "ticket", "T1"))
        #expect(HybridTimestamp(rawValue: entry.stamp).millis - written < 500)
    }

    /// Every method that reads the log folds first: a pull sees a write made just before,
    /// and an apply meets it as the row's state (a conflict, not an overwrite).
    @Test func readsAndAppliesFoldFirst() async throws {
        let directory = try TemporaryDirectory()
        let city = try directory.store(Self.node)
        let app = try directory.application(Self.node)
        try await app.write { db in try db.execute(sql: "INSERT INTO ticket(id, summary, scope) VALUES ('T1', 'city', 'cn.gd.sz')") }
        let pushed = try await city.allChanges()
        #expect(pushed.count == 1 && pushed[0].values?[3] == .text("city"))
        // A concurrent write of the same row elsewhere, with an earlier stamp, is a conflict.
        try await app.write { db in try db.execute(sql: "UPDATE ticket SET summary = 'city again' WHERE id = 'T1'") }
        var remote = pushed[0]
        // It has seen the city's first write, not its second: only the fold before the apply
        // shows the second, which makes the two concurrent.
        remote.version = Version(stamp: HybridTimestamp(millis: pushed[0].version.stamp.millis - 1000), origin: try NodeID("cn.gd"))
        remote.meta = RowMeta.write(remote.version, table: TemporaryDirectory.resolved("ticket"), values: remote.values!, deleted: false)
        remote.meta.context.record(pushed[0].version)
        remote.values![3] = .text("province")
        remote.source = try NodeID("cn.gd")
        let outcome = try await city.apply([remote], cursor: .none)
        #expect(outcome.conflicts == 1)
        #expect(try await app.read { db in try String.fetchOne(db, sql: "SELECT summary FROM ticket WHERE id = 'T1'") } == "city again")
    }

    /// A second process's writes are captured by the same triggers and folded alike.
    @Test func writesOfASecondProcessAreFolded() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store(Self.node)
        let path = directory.path("\(Self.node).sqlite")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [path, "PRAGMA busy_timeout = 5000; INSERT INTO ticket(id, summary, scope) VALUES ('P1', 'from sqlite3', 'cn.gd.sz'); UPDATE ticket SET status = 'open' WHERE id = 'P1';"]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(try await store.logHead() == 2)
        let changes = try await store.allChanges()
        #expect(changes.count == 1 && changes[0].values?[4] == .text("open") && changes[0].version.origin == store.node)
        #expect(changes[0].meta.bases[RowMeta.wholeRow]?.values[4] == .null)
    }

    /// A store made by an earlier TierSync, whose triggers wrote the log themselves, gets
    /// the thin triggers when it opens; its log entries stay as they were.
    @Test func anEarlierStoreGetsTheThinTriggersAndKeepsItsLog() async throws {
        let directory = try TemporaryDirectory()
        _ = try directory.store(Self.node)
        let app = try directory.application(Self.node)
        let entry = #"{"v":{"cn.gd.sz":100},"e":[[100,"cn.gd.sz",0,0]],"c":{"*":[[100,"cn.gd.sz",0]]},"b":{}}"#
        try await app.write { db in
            try db.execute(sql: "DROP TABLE _ts_capture; DROP TRIGGER _ts_ticket_insert")
            try db.execute(sql: """
                CREATE TRIGGER _ts_ticket_insert AFTER INSERT ON ticket BEGIN
                  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, deleted, meta, born) VALUES ('ticket', json_array(NEW.id), 1, 'old', 'old', NEW.scope, 0, '{}', 1);
                END
                """)
            try db.execute(sql: "INSERT INTO ticket(id, scope) VALUES ('OLD', 'cn.gd.sz')")
            try db.execute(sql: "UPDATE _ts_log SET hlc = 100, origin = 'cn.gd.sz', source = 'cn.gd.sz', meta = ? WHERE pk = '[\"OLD\"]'", arguments: [entry])
        }
        let store = try directory.store(Self.node)
        let sql = try await app.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = '_ts_ticket_insert'") } ?? ""
        #expect(sql.contains("_ts_capture") && !sql.contains("_ts_log"))
        #expect(try await store.captureGap() == nil)
        #expect(try await app.read { db in try String.fetchOne(db, sql: "SELECT meta FROM _ts_log WHERE pk = '[\"OLD\"]'") } == entry)
        try await app.write { db in try db.execute(sql: "INSERT INTO ticket(id, scope) VALUES ('NEW', 'cn.gd.sz')") }
        #expect(try Self.count(app, "SELECT count(*) FROM _ts_capture") == 1)
        #expect(try await store.allChanges().map { $0.key } == [[.text("OLD")], [.text("NEW")]])
    }
}

/// Reads stored values as the store does, for the tests' checks.
enum MetaTextProbe {
    static func values(_ text: String?) throws -> [SQLValue] {
        guard let text, let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else { return [] }
        return array.map { item in
            switch item {
            case is NSNull: .null
            case let number as NSNumber: .integer(number.int64Value)
            case let text as String: .text(text)
            default: .null
            }
        }
    }
}
