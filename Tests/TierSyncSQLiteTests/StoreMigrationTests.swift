import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits

/// TierSync's own tables are brought to this build's layout by GRDB's migrator when a
/// store opens: a file made by an earlier TierSync keeps everything it holds, one made by
/// a newer TierSync is refused untouched, and a read-only open migrates nothing.
@Suite(.ownThread)
struct StoreMigrationTests {
    static let node = "cn.gd.sz"
    /// The migrations this build runs, as `grdb_migrations` records them. Released
    /// identifiers never change: a store that recorded one must find it again.
    static let migrations = ["tiersync-v1-own-tables", "tiersync-v2-retention", "tiersync-v3-schema-record", "tiersync-v4-kept-changes"]
    /// TierSync's own fixed tables, which the migrations manage.
    static let ownTables = ["_ts_node", "_ts_log", "_ts_evict", "_ts_peer", "_ts_rejected", "_ts_conflict", "_ts_resync", "_ts_purged", "_ts_horizon", "_ts_schema", "_ts_kept"]

    /// The text dump of a node's file made by the previous release (Tests/Fixtures).
    static func previousRelease(_ node: String) throws -> String {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        return try String(contentsOf: fixtures.appendingPathComponent("previous-release-\(node).sql"), encoding: .utf8)
    }

    /// A fresh file in `directory` for `node`, holding `sql`, as another program writes it.
    static func load(_ sql: String, into directory: TemporaryDirectory, node: String = node) throws -> DatabaseQueue {
        let app = try directory.application(node)
        try app.writeWithoutTransaction { db in try db.execute(sql: sql) }
        return app
    }

    /// SQL that records `identifiers` in `grdb_migrations`, as a migrator would have.
    static func recording(_ identifiers: [String]) -> String {
        "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);\n"
            + identifiers.map { "INSERT INTO grdb_migrations VALUES ('\($0)');\n" }.joined()
    }

    /// Each own table's columns (name, type, not null, default, key), and the indexes on them.
    static func layout(_ app: DatabaseQueue) throws -> [String] {
        try app.read { db in
            var layout: [String] = []
            for table in ownTables {
                let columns = try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY name", arguments: [table])
                layout += columns.map { "\(table).\($0[0] as String) \($0[1] as String) \($0[2] as Int) \(($0[3] as String?) ?? "-") \($0[4] as Int)" }
                layout += try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name", arguments: [table]).map { "\(table) index \($0)" }
            }
            return layout
        }
    }

    static func strings(_ app: DatabaseQueue, _ sql: String) throws -> [String] {
        try app.read { db in try String.fetchAll(db, sql: sql) }
    }

    /// Everything in the file's schema, by name.
    static let schemaRows = "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name"

    /// Every column of every log entry, in log order.
    static let logRows = "SELECT seq || '|' || tbl || '|' || pk || '|' || hlc || '|' || origin || '|' || scope || '|' || deleted || '|' || meta || '|' || coalesce(tomb, '-') || '|' || coalesce(born, '-') FROM _ts_log ORDER BY seq"

    /// The layout a store created by this build has.
    static func freshLayout() throws -> [String] {
        let directory = try TemporaryDirectory()
        try directory.store(node).close()
        return try layout(try directory.application(node))
    }

    @Test func aPreviousReleaseStoreIsMigratedKeepingItsLogAndPeers() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load(try Self.previousRelease(Self.node), into: directory)
        #expect(try Self.strings(app, "SELECT count(*) FROM sqlite_master WHERE name = 'grdb_migrations'") == ["0"])
        let log = try Self.strings(app, Self.logRows)
        let peers = try Self.strings(app, "SELECT node || '|' || role || '|' || pushed || '|' || pulled || '|' || epoch FROM _ts_peer ORDER BY node")
        let node = try Self.strings(app, "SELECT node || '|' || epoch || '|' || hlc FROM _ts_node")
        #expect(log.count >= 10 && peers.count == 1, "the fixture holds a log and its parent")

