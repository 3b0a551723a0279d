import Foundation
import GRDB
import Testing
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncWire
import TierSyncTestTraits

/// Rows that change scope: the old branch is sent a key-only eviction, drops the row
/// without logging a delete, and is sent nothing of the row afterwards.
@Suite(.ownThread)
struct ScopeMoveTests {
    /// Six stores synced in process.
    static func tree() throws -> StoreTree {
        try StoreTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz", "cn.js", "cn.js.nj"])
    }

    @Test func aMovedRowLeavesTheOldBranchByKeyOnlyAndItsLaterEditsStayAway() async throws {
        let tree = try Self.tree()
        try await tree.write("cn.gd.sz", "INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'Shenzhen Port', 'cn.gd.sz')")
        try await tree.sync(passes: 4)
        #expect(try await tree.value("cn", "SELECT name FROM customer WHERE id = 'SZ-1'") == "Shenzhen Port")

        // The group moves it to Nanjing; Nanjing edits it before Guangdong pulls anything.
        try await tree.write("cn", "UPDATE customer SET scope = 'cn.js.nj' WHERE id = 'SZ-1'")
        try await tree.round("cn.js")
        try await tree.round("cn.js.nj")
        try await tree.write("cn.js.nj", "UPDATE customer SET name = 'Later-Name-71' WHERE id = 'SZ-1'")
        try await tree.round("cn.js.nj")
        try await tree.round("cn.js")
        #expect(try await tree.value("cn", "SELECT name FROM customer WHERE id = 'SZ-1'") == "Later-Name-71")

        // What the group answers Guangdong: one eviction, by key, and no change of the row.
        let answer = try await tree.service("cn").pull(caller: "cn.gd", after: try await tree.cursor("cn.gd"), epoch: nil, limit: nil)
        #expect(answer.changes.isEmpty)
        let eviction = try #require(answer.evictions?.first)
        #expect(answer.evictions?.count == 1)
        #expect(eviction.table == "customer" && eviction.key.map(\.value) == [.text("SZ-1")] && eviction.scope == "cn.gd.sz")
        let json = String(decoding: try WireCoding.encode(answer), as: UTF8.self)
        #expect(!json.contains("Later-Name-71") && !json.contains("Shenzhen Port") && !json.contains("cn.js.nj"), "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: try WireCoding.encode(eviction)) as? [String: Any])
        #expect(Set(object.keys) == ["table", "key", "scope", "context"])

        try await tree.sync(passes: 4)
        for id in ["cn.gd", "cn.gd.sz"] {
            #expect(try await tree.knowsNothing(id, of: "SZ-1"), "\(id) still holds or logs the row")
            #expect(try await tree.value(id, "SELECT scope FROM _ts_evict WHERE pk = '[\"SZ-1\"]'") == "cn.gd.sz")
            #expect(try await tree.mentions(id, "Later-Name-71") == 0)
        }
        // The eviction was not a delete: the new owner and its ancestors keep the row.
        for id in ["cn", "cn.js", "cn.js.nj"] {
            #expect(try await tree.value(id, "SELECT name || '|' || scope FROM customer WHERE id = 'SZ-1'") == "Later-Name-71|cn.js.nj", "at \(id)")
        }
        #expect(try await tree.value("cn.gd.gz", "SELECT count(*) FROM _ts_evict") == "0")

        // Once the eviction is delivered, later edits send Guangdong nothing.
        let delivered = try await tree.cursor("cn.gd")
        let headBefore = try await tree.stores["cn.gd"]!.logHead()
        try await tree.write("cn.js.nj", "UPDATE customer SET manager = 'Even-Later-72' WHERE id = 'SZ-1'")
        try await tree.sync(passes: 4)
        #expect(try await tree.value("cn", "SELECT manager FROM customer WHERE id = 'SZ-1'") == "Even-Later-72")
        let later = try await tree.service("cn").pull(caller: "cn.gd", after: delivered, epoch: nil, limit: nil)
        #expect(later.changes.isEmpty && later.evictions == nil)
        #expect(try await tree.stores["cn.gd"]!.logHead() == headBefore)
        for id in ["cn.gd", "cn.gd.sz"] { #expect(try await tree.mentions(id, "Even-Later-72") == 0) }
    }

    @Test func aRowMovedBackReturnsToTheOldBranchAndLeavesTheOther() async throws {
        let tree = try Self.tree()
        try await tree.write("cn.gd.sz", "INSERT INTO customer(id, name, scope) VALUES ('SZ-2', 'Bank', 'cn.gd.sz')")
        try await tree.sync(passes: 4)
        try await tree.write("cn", "UPDATE customer SET scope = 'cn.js.nj' WHERE id = 'SZ-2'")
        try await tree.sync(passes: 4)
        try await tree.write("cn.js.nj", "UPDATE customer SET name = 'Bank of Nanjing' WHERE id = 'SZ-2'")
        try await tree.sync(passes: 4)
        try await tree.write("cn", "UPDATE customer SET scope = 'cn.gd.sz' WHERE id = 'SZ-2'")
        try await tree.sync(passes: 4)
        for id in ["cn", "cn.gd", "cn.gd.sz"] {
            #expect(try await tree.value(id, "SELECT name || '|' || scope FROM customer WHERE id = 'SZ-2'") == "Bank of Nanjing|cn.gd.sz", "at \(id)")
        }
        for id in ["cn.js", "cn.js.nj"] {
            #expect(try await tree.knowsNothing(id, of: "SZ-2"), "\(id) still holds or logs the row")
        }
        // Edited at its old owner again, it syncs as before.
        try await tree.write("cn.gd.sz", "UPDATE customer SET name = 'Bank, home again' WHERE id = 'SZ-2'")
        try await tree.sync(passes: 4)
        #expect(try await tree.value("cn", "SELECT name FROM customer WHERE id = 'SZ-2'") == "Bank, home again")
        #expect(try await tree.mentions("cn.js.nj", "home again") == 0)
    }

    @Test func aNodeThatNeverHeldTheRowIsSentNothing() async throws {
        let tree = try Self.tree()
        try await tree.sync(passes: 4)
        try await tree.write("cn", "INSERT INTO customer(id, name, scope) VALUES ('G-1', 'Brief', 'cn.gd.sz')")
        try await tree.write("cn", "UPDATE customer SET scope = 'cn.js.nj' WHERE id = 'G-1'")
        let answer = try await tree.service("cn").pull(caller: "cn.gd", after: try await tree.cursor("cn.gd"), epoch: nil, limit: nil)
        #expect(answer.changes.isEmpty && answer.evictions == nil)
        try await tree.sync(passes: 4)
        #expect(try await tree.value("cn.js.nj", "SELECT name FROM customer WHERE id = 'G-1'") == "Brief")
        for id in ["cn.gd", "cn.gd.sz"] {
            #expect(try await tree.value(id, "SELECT count(*) FROM _ts_evict") == "0")
        }
    }

    @Test func anEditTheOldOwnerMadeBeforeItLearntOfTheMoveStillArrives() async throws {
        let tree = try Self.tree()
        try await tree.write("cn.gd.sz", "INSERT INTO customer(id, name, scope) VALUES ('SZ-3', 'Ports', 'cn.gd.sz')")
        try await tree.sync(passes: 4)
        // The group's own edit reaches Shenzhen first: Shenzhen's later edit has seen it,
        // which Guangdong, once it has dropped the row, knows from the eviction only.
        try await tree.write("cn", "UPDATE customer SET unified_code = 'BC-3' WHERE id = 'SZ-3'")
        try await tree.sync(passes: 4)
        try await tree.write("cn", "UPDATE customer SET scope = 'cn.js.nj' WHERE id = 'SZ-3'")
        // Guangdong drops the row; then Shenzhen, which has not heard, edits it.
        try await tree.round("cn.gd")
        #expect(try await tree.value("cn.gd", "SELECT count(*) FROM customer WHERE id = 'SZ-3'") == "0")
        try await tree.write("cn.gd.sz", "UPDATE customer SET manager = 'wang' WHERE id = 'SZ-3'")
        try await tree.sync(passes: 4)
        for id in ["cn", "cn.js", "cn.js.nj"] {
            #expect(try await tree.value(id, "SELECT manager || '|' || unified_code || '|' || scope FROM customer WHERE id = 'SZ-3'") == "wang|BC-3|cn.js.nj", "at \(id)")
        }
        for id in ["cn.gd", "cn.gd.sz"] {
            #expect(try await tree.knowsNothing(id, of: "SZ-3"), "\(id) still holds or logs the row")
        }
        #expect(try await tree.stores["cn"]!.rejectedCount() == 0)
    }

    @Test func anEvictionKeepsWritesItsSenderHasNotSeen() async throws {
        let directory = try TemporaryDirectory()
        let city = try directory.store("cn.gd.sz")
        try await directory.application("cn.gd.sz").write { db in
            try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES ('SZ-4', 'Unpushed', 'cn.gd.sz')")
        }
        let written = try #require(try await city.allChanges().first)
        let parent = try NodeID("cn.gd")
        // The parent had not seen this write: the row stays, to be pushed.
        let blind = Eviction(table: "customer", key: [.text("SZ-4")], scope: city.node, context: CausalContext(), source: parent)
        let kept = try await city.apply([], evictions: [blind], cursor: .none)
        #expect(kept.skipped == 1 && kept.evicted == 0)
        #expect(try await city.rowCounts()["customer"] == 1)
        // Once it has, the row and its entry go, and no deletion is logged.
        let seen = Eviction(table: "customer", key: [.text("SZ-4")], scope: city.node, context: written.meta.context, source: parent)
        let headBefore = try await city.logHead()
        let dropped = try await city.apply([], evictions: [seen], cursor: .none)
        #expect(dropped.evicted == 1)
        #expect(try await city.rowCounts()["customer"] == 0)
        #expect(try await city.allChanges().isEmpty)
        // The eviction record takes a new position, which the city's own children read.
        #expect(try await city.logHead() == headBefore + 1)
        let record = try await city.changes(after: headBefore, limit: 10, scanLimit: 10, selecting: .everything)
        #expect(record.changes.isEmpty)
        #expect(record.evictions.map(\.key) == [[.text("SZ-4")]] && record.evictions.first?.source == parent)
        #expect(record.scannedThrough == headBefore + 1)
    }
}

/// What the scope-move tests look for in a node's file.
extension StoreTree {
    /// Every text in the node's synced table and change log that mentions `text`.
    func mentions(_ id: String, _ text: String) async throws -> Int {
        try await connections[id]!.read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM customer WHERE instr(customer.name, ?1) OR instr(coalesce(manager, ''), ?1))
                     + (SELECT count(*) FROM _ts_log WHERE instr(meta, ?1) OR instr(coalesce(tomb, ''), ?1))
                     + (SELECT count(*) FROM _ts_evict WHERE instr(context, ?1))
                """, arguments: [text]) ?? 0
        }
    }

    /// True when the node has neither the row nor a log entry for it.
    func knowsNothing(_ id: String, of key: String) async throws -> Bool {
        try await value(id, """
            SELECT (SELECT count(*) FROM customer WHERE id = '\(key)') + (SELECT count(*) FROM _ts_log WHERE pk = json_array('\(key)'))
            """) == "0"
    }

    func cursor(_ child: String) async throws -> Int64 {
        try await stores[child]!.peer(try NodeID(child).parent!)?.pulled ?? 0
    }
}
