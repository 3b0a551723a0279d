import Foundation
import GRDB
import Testing
import TierSyncEngine
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits
import TierSyncTesting

/// A schema rolled out node by node (SYNC.md 2.3): a node adds the columns its new schema
/// declares and refuses what a running tree cannot take; between nodes on different
/// schemas the changes wait, held back and kept, and go once both match.
@Suite(.ownThread)
struct SchemaEvolutionTests {
    static let base = """
        [table.item]
        sql = "CREATE TABLE item(id TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL)"
        concentrate = group
        conflict = lww
        """

    static func schema(_ text: String, version: Int = 1) throws -> SyncSchema {
        try SyncSchema(parsing: "version = \(version)\n" + text, fileName: "schema v\(version)")
    }

    /// The base schema with `item` declared by `sql` instead, and further lines.
    static func item(_ sql: String, extra: String = "", conflict: String = "lww", version: Int) throws -> SyncSchema {
        try schema("[table.item]\nsql = \"\(sql)\"\nconcentrate = group\nconflict = \(conflict)\n" + extra, version: version)
    }

    static let withSegment = "CREATE TABLE item(id TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL, segment TEXT DEFAULT 'none')"

    @Test func theVersionIsReadAndOnlyItComesBeforeTheTables() throws {
        #expect(try Self.schema(Self.base, version: 3).version == 3)
        #expect(try SyncSchema(parsing: Self.base, fileName: "plain").version == 1)
        for (text, expected) in [("version = 0\n", "whole number from 1"), ("version = two\n", "whole number from 1"), ("versoin = 2\n", "unknown setting 'versoin'")] {
            #expect { try SyncSchema(parsing: text + Self.base, fileName: "bad") } throws: { "\($0)".contains(expected) }
        }
    }

    @Test func anAddedColumnKeepsEveryConstraintItIsDeclaredWith() {
        let definitions = DeclaredColumn.columnDefinitions(in: """
            CREATE TABLE note(id TEXT PRIMARY KEY, "body" TEXT CHECK (length(body) < 10), scope TEXT NOT NULL,
              tag TEXT DEFAULT 'a,b' COLLATE NOCASE, CONSTRAINT two UNIQUE (body, tag), CHECK (scope <> ''))
            """)
        #expect(definitions["body"] == #""body" TEXT CHECK (length(body) < 10)"#)
        #expect(definitions["tag"] == "tag TEXT DEFAULT 'a,b' COLLATE NOCASE")
        #expect(definitions["scope"] == "scope TEXT NOT NULL")
        #expect(Set(definitions.keys) == ["id", "body", "scope", "tag"], "table constraints are not columns")
    }

    @Test func onlyNewColumnsMayGainRules() throws {
        let merge = try #require(try Self.item("CREATE TABLE item(id TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL)", conflict: "merge", version: 1).tables.first)
        var table = merge
        table.columns = ["id", "name", "scope"]
        table.keyColumns = ["id"]
        let recorded = SchemaEvolution.ruleLine(of: table)
        #expect(SchemaEvolution.ruleChange(recorded: recorded, table: table) == nil)
        var added = table
        added.columns.append("segment")
        added.columnConflicts["segment"] = .tier
        #expect(SchemaEvolution.ruleChange(recorded: recorded, table: added) == nil, "a new column may come with its own rule")
        var tightened = table
        tightened.columnConflicts["name"] = .tier
        #expect(SchemaEvolution.ruleChange(recorded: recorded, table: tightened)?.contains("column.name was lww, is tier") == true)
        var rerouted = table
        rerouted.concentration = .province
        #expect(SchemaEvolution.ruleChange(recorded: recorded, table: rerouted)?.contains("concentrate was group, is province") == true)
        var deletes = table
        deletes.deletes = .delete
        #expect(SchemaEvolution.ruleChange(recorded: recorded, table: deletes)?.contains("declare a new table") == true)
    }

    @Test func aNewColumnIsAddedAndWhatATreeCannotTakeIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.databasePath("cn.gd.sz")
        let node = try NodeID("cn.gd.sz")
        var store = try SQLiteStore(path: path, node: node, schema: try Self.schema(Self.base))
        let app = try directory.application("cn.gd.sz")
        try await app.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('A', 'a', 'cn.gd.sz')") }
        try store.close()

