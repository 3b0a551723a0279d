import Foundation
import GRDB
import Testing
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits

/// Digests computed from the tables by the raw SQLite scan, and the repair of a child
/// against its parent in process: the same decisions the daemons make, without HTTP.
@Suite(.ownThread)
struct DigestRepairTests {
    static let city = try! NodeID("cn.gd.sz")
    static let province = try! NodeID("cn.gd")

    /// A city with `count` customers written by an application, and its province holding them.
    func pair(_ directory: TemporaryDirectory, count: Int = 300) async throws -> (city: SQLiteStore, province: SQLiteStore) {
        let city = try directory.store("cn.gd.sz")
        let province = try directory.store("cn.gd")
        try await directory.application("cn.gd.sz").write { db in
            for index in 0..<count {
                try db.execute(sql: "INSERT INTO customer(id, name, manager, scope) VALUES (?, ?, ?, 'cn.gd.sz')",
                               arguments: ["SZ-\(index)", "customer \(index)", index % 3 == 0 ? nil : "m\(index % 5)"])
            }
        }
        let changes = try await city.allChanges()
        _ = try await province.apply(changes, cursor: .none)
        return (city, province)
    }

    /// The digest leaves computed in Swift from what `store` holds, as the scan must compute them.
    func expectedTree(_ store: SQLiteStore, table name: String) async throws -> DigestTree {
        let table = try #require(store.schema.table(named: name))
        var tree = DigestTree()
        let changes = try await store.allChanges().filter { $0.table == name && !$0.deleted }
        for change in changes {
            let hash = RowDigest.stateHash(key: change.key, tableValues: change.values, loggedVersion: change.version, order: table.digestOrder)
            tree.add(bucket: DigestTree.bucket(ofKeyHash: RowDigest.keyHash(change.key)), hash: hash, rows: 1)
        }
        return tree
    }

