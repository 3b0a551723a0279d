import Foundation
import GRDB
import Testing
import TierSyncEngine
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits
import TierSyncTesting
import TierSyncWire

/// A schema rolled out node by node (SYNC.md 2.1): a node adds the columns its new schema
/// declares and refuses what a running tree cannot take; between nodes on different
/// schemas the link goes on: a node keeps what a newer schema sent until it runs it, and
/// fills what an older schema did not send; nodes on the same version with different files
/// wait, and say why.
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

    /// A province and its city on schemas `provinceVersion` and `cityVersion`, each declaring
    /// `item` with or without `segment`, with a round between them.
    struct Pair {
        let directory: TemporaryDirectory
        let provinceNode: NodeID
        let cityNode: NodeID
        var province: SQLiteStore
        var city: SQLiteStore
        let provinceApp: DatabaseQueue
        let cityApp: DatabaseQueue

        init(province provinceSchema: SyncSchema, city citySchema: SyncSchema) throws {
            directory = try TemporaryDirectory()
            (provinceNode, cityNode) = (try NodeID("cn.gd"), try NodeID("cn.gd.sz"))
            province = try SQLiteStore(path: directory.databasePath("cn.gd"), node: provinceNode, schema: provinceSchema)
            city = try SQLiteStore(path: directory.databasePath("cn.gd.sz"), node: cityNode, schema: citySchema)
            provinceApp = try directory.application("cn.gd")
            cityApp = try directory.application("cn.gd.sz")
        }

        init(provinceSegment: Bool, provinceVersion: Int, citySegment: Bool, cityVersion: Int) throws {
            try self.init(province: try Pair.schema(segment: provinceSegment, version: provinceVersion),
                          city: try Pair.schema(segment: citySegment, version: cityVersion))
        }

        static func schema(segment: Bool, version: Int) throws -> SyncSchema {
            segment ? try SchemaEvolutionTests.item(SchemaEvolutionTests.withSegment, version: version)
                : try SchemaEvolutionTests.schema(SchemaEvolutionTests.base, version: version)
        }

        func round() async throws -> RoundReport {
            try await ChildReplicator(store: city, link: InProcessLink(service: ParentService(store: province, logger: InProcessLink.quiet)),
                                      logger: InProcessLink.quiet).round()
        }

        /// Reopens the province with `schema` (by default the one with `segment`, at
        /// `version`) and applies what it kept, as a daemon's start does.
        mutating func upgradeProvince(version: Int, to schema: SyncSchema? = nil) async throws -> Int {
            try province.close()
            province = try SQLiteStore(path: directory.databasePath("cn.gd"), node: provinceNode,
                                       schema: try schema ?? Pair.schema(segment: true, version: version))
            return try await KeptRelease.run(province, logger: InProcessLink.quiet)
        }

        /// Reopens the city likewise.
        mutating func upgradeCity(version: Int) async throws -> Int {
            try city.close()
            city = try SQLiteStore(path: directory.databasePath("cn.gd.sz"), node: cityNode, schema: try Pair.schema(segment: true, version: version))
            return try await KeptRelease.run(city, logger: InProcessLink.quiet)
        }

        func close() throws {
            try city.close()
            try province.close()
        }
    }

    @Test func aNewerChildsColumnIsKeptAboveAndAnOlderParentsRowsTakeTheDefault() async throws {
        var pair = try Pair(provinceSegment: false, provinceVersion: 1, citySegment: true, cityVersion: 2)
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope, segment) VALUES ('A', 'a', 'cn.gd.sz', 'bank')") }
        try await pair.provinceApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('P', 'from above', 'cn.gd.sz')") }

        // The city runs version 2, its province version 1: the link goes on both ways. The
        // province keeps what it cannot store; the city's copy of P takes the DEFAULT, as P
        // will at the province once it upgrades.
        var report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        #expect(try await pair.province.keptCounts() == ["item": 1])
        #expect(try await pair.provinceApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'A'") } == 0)
        #expect(try await pair.cityApp.read { try String.fetchOne($0, sql: "SELECT name || '/' || segment FROM item WHERE id = 'P'") } == "from above/none")
        #expect(try await StatusReporter.status(of: pair.province).kept == ["item": 1])

        // A release under the old schema still cannot read it: it stays kept.
        #expect(try await KeptRelease.run(pair.province, logger: InProcessLink.quiet) == 0)
        #expect(try await pair.province.keptCounts() == ["item": 1])

        // The province upgrades: the kept change is applied with the new column's value, and
        // the province's log forwards it like any change it applied.
        #expect(try await pair.upgradeProvince(version: 2) == 1)
        #expect(try await pair.province.keptCounts().isEmpty)
        #expect(try await pair.provinceApp.read { try String.fetchOne($0, sql: "SELECT segment FROM item WHERE id = 'A'") } == "bank")
        #expect(try await pair.provinceApp.read { try String.fetchOne($0, sql: "SELECT segment FROM item WHERE id = 'P'") } == "none")
        report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        #expect(try await pair.province.changes(after: 0, limit: 10, scanLimit: 100, selecting: .pushedBy(pair.provinceNode)).changes
            .contains { $0.key == [.text("A")] && $0.values?.contains(.text("bank")) == true })
        try pair.close()
    }

    @Test func aNewerParentsColumnIsKeptBelowAndAnOlderChildsRowsTakeTheDefault() async throws {
        var pair = try Pair(provinceSegment: true, provinceVersion: 2, citySegment: false, cityVersion: 1)
        try await pair.provinceApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope, segment) VALUES ('Q', 'q', 'cn.gd.sz', 'gold')") }
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('C', 'c', 'cn.gd.sz')") }
        var report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        #expect(try await pair.provinceApp.read { try String.fetchOne($0, sql: "SELECT name || '/' || segment FROM item WHERE id = 'C'") } == "c/none")
        #expect(try await pair.city.keptCounts() == ["item": 1])
        #expect(try await pair.cityApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'Q'") } == 0)

        // The city writes Q's name while it cannot see the province's write: concurrent
        // writes, decided by the table's rule once both meet, the same at both nodes.
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('Q', 'q at the city', 'cn.gd.sz')") }
        report = try await pair.round()
        #expect(report.heldBack == nil, "\(report)")
        #expect(try await pair.upgradeCity(version: 2) >= 1)
        report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        let atProvince = try await pair.provinceApp.read { try String.fetchOne($0, sql: "SELECT name || '/' || segment FROM item WHERE id = 'Q'") }
        let atCity = try await pair.cityApp.read { try String.fetchOne($0, sql: "SELECT name || '/' || segment FROM item WHERE id = 'Q'") }
        #expect(atProvince == atCity && atCity == "q at the city/none", "the later write wins whole under lww: \(String(describing: atProvince)), \(String(describing: atCity))")
        try pair.close()
    }

    @Test func aNewTableIsKeptByTheOlderNodeUntilItHasTheTable() async throws {
        let memo = "\n[table.memo]\nsql = \"CREATE TABLE memo(id TEXT PRIMARY KEY, body TEXT, scope TEXT NOT NULL)\"\nconcentrate = group\n"
        let withMemo = try Self.schema(Self.base + memo, version: 2)
        var pair = try Pair(province: try Self.schema(Self.base), city: withMemo)
        try await pair.cityApp.write {
            try $0.execute(sql: "INSERT INTO memo(id, body, scope) VALUES ('M', 'memo', 'cn.gd.sz')")
            try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('I', 'item', 'cn.gd.sz')")
        }
        // The item goes up; the memo, of a table the province does not sync yet, is kept.
        var report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        #expect(try await pair.province.keptCounts() == ["memo": 1])
        #expect(try await pair.province.rowCounts() == ["item": 1])

        // The province starts with the table: it is created, and the memo applied.
        #expect(try await pair.upgradeProvince(version: 2, to: withMemo) == 1)
        #expect(try await pair.province.rowCounts() == ["item": 1, "memo": 1])
        #expect(try await pair.province.keptCounts().isEmpty)
        report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        try pair.close()
    }

    @Test func aFillIsTheLiteralDefaultAndNothingElse() throws {
        try DatabaseQueue().read { (db: Database) throws in
            #expect(try SQLiteStore.fill(db, default: nil, notNull: false) == .null)
            #expect(try SQLiteStore.fill(db, default: nil, notNull: true) == nil)
            #expect(try SQLiteStore.fill(db, default: "'x''y'", notNull: true) == .text("x'y"))
            #expect(try SQLiteStore.fill(db, default: "\"abc\"", notNull: true) == .text("abc"))
            #expect(try SQLiteStore.fill(db, default: "-1.5", notNull: true) == .real(-1.5))
            #expect(try SQLiteStore.fill(db, default: "+3", notNull: true) == .integer(3))
            #expect(try SQLiteStore.fill(db, default: "true", notNull: true) == .integer(1))
            #expect(try SQLiteStore.fill(db, default: "x'01ff'", notNull: true) == .blob(Data([0x01, 0xFF])))
            // Expressions are reported without their parentheses: none is a fill.
            for expression in ["random()", "CURRENT_TIMESTAMP", "1 + 1", "abs(-1)", "'a' || 'b'"] {
                #expect(try SQLiteStore.fill(db, default: expression, notNull: false) == nil, "\(expression)")
            }
        }
    }

    @Test func anOlderMergeWriteGetsNoRegisterForTheColumnItLacks() throws {
        let merge = try Self.item(Self.withSegment, conflict: "merge", version: 2)
        var table = merge.tables[0]
        table.columns = ["id", "name", "scope", "segment"]
        table.keyColumns = ["id"]
        table.fills = ["segment": .text("none")]
        var schema = merge
        schema.tables = [table]
        let city = try NodeID("cn.gd.sz")
        let version = Version(stamp: HybridTimestamp(millis: 1_000), origin: city)
        let sent = WireChange(table: "item", key: [WireValue(.text("A"))], values: [WireValue(.text("A")), WireValue(.text("a")), WireValue(.text("cn.gd.sz"))],
                              deleted: nil, stamp: version.stamp.rawValue, origin: city.description, source: nil,
                              meta: WireMeta(RowMeta(context: CausalContext([city: version.stamp]), existence: [Sibling(version: version, priority: 0, values: nil)])),
                              scope: city.description, previousScope: nil)
        let intake = try BatchIntake.read([sent], columns: ["item": ["id", "name", "scope"]], rules: nil,
                                          from: BatchIntake.Sender(node: city, isChild: true, schemaVersion: 1), schema: schema)
        let change = try #require(intake.changes.first)
        #expect(change.values == [.text("A"), .text("a"), .text("cn.gd.sz"), .text("none")])
        #expect(Set(change.meta.registers.keys) == ["name", "scope"], "no register for the column the sender lacks: \(change.meta.registers.keys)")
    }

    @Test func anEvictionWaitsWithTheKeptChangesOfItsTable() async throws {
        var pair = try Pair(provinceSegment: true, provinceVersion: 2, citySegment: false, cityVersion: 1)
        try await pair.provinceApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope, segment) VALUES ('R', 'r', 'cn.gd.sz', 'gold')") }
        _ = try await pair.round()
        #expect(try await pair.city.keptCounts() == ["item": 1])
        // The row leaves the city's scope: the city is sent an eviction, which must follow
        // the kept change it supersedes, not pass it.
        try await pair.provinceApp.write { try $0.execute(sql: "UPDATE item SET scope = 'cn.gd.gz' WHERE id = 'R'") }
        let report = try await pair.round()
        #expect(report.heldBack == nil && report.caughtUp, "\(report)")
        #expect(try await pair.city.keptCounts() == ["item": 2], "the eviction is kept behind the change")
        #expect(try await pair.upgradeCity(version: 2) == 2)
        #expect(try await pair.cityApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'R'") } == 0,
                "the row left the city's scope before the city could store it")
        #expect(try await pair.city.keptCounts().isEmpty)
        try pair.close()
    }

    @Test func aNewerChildsChangeWithBadMetadataIsRefusedBeforeItIsKept() async throws {
        let pair = try Pair(provinceSegment: false, provinceVersion: 1, citySegment: true, cityVersion: 2)
        let city = pair.cityNode
        let stamp = HybridTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000))
        func change(existence: [Sibling]) -> WireChange {
            WireChange(table: "memo", key: [WireValue(.text("M"))], values: [WireValue(.text("M")), WireValue(.text("cn.gd.sz"))], deleted: nil,
                       stamp: stamp.rawValue, origin: city.description, source: nil,
                       meta: WireMeta(RowMeta(context: CausalContext([city: stamp]), existence: existence)), scope: city.description, previousScope: nil)
        }
        let service = ParentService(store: pair.province, logger: InProcessLink.quiet)
        let bad = PushRequest(node: city.description, after: 0, through: 1, columns: ["memo": ["id", "scope"]], changes: [change(existence: [])], schema: 2)
        await #expect { try await service.receive(bad) } throws: { "\($0)".contains("of a newer schema") && "\($0)".contains("at least one write") }
        #expect(try await pair.province.keptCounts().isEmpty)
        #expect(try await pair.province.peer(city)?.pushed ?? 0 == 0, "a refused push moves nothing")
        let good = PushRequest(node: city.description, after: 0, through: 1, columns: ["memo": ["id", "scope"]],
                               changes: [change(existence: [Sibling(version: Version(stamp: stamp, origin: city), priority: 0, values: nil)])], schema: 2)
        _ = try await service.receive(good)
        #expect(try await pair.province.keptCounts() == ["memo": 1])
        try pair.close()
    }

    @Test func whatARoundHeldBackStaysInStatusThroughAHeldPull() async throws {
        let pair = try Pair(provinceSegment: false, provinceVersion: 2, citySegment: true, cityVersion: 2)
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope, segment) VALUES ('A', 'a', 'cn.gd.sz', 'bank')") }
        let report = try await pair.round()
        #expect(report.heldBack?.hasPrefix(RoundReport.pushesHeldBack) == true, "\(report)")
        // The province writes for another city: a held pull passes over it and applies
        // only a new cursor, which must not clear what the round held back.
        try await pair.provinceApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('G', 'g', 'cn.gd.gz')") }
        let replicator = ChildReplicator(store: pair.city, link: InProcessLink(service: ParentService(store: pair.province, logger: InProcessLink.quiet)),
                                         logger: InProcessLink.quiet)
        let held = try await replicator.awaitParent(wait: 0)
        #expect(held.applied, "\(held)")
        #expect(try await pair.city.peer(pair.provinceNode)?.lastError?.hasPrefix(RoundReport.pushesHeldBack) == true)
        try pair.close()
    }

    @Test func nodesOnTheSameVersionWithDifferentFilesWaitAndSayWhy() async throws {
        let pair = try Pair(provinceSegment: false, provinceVersion: 2, citySegment: true, cityVersion: 2)
        try await pair.cityApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope, segment) VALUES ('A', 'a', 'cn.gd.sz', 'bank')") }
        try await pair.provinceApp.write { try $0.execute(sql: "INSERT INTO item(id, name, scope) VALUES ('P', 'from above', 'cn.gd.sz')") }
        let report = try await pair.round()
        #expect(report.heldBack?.contains("pushes held back") == true && report.heldBack?.contains("pulls held back") == true
            && report.heldBack?.contains("segment") == true, "\(report)")
        #expect(!report.caughtUp)
        #expect(try await pair.provinceApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'A'") } == 0)
        #expect(try await pair.cityApp.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM item WHERE id = 'P'") } == 0)
        #expect(try await pair.province.keptCounts().isEmpty)
        #expect(try await pair.city.keptCounts().isEmpty)
        #expect(try await pair.city.peer(pair.provinceNode)?.lastError?.contains("held back") == true)
        try pair.close()
    }
}
