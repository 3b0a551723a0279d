import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits

/// The store finds capture triggers someone dropped, at open and on a check, reinstalls
/// them and records the gap; a table new to the schema, which lost nothing, is no gap.
@Suite(.ownThread)
struct CaptureGapStoreTests {
    static func triggers(_ app: DatabaseQueue, like pattern: String) throws -> [String] {
        try app.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\' ORDER BY name", arguments: [pattern]) }
    }

    @Test func droppedTriggersAreAGapATableNewToTheSchemaIsNot() async throws {
        let directory = try TemporaryDirectory()
        var withoutProducts = SyncSchema.standard
        withoutProducts.tables.removeAll { $0.name == "product" }
        var store = try directory.store("cn", schema: withoutProducts)
        let app = try directory.application("cn")
        try await app.write { db in
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('A', 'first', 'cn')")
            try db.execute(sql: SyncSchema.standard.table(named: "product")!.createSQL)
            try db.execute(sql: "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn')")
        }
        try store.close()

        // The schema now syncs product: it had no trigger and nothing logged, so nothing was lost.
        store = try directory.store("cn")
        #expect(try await store.captureGap() == nil)
        #expect(try await store.checkCapture().isEmpty)
        #expect(try Self.triggers(app, like: "\\_ts\\_product\\_%") == ["_ts_product_delete", "_ts_product_insert", "_ts_product_update"])

        // A trigger dropped while the store is open: the check reinstalls it and records the gap.
        let before = Date()
        try await app.write { db in try db.execute(sql: "DROP TRIGGER _ts_customer_update") }
        #expect(try await store.checkCapture() == ["_ts_customer_update"])
        #expect(try Self.triggers(app, like: "\\_ts\\_customer\\_%").count == 3)
        let gap = try #require(try await store.captureGap())
        #expect(gap.triggers == ["_ts_customer_update"] && gap.since >= before.addingTimeInterval(-1))
        #expect(gap.message(node: store.node).contains("tiersync status --acknowledge-capture-gap"), "the group has no parent to resync with")
        try await store.clearCaptureGap(foundBefore: before.addingTimeInterval(-60))
        #expect(try await store.captureGap() != nil, "a gap found after the resync started stays")

        // All three dropped while the store is closed, from a table with logged rows: found at open.
        try store.close()
        try await app.write { db in
            for event in ["insert", "update", "delete"] { try db.execute(sql: "DROP TRIGGER _ts_customer_\(event)") }
        }
        store = try directory.store("cn")
        #expect(try await store.captureGap()?.triggers == ["_ts_customer_delete", "_ts_customer_insert", "_ts_customer_update"])
        try await store.clearCaptureGap(foundBefore: Date())
        #expect(try await store.captureGap() == nil)
        try store.close()
    }
}
