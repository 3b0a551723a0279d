import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits

@Suite(.ownThread)
struct CaptureTests {
    @Test func writesFromAnotherConnectionAreLoggedWithStampAndOrigin() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd.sz")
        let app = try directory.application("cn.gd.sz")
        try await app.write { db in
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('A', 'first', 'cn.gd.sz'), ('B', 'second', 'cn.gd.sz')")
        }
        try await app.write { db in
            try db.execute(sql: "UPDATE customer SET name = 'first, renamed' WHERE id = 'A'")
            try db.execute(sql: "DELETE FROM customer WHERE id = 'B'")
        }
        let changes = try await store.allChanges()
        #expect(changes.count == 2)
        let renamed = try #require(changes.first { $0.key == [.text("A")] })
        #expect(renamed.values?[2] == .text("first, renamed"))
        #expect(renamed.version.origin == store.node)
        let deleted = try #require(changes.first { $0.key == [.text("B")] })
        #expect(deleted.deleted)
        #expect(deleted.scope == store.node)
        // Log order is commit order, and the later write carries the later stamp.
        #expect(changes.map(\.version.stamp).sorted() == changes.map(\.version.stamp))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(abs(renamed.version.stamp.millis - now) < 60_000)
    }

    @Test func changingAKeyLogsADeleteOfTheOldKey() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd.sz")
        try await directory.application("cn.gd.sz").write { db in
            try db.execute(sql: "INSERT INTO revenue VALUES ('A', '2026-10', 'data', 100, 'cn.gd.sz')")
            try db.execute(sql: "UPDATE revenue SET period = '2026-11' WHERE customer_id = 'A'")
        }
        let changes = try await store.allChanges()
        #expect(changes.count == 2)
        #expect(changes.contains { $0.deleted && $0.key == [.text("A"), .text("2026-10"), .text("data")] })
        #expect(changes.contains { !$0.deleted && $0.key == [.text("A"), .text("2026-11"), .text("data")] })
    }

    @Test func rowsPresentBeforeInstallAreAdopted() async throws {
        let directory = try TemporaryDirectory()
        let app = try directory.application("cn.gd.sz")
        try await app.write { db in
            try db.execute(sql: SyncSchema.standard.table(named: "customer")!.createSQL)
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('OLD', 'before TierSync', 'cn.gd.sz')")
        }
        try app.close()
        let store = try directory.store("cn.gd.sz")
        #expect(try await store.allChanges().map(\.key) == [[.text("OLD")]])
        // Opening again adopts nothing twice.
        try store.close()
        #expect(try await directory.store("cn.gd.sz").allChanges().count == 1)
    }

    @Test func aFileBelongsToOneNode() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.store("cn.gd.sz")
        #expect(throws: StoreError.self) {
            try SQLiteStore(path: directory.path("cn.gd.sz.sqlite"), node: try NodeID("cn.gd.gz"), schema: .standard)
        }
    }

    @Test func aTableWithoutScopeIsRefusedWithTheFix() throws {
        let directory = try TemporaryDirectory()
        let schema = try SyncSchema(parsing: "[table.t]\nsql = \"CREATE TABLE t(id TEXT PRIMARY KEY)\"\nconcentrate = group", fileName: "s")
        #expect {
            try directory.store("cn", schema: schema)
        } throws: { error in
            "\(error)".contains("add `scope TEXT NOT NULL`")
        }
    }
}

@Suite(.ownThread)
struct ScopeCheckTests {
    @Test func aWriteWithAScopeThatIsNotANodeIDIsRefusedAndChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd.sz")
        let app = try directory.application("cn.gd.sz")
        for (index, scope) in ["'CN.GD'", "''", "'cn..gd'", "'cn gd'", "'cn.gd.'", "x'00'", "'cn.gd.sz.x'"].enumerated() {
            await #expect {
                try await app.write { db in try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('X\(index)', 'x', \(scope))") }
            } throws: { error in
                "\(error)".contains("scope must be a node id")
            }
        }
        #expect(try await store.rowCounts()["customer"] == 0)
        #expect(try await store.logHead() == 0)
    }
}