        let store = try directory.store(Self.node)
        #expect(try Self.strings(app, "SELECT identifier FROM grdb_migrations ORDER BY rowid") == Self.migrations)
        #expect(try Self.layout(app) == (try Self.freshLayout()))
        #expect(try Self.strings(app, Self.logRows) == log)
        #expect(try Self.strings(app, "SELECT node || '|' || role || '|' || pushed || '|' || pulled || '|' || epoch FROM _ts_peer ORDER BY node") == peers)
        #expect(try Self.strings(app, "SELECT node || '|' || epoch || '|' || hlc FROM _ts_node") == node)
        #expect(store.epoch == node.first?.split(separator: "|")[1].description)
        // The log reads back whole, and a new write is captured by this build's triggers.
        #expect(try await store.allChanges().count == log.count)
        try await app.write { db in try db.execute(sql: "INSERT INTO ticket(id, scope) VALUES ('T-NEW', 'cn.gd.sz')") }
        #expect(try await store.allChanges().last?.key == [.text("T-NEW")])
        try store.close()
    }

    @Test func theEarliestLayoutWithRowMetadataGetsEveryLaterTableAndColumn() async throws {
        let directory = try TemporaryDirectory()
        // TierSync's own tables as the first release with row metadata made them.
        let app = try Self.load("""
            CREATE TABLE _ts_node(id INTEGER PRIMARY KEY CHECK (id = 1), node TEXT NOT NULL, hlc INTEGER NOT NULL DEFAULT 0,
              applying INTEGER NOT NULL DEFAULT 0, epoch TEXT NOT NULL);
            CREATE TABLE _ts_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, pk TEXT NOT NULL, hlc INTEGER NOT NULL,
              origin TEXT NOT NULL, source TEXT NOT NULL, scope TEXT NOT NULL, prev_scope TEXT, deleted INTEGER NOT NULL DEFAULT 0,
              meta TEXT NOT NULL, tomb TEXT, UNIQUE(tbl, pk));
            CREATE TABLE _ts_peer(node TEXT PRIMARY KEY, role TEXT NOT NULL, pushed INTEGER NOT NULL DEFAULT 0,
              pulled INTEGER NOT NULL DEFAULT 0, epoch TEXT, last_contact REAL, last_error TEXT);
            CREATE TABLE _ts_rejected(id INTEGER PRIMARY KEY AUTOINCREMENT, received_at REAL NOT NULL, peer TEXT, tbl TEXT NOT NULL,
              pk TEXT NOT NULL, version TEXT NOT NULL, reason TEXT NOT NULL);
            CREATE TABLE _ts_conflict(id INTEGER PRIMARY KEY AUTOINCREMENT, detected_at REAL NOT NULL, peer TEXT, tbl TEXT NOT NULL,
              pk TEXT NOT NULL, register TEXT NOT NULL, rule TEXT NOT NULL, manual INTEGER NOT NULL, local_version TEXT NOT NULL,
              local_value TEXT, remote_version TEXT NOT NULL, remote_value TEXT, base_version TEXT, base_value TEXT,
              winner TEXT NOT NULL, status TEXT NOT NULL, resolution TEXT, resolved_at REAL);
            CREATE INDEX _ts_conflict_status ON _ts_conflict(status, id);
            CREATE TABLE ticket(id TEXT PRIMARY KEY, customer_id TEXT, kind TEXT, summary TEXT, status TEXT, opened_at TEXT, scope TEXT NOT NULL);
            INSERT INTO ticket(id, scope) VALUES ('T-1', 'cn.gd.sz');
            INSERT INTO _ts_node VALUES (1, 'cn.gd.sz', 4294967296, 0, 'old-epoch');
            INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, deleted, meta) VALUES
              ('ticket', '["T-1"]', 4294967296, 'cn.gd.sz', 'cn.gd.sz', 'cn.gd.sz', 0,
               '{"v":{"cn.gd.sz":4294967296},"e":[[4294967296,"cn.gd.sz",0,0]],"c":{"*":[[4294967296,"cn.gd.sz",0]]},"b":{}}');
            INSERT INTO _ts_peer(node, role, pushed, pulled) VALUES ('cn.gd.sz.a', 'child', 0, 1);
            """, into: directory)
        let store = try directory.store(Self.node)
        #expect(store.epoch == "old-epoch")
        #expect(try Self.layout(app) == (try Self.freshLayout()))
        #expect(try Self.strings(app, "SELECT identifier FROM grdb_migrations") == Self.migrations)
        // A child known before `served` existed was served at most the log head.
        #expect(try Self.strings(app, "SELECT served FROM _ts_peer WHERE node = 'cn.gd.sz.a'") == ["1"])
        #expect(try await store.allChanges().map(\.key) == [[.text("T-1")]])
        try store.close()
    }

    @Test func aStoreMadeByANewerTierSyncIsRefusedUnchanged() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load(try Self.previousRelease(Self.node) + Self.recording(["tiersync-v1-own-tables", "tiersync-v9-from-a-later-release"]), into: directory)
        let before = try Self.strings(app, Self.schemaRows)
        let log = try Self.strings(app, Self.logRows)
        let opens: [() throws -> SQLiteStore] = [
            { try directory.store(Self.node) },
            { try SQLiteStore(readingAt: directory.path("\(Self.node).sqlite"), node: try NodeID(Self.node), schema: .standard) },
        ]
        for open in opens {
            do {
                _ = try open()
                Issue.record("a store made by a newer TierSync opened")
            } catch let error as StoreError {
                guard case let .madeByNewerRelease(database, migrations) = error else {
                    Issue.record("wrong error: \(error)")
                    continue
                }
                #expect(database == directory.path("\(Self.node).sqlite") && migrations == ["tiersync-v9-from-a-later-release"])
                #expect(error.description.contains("was set up by a newer TierSync") && error.description.contains("tiersync-v9-from-a-later-release"), "\(error)")
            }
        }
        #expect(try Self.strings(app, Self.schemaRows) == before)
        #expect(try Self.strings(app, Self.logRows) == log)
    }

    @Test func anApplicationsOwnMigrationsInTheSameFileAreLeftAlone() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load(try Self.previousRelease(Self.node) + Self.recording(["app-v1-billing"]), into: directory)
        try directory.store(Self.node).close()
        #expect(try Self.strings(app, "SELECT identifier FROM grdb_migrations ORDER BY rowid") == ["app-v1-billing"] + Self.migrations)
    }

    @Test func anotherNodesPreviousReleaseFileIsRefusedBeforeAnyMigration() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load(try Self.previousRelease(Self.node), into: directory, node: "cn.gd.gz")
        let before = try Self.strings(app, Self.schemaRows)
        #expect {
            try directory.store("cn.gd.gz")
        } throws: { error in
            guard case let .wrongNode(_, holds, configured) = error as? StoreError else { return false }
            return holds == Self.node && configured == "cn.gd.gz"
        }
        #expect(try Self.strings(app, Self.schemaRows) == before)
    }

    @Test func aLogWithoutRowMetadataIsStillRefusedUnchanged() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load("""
            CREATE TABLE _ts_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, pk TEXT NOT NULL, hlc INTEGER NOT NULL);
            """, into: directory)
        #expect {
            try directory.store(Self.node)
        } throws: { error in
            (error as? StoreError)?.description.contains("was made by an earlier TierSync without row metadata") == true
        }
        #expect(try Self.strings(app, "SELECT name FROM sqlite_master ORDER BY name") == ["_ts_log", "sqlite_sequence"])
    }

    @Test func aReadOnlyOpenMigratesNothingAndReadsOnlyAnUpgradedFile() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load(try Self.previousRelease(Self.node), into: directory)
        let path = directory.path("\(Self.node).sqlite")
        let before = try Self.strings(app, Self.schemaRows)
        #expect {
            try SQLiteStore(readingAt: path, node: try NodeID(Self.node), schema: .standard)
        } throws: { error in
            (error as? StoreError)?.description == "read \(path): an earlier TierSync set this file up and this one has not upgraded it yet; start the node once (tiersync serve) to upgrade it, then look again"
        }
        #expect(try Self.strings(app, Self.schemaRows) == before)
        try directory.store(Self.node).close()
        let upgraded = try Self.strings(app, Self.schemaRows)
        let reader = try SQLiteStore(readingAt: path, node: try NodeID(Self.node), schema: .standard)
        #expect(try await reader.logHead() == 13)
        try reader.close()
        #expect(try Self.strings(app, Self.schemaRows) == upgraded)
    }

    @Test func aSecondOpenRunsNoMigration() async throws {
        let directory = try TemporaryDirectory()
        let app = try Self.load(try Self.previousRelease(Self.node), into: directory)
        try directory.store(Self.node).close()
        let schema = try Self.strings(app, Self.schemaRows)
        let recorded = try Self.strings(app, "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        let log = try Self.strings(app, Self.logRows)
        try directory.store(Self.node).close()
        #expect(try Self.strings(app, Self.schemaRows) == schema)
        #expect(try Self.strings(app, "SELECT identifier FROM grdb_migrations ORDER BY rowid") == recorded)
        #expect(try Self.strings(app, Self.logRows) == log)
    }
}
