import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncWire
import TierSyncTestTraits

@Suite(.ownThread)
struct ApplyTests {
    /// A fresh write of a customer at `origin`, as that node's capture records it.
    private func customer(_ id: String, name: String, millis: Int64, origin: String = "cn.gd.sz", deleted: Bool = false) throws -> Change {
        try Change.write(TemporaryDirectory.resolved("customer"),
                         values: [.text(id), .null, .text(name), .null, .null, .null, .null, .null, .text("cn.gd.sz")],
                         deleted: deleted, version: Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin)))
    }

    @Test func applyingTheSameBatchTwiceChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let batch = try (0..<50).map { try customer("C\($0)", name: "n\($0)", millis: 1000 + Int64($0)) }
        let first = try await province.apply(batch, cursor: .pushedBy(child: try NodeID("cn.gd.sz"), after: 0, through: 50))
        #expect(first.applied == 50)
        let headAfterFirst = try await province.logHead()
        let second = try await province.apply(batch, cursor: .pushedBy(child: try NodeID("cn.gd.sz"), after: 0, through: 50))
        #expect(second.applied == 0 && second.skipped == 50)
        #expect(try await province.logHead() == headAfterFirst)
        #expect(try await province.rowCounts()["customer"] == 50)
        #expect(try await province.peer(try NodeID("cn.gd.sz"))?.pushed == 50)
    }

    @Test func theHigherVersionWinsInAnyOrder() async throws {
        let directory = try TemporaryDirectory()
        let older = try customer("C", name: "older", millis: 1000, origin: "cn.gd.sz")
        let newer = try customer("C", name: "newer", millis: 2000, origin: "cn")
        let tie = try customer("C", name: "tie, lower origin", millis: 2000, origin: "c")
        for (index, order) in [[older, newer, tie], [tie, newer, older], [newer, older, tie]].enumerated() {
            let store = try directory.store("cn.gd", schema: .standard)
            defer { try? store.close(); try? FileManager.default.removeItem(atPath: directory.path("cn.gd.sqlite")) }
            for change in order { _ = try await store.apply([change], cursor: .none) }
            let row = try await store.allChanges().first
            #expect(row?.values?[2] == .text("newer"), "order \(index)")
        }
    }

    @Test func remoteChangesKeepTheirOriginAndAreNotRecaptured() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let change = try customer("C", name: "remote", millis: 5_000_000_000_000)
        _ = try await province.apply([change], cursor: .none)
        let logged = try await province.allChanges()
        #expect(logged == [change])
        // The clock moved past the remote stamp: a later local write is newer.
        try await directory.application("cn.gd").write { db in
            try db.execute(sql: "UPDATE customer SET classes = 'important' WHERE id = 'C'")
        }
        let local = try #require(try await province.allChanges().first)
        #expect(local.version.origin == province.node)
        #expect(local.version > change.version)
    }

    @Test func aDeleteWinsOnlyWhenNewer() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let row = try customer("C", name: "x", millis: 2000)
        let delete = try customer("C", name: "x", millis: 1000, deleted: true)
        _ = try await province.apply([row, delete], cursor: .none)
        #expect(try await province.rowCounts()["customer"] == 1)
        _ = try await province.apply([try customer("C", name: "x", millis: 3000, deleted: true)], cursor: .none)
        #expect(try await province.rowCounts()["customer"] == 0)
        _ = try await province.apply([row], cursor: .none)
        #expect(try await province.rowCounts()["customer"] == 0, "an older write must not resurrect a deleted row")
    }

    @Test func aBadRowGoesToTheErrorQueueAndTheRestApplies() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        var bad = try customer("BAD", name: "x", millis: 1000)
        bad.values?[2] = .null // name is NOT NULL
        let outcome = try await province.apply([try customer("OK", name: "fine", millis: 1000), bad], cursor: .none)
        #expect(outcome.applied == 1)
        #expect(outcome.rejected.count == 1)
        #expect(outcome.rejected.first?.reason.contains("NOT NULL") == true)
        #expect(try await province.rejectedCount() == 1)
        #expect(try await province.rowCounts()["customer"] == 1)
    }

    @Test func aPushThatSkipsAheadOfTheAppliedPositionIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let child = try NodeID("cn.gd.sz")
        await #expect(throws: StoreError.self) {
            try await province.apply([try customer("C", name: "x", millis: 1)], cursor: .pushedBy(child: child, after: 10, through: 20))
        }
        #expect(try await province.rowCounts()["customer"] == 0)
    }

    @Test func valuesSurviveExactlyThroughTheWire() async throws {
        let directory = try TemporaryDirectory()
        let schema = try SyncSchema(parsing: """
            [table.sample]
            sql = "CREATE TABLE sample(id INTEGER PRIMARY KEY, a, b, c, scope TEXT NOT NULL)"
            concentrate = group
            """, fileName: "exact")
        let city = try directory.store("cn.gd.sz", schema: schema)
        try await directory.application("cn.gd.sz").write { db in
            try db.execute(sql: """
                INSERT INTO sample VALUES
                  (1, NULL, '', x'00ff10', 'cn.gd.sz'),
                  (9223372036854775807, -9223372036854775808, 0.1 + 0.2, 1e308, 'cn.gd.sz'),
                  (-5, '中文 ελληνικά עברית 🙂', 'NULL', -0.0, 'cn.gd.sz'),
                  (7, 4.9406564584124654e-324, 123, '123', 'cn.gd.sz')
                """)
        }
        let changes = try await city.allChanges()
        let request = PushRequest(node: "cn.gd.sz", after: 0, through: 4,
                                  columns: WireCoding.columns(for: changes, schema: city.schema), changes: WireCoding.wireChanges(changes, schema: city.schema))
        let decoded = try WireCoding.decode(PushRequest.self, from: try WireCoding.encode(request))
        let province = try directory.store("cn.gd", schema: schema)
        _ = try await province.apply(try WireCoding.changes(decoded.changes, columns: decoded.columns, schema: province.schema), cursor: .none)
        let query = "SELECT group_concat(id || ':' || typeof(a) || quote(a) || typeof(b) || quote(b) || typeof(c) || quote(c), '|') FROM (SELECT * FROM sample ORDER BY id)"
        let original = try await directory.application("cn.gd.sz").read { try String.fetchOne($0, sql: query) }
        let copied = try await directory.application("cn.gd").read { try String.fetchOne($0, sql: query) }
        #expect(original == copied)
        #expect(original?.contains("textX'00FF10'") == false)
        #expect(original?.contains("blobX'00FF10'") == true)
    }
}