        store = try SQLiteStore(path: path, node: node, schema: try Self.item(Self.withSegment, version: 2))
        #expect(store.schema.table(named: "item")?.columns == ["id", "name", "scope", "segment"])
        #expect(try await app.read { try String.fetchOne($0, sql: "SELECT name || '/' || segment FROM item WHERE id = 'A'") } == "a/none")
        try await app.write { try $0.execute(sql: "UPDATE item SET segment = 'bank' WHERE id = 'A'") }
        #expect(try await store.allChanges().last?.values?.last == .text("bank"), "the new column is captured")
        try store.close()

        let refusals: [(SyncSchema, String)] = [
            (try Self.schema(Self.base, version: 3), "has column segment, which the schema no longer declares"),
            (try Self.item("CREATE TABLE item(id TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL, segment TEXT DEFAULT 'none', tag TEXT NOT NULL)", version: 3),
             "NOT NULL without a DEFAULT"),
            (try Self.item("CREATE TABLE item(id TEXT, name TEXT, scope TEXT NOT NULL, segment TEXT DEFAULT 'none', PRIMARY KEY(id, name))", version: 3),
             "cannot change a table's key"),
            (try Self.item(Self.withSegment, conflict: "tier", version: 3), "conflict was lww, is tier"),
        ]
        for (schema, expected) in refusals {
            #expect { try SQLiteStore(path: path, node: node, schema: schema) } throws: { "\($0)".contains(expected) }
        }
        // Refused, the file is as it was: the previous schema still opens it.
        store = try SQLiteStore(path: path, node: node, schema: try Self.item(Self.withSegment, version: 2))
        #expect(store.schema.table(named: "item")?.columns == ["id", "name", "scope", "segment"])
        try store.close()
    }

    @Test func aColumnTheSchemaNeverDeclaredIsLeftAsBefore() async throws {
        let directory = try TemporaryDirectory()
        let app = try directory.application("cn.gd.sz")
        // An application's own table, made before TierSync, with a column of its own.
        try await app.write { try $0.execute(sql: "CREATE TABLE item(ID TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL, local_note TEXT)") }
        let path = directory.databasePath("cn.gd.sz")
        for _ in 0..<2 {
            let store = try SQLiteStore(path: path, node: try NodeID("cn.gd.sz"), schema: try Self.schema(Self.base))
            #expect(store.schema.table(named: "item")?.columns == ["ID", "name", "scope", "local_note"])
            try store.close()
        }
    }

    /// A column added to a table decided column by column: rows written before have no
    /// register for it until a write gives them one, sync as they are, and a write of the
    /// new column merges with a concurrent write of another.
    @Test func aColumnAddedToAMergeTableMergesWithTheRest() async throws {
        let directory = try TemporaryDirectory()
        let (provinceNode, cityNode) = (try NodeID("cn.gd"), try NodeID("cn.gd.sz"))
        let before = try Self.item("CREATE TABLE item(id TEXT PRIMARY KEY, name TEXT, scope TEXT NOT NULL)", conflict: "merge", version: 1)
        let after = try Self.item(Self.withSegment, extra: "conflict.segment = tier\n", conflict: "merge", version: 2)
        var province = try SQLiteStore(path: directory.databasePath("cn.gd"), node: provinceNode, schema: before)
        var city = try SQLiteStore(path: directory.databasePath("cn.gd.sz"), node: cityNode, schema: before)
        let cityApp = try directory.application("cn.gd.sz")
        let provinceApp = try directory.application("cn.gd")
        func round() async throws -> RoundReport {
            try await ChildReplicator(store: city, link: InProcessLink(service: ParentService(store: province, logger: InProcessLink.quiet)),
                                      logger: InProcessLink.quiet).round()
        }
        try await cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('A', 'a', 'cn.gd.sz'), ('B', 'b', 'cn.gd.sz')") }
        _ = try await round()
        try province.close()
        try city.close()
        province = try SQLiteStore(path: directory.databasePath("cn.gd"), node: provinceNode, schema: after)
        city = try SQLiteStore(path: directory.databasePath("cn.gd.sz"), node: cityNode, schema: after)

        // Concurrently: the province renames A, the city sets its new column; B is untouched.
        try await provinceApp.write { try $0.execute(sql: "UPDATE item SET name = 'renamed' WHERE id = 'A'") }
        try await cityApp.write { try $0.execute(sql: "UPDATE item SET segment = 'bank' WHERE id = 'A'") }
        for _ in 0..<2 { _ = try await round() }
        for app in [provinceApp, cityApp] {
            #expect(try await app.read { try String.fetchAll($0, sql: "SELECT id || '/' || name || '/' || segment FROM item ORDER BY id") }
                == ["A/renamed/bank", "B/b/none"])
        }
        let refused = try await province.rejectedCount() + city.rejectedCount()
        #expect(refused == 0, "no row refused for its missing register")
        #expect(try await province.conflictCount() == 0, "writes of different columns do not conflict")

        // A deletion of a row written before the column was added does not write the column:
        // the province deletes B, the city then sets B's new column (a later write, so the
        // row lives), and the city's value stands although the province's writes rank higher
        // on that column.
        try await provinceApp.write { try $0.execute(sql: "DELETE FROM item WHERE id = 'B'") }
        try await Task.sleep(for: .milliseconds(5))
        try await cityApp.write { try $0.execute(sql: "UPDATE item SET segment = 'gold' WHERE id = 'B'") }
        for _ in 0..<2 { _ = try await round() }
        for app in [provinceApp, cityApp] {
            #expect(try await app.read { try String.fetchOne($0, sql: "SELECT name || '/' || segment FROM item WHERE id = 'B'") } == "b/gold")
        }
        try city.close()
        try province.close()
    }

    @Test func betweenNodesOnDifferentSchemasChangesWaitAndGoOnceBothMatch() async throws {
        let directory = try TemporaryDirectory()
        let (provinceNode, cityNode) = (try NodeID("cn.gd"), try NodeID("cn.gd.sz"))
        var province = try SQLiteStore(path: directory.databasePath("cn.gd"), node: provinceNode, schema: try Self.schema(Self.base))
        let city = try SQLiteStore(path: directory.databasePath("cn.gd.sz"), node: cityNode, schema: try Self.item(Self.withSegment, version: 2))
        let cityApp = try directory.application("cn.gd.sz")
        let provinceApp = try directory.application("cn.gd")
        try await cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope, segment) VALUES ('A', 'a', 'cn.gd.sz', 'bank')") }
        try await provinceApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('P', 'from above', 'cn.gd.sz')") }

        func round() async throws -> RoundReport {
            try await ChildReplicator(store: city, link: InProcessLink(service: ParentService(store: province, logger: InProcessLink.quiet)),
                                      logger: InProcessLink.quiet).round()
        }
        // The city runs version 2, its province version 1: both ways, the changes wait where
        // they are, kept, and the round says why.
        var report = try await round()
        #expect(report.heldBack?.contains("pushes held back") == true && report.heldBack?.contains("pulls held back") == true
            && report.heldBack?.contains("segment") == true, "\(report)")
        #expect(!report.caughtUp)
        #expect(try await provinceApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'A'") } == 0)
        #expect(try await cityApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'P'") } == 0)
        #expect(try await city.peer(provinceNode)?.lastError?.contains("held back") == true)

        // The province upgrades: everything goes, the new column's value with it.
        try province.close()
        province = try SQLiteStore(path: directory.databasePath("cn.gd"), node: provinceNode, schema: try Self.item(Self.withSegment, version: 2))
        report = try await round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        #expect(try await provinceApp.read { try String.fetchOne($0, sql: "SELECT segment FROM item WHERE id = 'A'") } == "bank")
        #expect(try await cityApp.read { try String.fetchOne($0, sql: "SELECT name FROM item WHERE id = 'P'") } == "from above")
        #expect(try await city.peer(provinceNode)?.lastError == nil, "the next good round clears the error")
        try city.close()
        try province.close()
    }
}