    @Test func keyTextIsWhatJsonArrayWrites() async throws {
        let directory = try TemporaryDirectory()
        let queue = try DatabaseQueue(path: directory.path("keys.sqlite"))
        let keys: [[SQLValue]] = [
            [.text("SZ-1")], [.integer(-42)], [.integer(0)], [.integer(7)], [.integer(10)], [.integer(-9)],
            [.integer(Int64.max)], [.integer(Int64.min)], [.integer(1_234_567_890)], [.text("C1"), .text("2026-01"), .text("data")],
            [.text("quote \" backslash \\ tab \t newline \n bell \u{07} del \u{7F} 深圳 😀")], [.text("")],
        ]
        for key in keys {
            let sql = "SELECT json_array(" + Array(repeating: "?", count: key.count).joined(separator: ", ") + ")"
            let expected = try await queue.read { db in try String.fetchOne(db, sql: sql, arguments: StatementArguments(key.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case let .integer(number): number
                case let .text(text): text
                default: nil
                }
            })) }
            #expect(KeyText.text(key) == expected)
        }
    }

    @Test func theScanOfTheTablesGivesWhatTheRowsHashTo() async throws {
        let directory = try TemporaryDirectory()
        let (city, province) = try await pair(directory)
        let digests = try await city.digests(of: ["customer", "product"], scopes: .everything)
        #expect(digests["customer"]?.rows == 300)
        #expect(digests["customer"]?.tree == (try await expectedTree(city, table: "customer")))
        #expect(digests["product"]?.rows == 0)
        // The province holds the same rows at the same versions: the same root.
        let theirs = try await province.digests(of: ["customer"], scopes: .everything)
        #expect(theirs["customer"]?.tree.root == digests["customer"]?.tree.root)
    }

    @Test func anEditBehindTheTriggersBackShowsInTheDigest() async throws {
        let directory = try TemporaryDirectory()
        let (city, _) = try await pair(directory)
        let before = try await city.digests(of: ["customer"], scopes: .everything)["customer"]!.tree
        try await directory.application("cn.gd.sz").write { db in
            try db.execute(sql: "UPDATE _ts_node SET applying = 1")
            try db.execute(sql: "UPDATE customer SET name = 'edited' WHERE id = 'SZ-7'")
            try db.execute(sql: "UPDATE _ts_node SET applying = 0")
        }
        let after = try await city.digests(of: ["customer"], scopes: .everything)["customer"]!.tree
        let bucket = DigestTree.bucket(ofKeyHash: RowDigest.keyHash([.text("SZ-7")]))
        #expect(zip(before.leaves, after.leaves).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset) == [bucket])
        let keys = try await city.digestKeys(of: "customer", buckets: [bucket], locations: nil, scopes: .everything)
        #expect(keys.contains { $0.key == [.text("SZ-7")] })
    }

    @Test func aChildIsRepairedFromItsParentsStatesOfTheDifferingLeaves() async throws {
        let directory = try TemporaryDirectory()
        let (city, province) = try await pair(directory)
        let expected = try await province.digests(of: ["customer"], scopes: .everything)["customer"]!.tree
        try await directory.application("cn.gd.sz").write { db in
            try db.execute(sql: "UPDATE _ts_node SET applying = 1")
            try db.execute(sql: "UPDATE customer SET name = 'edited' WHERE id IN ('SZ-1', 'SZ-2')")
            try db.execute(sql: "DELETE FROM customer WHERE id IN ('SZ-3', 'SZ-4')")
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('SZ-NEW', 'new', 'cn.gd.sz'), ('GZ-1', 'stray', 'cn.gd.gz')")
            try db.execute(sql: "UPDATE _ts_node SET applying = 0")
        }
        let mine = try await city.digests(of: ["customer"], scopes: .everything)["customer"]!.tree
        let differing = Set(mine.leaves.indices.filter { mine.leaves[$0] != expected.leaves[$0] })
        #expect(differing.count >= 4 && differing.count <= 7)
        let keys = try await city.digestKeys(of: "customer", buckets: differing, locations: nil, scopes: .everything)
        // Reading only the rows the digest located gives the same keys.
        let located = try await city.digests(of: ["customer"], scopes: .everything)["customer"]!.locations
        #expect(Set(try await city.digestKeys(of: "customer", buckets: differing, locations: located, scopes: .everything)) == Set(keys))
        let states = try await province.states(of: "customer", buckets: differing, locations: nil, scopes: .everything)
        let theirLocations = try await province.digests(of: ["customer"], scopes: .everything)["customer"]!.locations
        #expect(Set(try await province.states(of: "customer", buckets: differing, locations: theirLocations, scopes: .everything)) == Set(states))
        // A dry run counts and writes nothing.
        let dry = try await city.repair(table: "customer", keys: keys, parentStates: states, parent: Self.province, mark: nil, captureGap: false, dryRun: true)
        #expect(dry.pulled == 4 && dry.adopted == 1 && dry.quarantined == 1)
        #expect(try await city.digests(of: ["customer"], scopes: .everything)["customer"]!.tree == mine)

        let counts = try await city.repair(table: "customer", keys: keys, parentStates: states, parent: Self.province, mark: nil, captureGap: false, dryRun: false)
        #expect(counts.pulled == 4 && counts.adopted == 1 && counts.quarantined == 1 && counts.rejected == 0)
        let names = try await directory.application("cn.gd.sz").read { db in
            try String.fetchAll(db, sql: "SELECT id || '=' || name FROM customer WHERE id IN ('SZ-1', 'SZ-3', 'SZ-NEW', 'GZ-1') ORDER BY id")
        }
        #expect(names == ["SZ-1=customer 1", "SZ-3=customer 3", "SZ-NEW=new"])
        // The adopted row is a local write waiting to be pushed; the stray row is in the error queue.
        let adopted = try await city.allChanges().last
        #expect(adopted?.key == [.text("SZ-NEW")] && adopted?.source == Self.city)
        #expect(try await city.rejectedCount() == 1)
        // Repairing again changes nothing: every key now matches, except the adopted row the parent lacks.
        let again = try await city.repair(table: "customer", keys: try await city.digestKeys(of: "customer", buckets: differing, locations: nil, scopes: .everything),
                                          parentStates: states, parent: Self.province, mark: nil, captureGap: false, dryRun: false)
        #expect(again.pulled == 0 && again.quarantined == 0)
    }

    @Test func anUnreadableTopEntryIsReplacedAtAPositionNeverIssued() async throws {
        let directory = try TemporaryDirectory()
        let (city, province) = try await pair(directory, count: 10)
        let app = try directory.application("cn.gd.sz")
        // An OR FAIL insert that fails on its second row keeps the first row's entry, at a
        // position sqlite_sequence does not record yet.
        try await app.write { db in
            do {
                try db.execute(sql: "INSERT OR FAIL INTO customer(id, name, scope) VALUES ('SZ-X', 'kept', 'cn.gd.sz'), ('SZ-0', 'duplicate', 'cn.gd.sz')")
                Issue.record("the insert was meant to fail on its second row")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {}
        }
        let top = try #require(try await city.allChanges().last)
        #expect(top.key == [.text("SZ-X")])
        _ = try await province.apply([top], cursor: .none)
        let issued = try await app.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM _ts_log") } ?? 0
        #expect(try await city.logHead() == issued)
        try await app.write { db in try db.execute(sql: "UPDATE _ts_log SET origin = 'not a node id', meta = 'unreadable' WHERE seq = ?", arguments: [issued]) }

        let leaf = DigestTree.bucket(ofKeyHash: RowDigest.keyHash(top.key))
        let keys = try await city.digestKeys(of: "customer", buckets: [leaf], locations: nil, scopes: .everything)
        let states = try await province.states(of: "customer", buckets: [leaf], locations: nil, scopes: .everything)
        let counts = try await city.repair(table: "customer", keys: keys, parentStates: states, parent: Self.province, mark: nil, captureGap: false, dryRun: false)
        #expect(counts.pulled >= 1)
        // The entry that replaces it must not reuse its position, which readers may have passed.
        let replaced = try await app.read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM _ts_log WHERE pk = '[\"SZ-X\"]'") }
        #expect(try #require(replaced) > issued)
    }

    @Test func progressIsKeptWithTheRepairAndForgottenAtTheEnd() async throws {
        let directory = try TemporaryDirectory()
        let (city, _) = try await pair(directory, count: 10)
        let run = ResyncRun(parent: Self.province, path: "digest", parentEpoch: "e", parentHead: 42, cursorBroken: true,
                            tables: ["customer": ResyncMark(table: "customer", doneThrough: -1, finished: false)])
        try await city.beginResync(run)
        _ = try await city.repair(table: "customer", keys: [], parentStates: [], parent: Self.province,
                                  mark: ResyncMark(table: "customer", doneThrough: 900, finished: false, ranges: 3), captureGap: false, dryRun: false)
        let stored = try #require(try await city.resyncRun(with: Self.province))
        #expect(stored.tables["customer"]?.doneThrough == 900 && stored.counts.ranges == 3 && stored.cursorBroken)
        try await city.finishResync(with: Self.province, cursor: (epoch: "e", through: 42))
        #expect(try await city.resyncRun(with: Self.province) == nil)
        let peer = try await city.peer(Self.province)
        #expect(peer?.pulled == 42 && peer?.epoch == "e")
    }
}
