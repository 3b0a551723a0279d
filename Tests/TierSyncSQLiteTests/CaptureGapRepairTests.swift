import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits

/// A resync of a child with a recorded capture gap keeps what was written while the
/// triggers were missing (updates, deletions, inserts) as new local writes that its parent
/// then takes like any push; without a gap, the same differences are repaired to the
/// parent's state.
@Suite(.ownThread)
struct CaptureGapRepairTests {
    static let city = try! NodeID("cn.gd.sz")
    static let province = try! NodeID("cn.gd")

    /// A city and its province holding the same customers and contacts; the province also
    /// holds `SZ-P`, a customer of the city's scope that the city has not pulled. Then,
    /// with the city's capture triggers dropped, the city edits `SZ-1` and contact `C-1`,
    /// deletes `SZ-2`, inserts `SZ-NEW` and its own `SZ-P`; the store's check finds the
    /// triggers missing, reinstalls them and records the gap.
    func scenario(_ directory: TemporaryDirectory) async throws -> (city: SQLiteStore, province: SQLiteStore) {
        let city = try directory.store("cn.gd.sz")
        let province = try directory.store("cn.gd")
        let app = try directory.application("cn.gd.sz")
        try await app.write { db in
            for index in 0..<20 {
                try db.execute(sql: "INSERT INTO customer(id, name, manager, scope) VALUES (?, ?, 'm', 'cn.gd.sz')", arguments: ["SZ-\(index)", "customer \(index)"])
            }
            try db.execute(sql: "INSERT INTO contact(id, customer_id, name, phone, scope) VALUES ('C-1', 'SZ-1', 'Li', '100', 'cn.gd.sz'), ('C-2', 'SZ-3', 'Wang', '200', 'cn.gd.sz')")
        }
        _ = try await province.apply(try await city.allChanges(), cursor: .none)
        try await directory.application("cn.gd").write { db in
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('SZ-P', 'province P', 'cn.gd.sz')")
        }
        try await app.write { db in
            for trigger in ["_ts_customer_insert", "_ts_customer_update", "_ts_customer_delete", "_ts_contact_update"] {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: "UPDATE customer SET name = 'edited' WHERE id = 'SZ-1'")
            try db.execute(sql: "DELETE FROM customer WHERE id = 'SZ-2'")
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('SZ-NEW', 'new', 'cn.gd.sz'), ('SZ-P', 'city P', 'cn.gd.sz')")
            try db.execute(sql: "UPDATE contact SET phone = '999' WHERE id = 'C-1'")
        }
        #expect(try await city.checkCapture().count == 4)
        #expect(try await city.captureGap() != nil)
        return (city, province)
    }

    /// Repairs every differing row of `table` at the city against the province's states.
    func repair(_ table: String, city: SQLiteStore, province: SQLiteStore, captureGap: Bool, dryRun: Bool = false) async throws -> RepairCounts {
        let mine = try await city.digests(of: [table], scopes: .everything)[table]!.tree
        let theirs = try await province.digests(of: [table], scopes: .everything)[table]!.tree
        let differing = Set(mine.leaves.indices.filter { mine.leaves[$0] != theirs.leaves[$0] })
        let keys = try await city.digestKeys(of: table, buckets: differing, locations: nil, scopes: .everything)
        let states = try await province.states(of: table, buckets: differing, locations: nil, scopes: .everything)
        return try await city.repair(table: table, keys: keys, parentStates: states, parent: Self.province, mark: nil, captureGap: captureGap, dryRun: dryRun)
    }

    static func values(_ store: DatabaseQueue, _ sql: String) async throws -> [String] {
        try await store.read { db in try String.fetchAll(db, sql: sql) }
    }

