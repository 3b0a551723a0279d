import Foundation
import Testing
import TierSyncTestTraits

/// A customer that moves from a city of one province to a city of another, with real
/// daemons: the old branch drops it on a key-only eviction, and nothing the new owner
/// writes afterwards reaches the old branch's files.
@Suite(.serialized, .daemons)
struct MovedRowTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz", "cn.js", "cn.js.nj"]

    /// The node's file and write-ahead log, as bytes: a value is absent only if it was
    /// never written there.
    private func fileBytes(_ database: String) -> Data {
        var bytes = Data()
        for path in [database, database + "-wal"] {
            if let data = FileManager.default.contents(atPath: path) { bytes.append(data) }
        }
        return bytes
    }

    /// True when `child` has pulled everything its parent's log holds now.
    private func caughtUp(_ tree: TestTree, _ child: String, parent: String) throws -> Bool {
        let head = try SQLiteShell.value(tree.database(parent), "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0), coalesce((SELECT max(seq) FROM _ts_log), 0))")
        let pulled = try SQLiteShell.value(tree.database(child), "SELECT pulled FROM _ts_peer WHERE node = '\(parent)'")
        return !pulled.isEmpty && Int64(pulled)! >= Int64(head)!
    }

    @Test func editsAtTheNewOwnerNeverReachTheOldBranch() async throws {
        let tree = try TestTree(Self.ids)
        try await tree.start()
        defer { tree.stopAll() }
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, name, manager, status, scope) VALUES ('SZ-M', 'Shenzhen Metro', 'li', 'active', 'cn.gd.sz');
            """)
        let atGroup = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT name FROM customer WHERE id = 'SZ-M'") == "Shenzhen Metro" }
        #expect(atGroup, "the customer did not reach the group: \(tree.log("cn.gd"))")

        // The group holds both provinces' customers: it moves this one to Nanjing.
        try SQLiteShell.run(tree.database("cn"), "UPDATE customer SET scope = 'cn.js.nj' WHERE id = 'SZ-M';")
        let atNewOwner = try await tree.eventually { try SQLiteShell.value(tree.database("cn.js.nj"), "SELECT scope FROM customer WHERE id = 'SZ-M'") == "cn.js.nj" }
        #expect(atNewOwner, "the moved customer did not reach cn.js.nj: \(tree.log("cn.js.nj"))")

        // The new owner edits it, twice.
        let later = "Nanjing-Metro-\(UUID().uuidString.prefix(8))"
        let manager = "Zhou-\(UUID().uuidString.prefix(8))"
        try SQLiteShell.run(tree.database("cn.js.nj"), "UPDATE customer SET name = '\(later)' WHERE id = 'SZ-M';")
        try SQLiteShell.run(tree.database("cn.js.nj"), "UPDATE customer SET manager = '\(manager)' WHERE id = 'SZ-M';")
        for id in ["cn", "cn.js", "cn.js.nj"] {
            let latest = try await tree.eventually {
                try SQLiteShell.value(tree.database(id), "SELECT name || '|' || manager || '|' || scope FROM customer WHERE id = 'SZ-M'") == "\(later)|\(manager)|cn.js.nj"
            }
            #expect(latest, "\(id) does not hold the latest values: \(tree.log(id))")
        }
        // Converged: each node of the old branch has pulled all its parent holds.
        let settled = try await tree.eventually {
            try caughtUp(tree, "cn.gd", parent: "cn") && caughtUp(tree, "cn.gd.sz", parent: "cn.gd")
        }
        #expect(settled, "the old branch did not catch up: \(tree.log("cn.gd"))")

        for id in ["cn.gd", "cn.gd.sz"] {
            let database = tree.database(id)
            #expect(try SQLiteShell.value(database, "SELECT count(*) FROM customer WHERE id = 'SZ-M'") == "0", "\(id) still holds the moved customer")
            #expect(try SQLiteShell.value(database, "SELECT count(*) FROM _ts_log WHERE tbl = 'customer' AND pk = '[\"SZ-M\"]'") == "0",
                    "\(id) still logs the moved customer")
            for value in [later, manager, "cn.js.nj"] {
                #expect(try SQLiteShell.value(database, """
                    SELECT (SELECT count(*) FROM customer WHERE instr(name || '|' || coalesce(manager, '') || '|' || scope, '\(value)'))
                         + (SELECT count(*) FROM _ts_log WHERE instr(meta || '|' || coalesce(tomb, '') || '|' || scope || '|' || coalesce(prev_scope, ''), '\(value)'))
                    """) == "0", "\(id) holds \(value)")
            }
            for value in [later, manager] {
                #expect(fileBytes(database).range(of: Data(value.utf8)) == nil, "\(id)'s file holds \(value)")
            }
            // Dropped by eviction, not deleted: no tombstone went anywhere.
            #expect(try SQLiteShell.value(database, "SELECT scope FROM _ts_evict WHERE tbl = 'customer' AND pk = '[\"SZ-M\"]'") == "cn.gd.sz")
        }
        for id in ["cn", "cn.js", "cn.js.nj"] {
            #expect(try SQLiteShell.value(tree.database(id), "SELECT deleted FROM _ts_log WHERE tbl = 'customer' AND pk = '[\"SZ-M\"]'") == "0", "at \(id)")
        }
    }
}