    @Test func theWritesTheGapMissedBecomeLocalWritesThatTheParentTakes() async throws {
        let directory = try TemporaryDirectory()
        let (city, province) = try await scenario(directory)
        let app = try directory.application("cn.gd.sz")
        let before = try #require(try await city.allChanges().first { $0.key == [.text("SZ-1")] })

        let dry = try await repair("customer", city: city, province: province, captureGap: true, dryRun: true)
        #expect(dry.updated == 1 && dry.deleted == 1 && dry.adopted == 2 && dry.pulled == 0, "\(dry)")
        let counts = try await repair("customer", city: city, province: province, captureGap: true)
        #expect(counts.updated == 1 && counts.deleted == 1 && counts.adopted == 2 && counts.pulled == 0 && counts.pushed == 4, "\(counts)")
        let contacts = try await repair("contact", city: city, province: province, captureGap: true)
        #expect(contacts.updated == 1 && contacts.pulled == 0, "\(contacts)")

        // The city's tables keep what was written; its log now has each write as its own.
        let names = "SELECT id || '=' || name FROM customer WHERE id IN ('SZ-1', 'SZ-2', 'SZ-NEW', 'SZ-P') ORDER BY id"
        #expect(try await Self.values(app, names) == ["SZ-1=edited", "SZ-NEW=new", "SZ-P=city P"])
        let changes = try await city.allChanges()
        let update = try #require(changes.first { $0.key == [.text("SZ-1")] })
        #expect(update.version.origin == Self.city && update.version.stamp > before.version.stamp && update.source == Self.city)
        #expect(update.meta.context.covers(before.version), "an update made after seeing the version the province holds")
        #expect(update.meta.registers["manager"]?.first?.version == before.version, "a column the gap did not touch keeps its write")
        #expect(update.meta.bases["name"]?.values == [.text("customer 1")])
        #expect(changes.first { $0.key == [.text("SZ-2")] }?.deleted == true)

        // Pushed like any local write: the province takes the update, the deletion and the insert.
        _ = try await province.apply(changes, cursor: .pushedBy(child: Self.city, after: 0, through: try await city.logHead()))
        let parent = try directory.application("cn.gd")
        #expect(try await Self.values(parent, names) == ["SZ-1=edited", "SZ-NEW=new", "SZ-P=city P"])
        #expect(try await Self.values(parent, "SELECT phone FROM contact WHERE id = 'C-1'") == ["999"])
        #expect(try await province.rejectedCount() == 0)
        // SZ-P was written at both nodes concurrently: the rules decided, and the province lists it.
        let conflicts = try await province.conflicts(all: true, limit: 100)
        #expect(!conflicts.isEmpty && Set(conflicts.map(\.key)) == [[.text("SZ-P")]], "only the concurrent insert meets another write: \(conflicts)")

        // Once the city has pulled the province's merge, the two nodes agree.
        _ = try await city.apply(try await province.allChanges(), cursor: .none)
        for table in ["customer", "contact"] {
            let mine = try await city.digests(of: [table], scopes: .everything)[table]?.tree.root
            #expect(mine == (try await province.digests(of: [table], scopes: .everything)[table]?.tree.root), "\(table)")
        }
        try city.close()
        try province.close()
    }

    @Test func withoutAGapTheSameDifferencesTakeTheParentsState() async throws {
        let directory = try TemporaryDirectory()
        let (city, province) = try await scenario(directory)
        let app = try directory.application("cn.gd.sz")
        let counts = try await repair("customer", city: city, province: province, captureGap: false)
        #expect(counts.updated == 0 && counts.deleted == 0 && counts.adopted == 1 && counts.pulled == 3, "\(counts)")
        let names = "SELECT id || '=' || name FROM customer WHERE id IN ('SZ-1', 'SZ-2', 'SZ-NEW', 'SZ-P') ORDER BY id"
        #expect(try await Self.values(app, names) == ["SZ-1=customer 1", "SZ-2=customer 2", "SZ-NEW=new", "SZ-P=province P"])
        _ = try await repair("contact", city: city, province: province, captureGap: false)
        #expect(try await Self.values(app, "SELECT phone FROM contact WHERE id = 'C-1'") == ["100"])
        try city.close()
        try province.close()
    }
}
