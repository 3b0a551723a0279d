import Foundation
import GRDB
import Testing
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncStore
import TierSyncTestTraits
import TierSyncTesting

/// Purging acknowledged history (SYNC.md 14), through the real parent service and child
/// replicator in process: what every peer has goes, what some peer still needs stays, a
/// write of a purged key still supersedes the deletion, and a child below the purged part
/// is sent to resync.
@Suite(.ownThread)
struct RetentionTests {
    /// A group, a province and two of its cities.
    static func tree() throws -> StoreTree {
        try StoreTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"])
    }

    @Test func theHorizonIsTheLowestAcknowledgementAndNamesWhoHoldsIt() throws {
        let province = try NodeID("cn.gd")
        let (sz, gz) = (try NodeID("cn.gd.sz"), try NodeID("cn.gd.gz"))
        let peers = [PeerState(node: try NodeID("cn"), role: .parent, pushed: 40, pulled: 9),
                     PeerState(node: sz, role: .child, pushed: 3, pulled: 25)]
        let retention = Retention(graceSeconds: 60, children: [sz, gz])
        #expect(retention.horizon(of: province, peers: peers, head: 50)
            == RetentionHorizon(through: 0, heldBy: "cn.gd.gz", heldByRole: .child, graceSeconds: 60), "a configured child that never pulled holds everything")
        #expect(Retention(children: [sz]).horizon(of: province, peers: peers, head: 50).through == 25)
        #expect(Retention().horizon(of: province, peers: [PeerState(node: sz, role: .child, pushed: 0, pulled: 60), peers[0]], head: 50)
            == RetentionHorizon(through: 40, heldBy: "cn", heldByRole: .parent, graceSeconds: Retention.defaultGraceSeconds), "a child known only by its record counts too")
        #expect(Retention().horizon(of: try NodeID("cn"), peers: [], head: 7).through == 7, "a node with no peers needs nothing kept")
    }

    @Test func acknowledgedTombstonesLeaveEveryLogAndAWriteOfThePurgedKeyStillSupersedesTheDeletion() async throws {
        let tree = try Self.tree()
        try await tree.write("cn.gd.sz", "INSERT INTO customer(id, name, classes, scope) VALUES ('C1', 'Port', 'A', 'cn.gd.sz'), ('C2', 'Bank', 'A', 'cn.gd.sz')")
        try await tree.sync()
        // The group corrects the class (its write wins on that column whatever the stamps),
        // then the city deletes the customer having seen the correction.
        try await tree.write("cn", "UPDATE customer SET classes = 'group-class' WHERE id = 'C1'")
        try await tree.sync()
        #expect(try await tree.value("cn.gd.sz", "SELECT classes FROM customer WHERE id = 'C1'") == "group-class")
        try await tree.write("cn.gd.sz", "DELETE FROM customer WHERE id = 'C1'")
        try await tree.sync()
        for id in ["cn", "cn.gd", "cn.gd.sz"] {
            #expect(try await tree.stores[id]!.logSize().deleted == 1, "\(id) holds the tombstone before any purge")
        }

        // A table with a change kept from a newer schema keeps its tombstones until the
        // change is applied: it may be concurrent with the deletion.
        let city = tree.stores["cn.gd.sz"]!
        let keeper = KeptChange(source: try NodeID("cn.gd"), fromChild: false, table: "customer", schemaVersion: 2, body: Data("kept".utf8))
        _ = try await city.apply([], evictions: [], keeping: [keeper], cursor: .none)
        #expect(try await Self.purge(tree, "cn.gd.sz", children: []).tombstones == 0)
        let keptID = try #require(try await city.keptChanges(after: 0, limit: 1).first).id
        _ = try await city.apply([], evictions: [], keeping: [], cursor: .released(kept: [keptID], source: keeper.source, fromChild: false))

        // Only the city purges: its parent has acknowledged the deletion.
        let purged = try await Self.purge(tree, "cn.gd.sz", children: [])
        #expect(purged.tombstones == 1 && purged.purgedThrough > 0, "\(purged)")
        #expect(try await tree.stores["cn.gd.sz"]!.logSize().deleted == 0)
        #expect(try await tree.stores["cn.gd.sz"]!.purgedThrough() == purged.purgedThrough)
        // Written again at the city, the customer's new class must win at the nodes that
        // still hold the tombstone: the write comes after the deletion, not beside it.
        try await tree.write("cn.gd.sz", "INSERT INTO customer(id, name, classes, scope) VALUES ('C1', 'Port again', 'city-class', 'cn.gd.sz')")
        try await tree.sync()
        for id in ["cn", "cn.gd", "cn.gd.sz"] {
            #expect(try await tree.value(id, "SELECT name || '/' || classes FROM customer WHERE id = 'C1'") == "Port again/city-class", "at \(id)")
        }
        #expect(try await tree.stores["cn"]!.conflictCount() == 0, "the new write met the deletion as its successor, not as a concurrent write")

        // Deleted again and purged everywhere: the province waits for both its cities.
        try await tree.write("cn.gd.sz", "DELETE FROM customer WHERE id = 'C2'")
        try await tree.sync()
        for (id, children) in [("cn", ["cn.gd"]), ("cn.gd", ["cn.gd.sz", "cn.gd.gz"]), ("cn.gd.sz", []), ("cn.gd.gz", [])] {
            _ = try await Self.purge(tree, id, children: children)
            let size = try await tree.stores[id]!.logSize()
            #expect(size.deleted == 0, "\(id) keeps \(size.deleted) tombstones")
        }
        #expect(try await tree.value("cn", "SELECT group_concat(id) FROM customer") == "C1")
    }

    @Test func whatAPeerStillNeedsOrTheGraceStillCoversStaysAndAChildBelowThePurgeIsSentToResync() async throws {
        let tree = try Self.tree()
        try await tree.write("cn", "INSERT INTO product(id, name, scope) VALUES ('P1', 'Line', 'cn'), ('P2', 'Cloud', 'cn')")
        try await tree.sync(["cn.gd", "cn.gd.sz"])
        try await tree.write("cn", "DELETE FROM product WHERE id = 'P1'")
        try await tree.sync(["cn.gd", "cn.gd.sz"])

        // The grace period covers the deletion: nothing goes.
        let young = try await Retention(graceSeconds: 3600, children: [try NodeID("cn.gd")]).purge(tree.stores["cn"]!)
        #expect(young.tombstones == 0)
        // cn.gd.gz, configured but never heard from, holds the province back.
        let held = try await Retention(graceSeconds: 0, children: [try NodeID("cn.gd.sz"), try NodeID("cn.gd.gz")]).horizon(of: tree.stores["cn.gd"]!)
        #expect(held.through == 0 && held.heldBy == "cn.gd.gz")
        #expect(try await Self.purge(tree, "cn.gd", children: ["cn.gd.sz", "cn.gd.gz"]).tombstones == 0)
        #expect(try await tree.stores["cn.gd"]!.logSize().deleted == 1)

        // Removed from the configuration, it no longer counts; coming back from below the
        // purged part, its pull is refused with epoch_changed, which sends it to resync.
        let purged = try await Self.purge(tree, "cn.gd", children: ["cn.gd.sz"])
        #expect(purged.tombstones == 1)
        let report = try await tree.round("cn.gd.gz")
        #expect(report.cursorBroken, "a pull from 0, below the purged \(purged.purgedThrough), must be refused")
        #expect(try await tree.value("cn.gd.gz", "SELECT count(*) FROM product") == "0", "nothing was applied from the refused pull")
        // A child above the purged part pulls as before.
        #expect(try await tree.round("cn.gd.sz").cursorBroken == false)
    }

    @Test func aPullAskedAheadOfApplyingAcknowledgesOnlyWhatWasApplied() async throws {
        let tree = try Self.tree()
        try await tree.write("cn.gd", "INSERT INTO marketing_plan(id, title, scope) VALUES ('M1', 'Plan', 'cn.gd'), ('M2', 'Plan', 'cn.gd')")
        let province = tree.stores["cn.gd"]!
        let head = try await province.logHead()
        let service = ParentService(store: province, logger: InProcessLink.quiet)
        let sz = try NodeID("cn.gd.sz")
        _ = try await service.pull(caller: "cn.gd.sz", after: 0, epoch: nil, limit: nil)
        _ = try await service.pull(caller: "cn.gd.sz", after: head, applied: 1, epoch: nil, limit: nil)
        #expect(try await province.peer(sz)?.pulled == 1, "the position the child applied, not the one it asked after")
        await #expect(throws: SyncError.self) {
            try await service.pull(caller: "cn.gd.sz", after: 1, applied: head, epoch: nil, limit: nil)
        }
        #expect(try await province.peer(sz)?.pulled == 1, "a refused pull records nothing")
        _ = try await service.pull(caller: "cn.gd.sz", after: head, epoch: nil, limit: nil)
        #expect(try await province.peer(sz)?.pulled == head)
    }

    @Test func aResyncDropsARowWhoseDeletionItsParentPurgedAndPushesTheRest() async throws {
        let tree = try Self.tree()
        try await tree.write("cn", "INSERT INTO product(id, name, scope) VALUES ('P1', 'Line', 'cn'), ('P2', 'Cloud', 'cn')")
        try await tree.sync()
        // cn.gd.gz stops syncing and is removed at its parent; it keeps P1 as it was, as a
        // child that comes back after long, or one restored from a backup, would.
        let city = tree.stores["cn.gd.gz"]!
        let province = tree.stores["cn.gd"]!
        let stale = try #require(try await city.allChanges().last { $0.key == [.text("P1")] })
        try await tree.write("cn", "DELETE FROM product WHERE id = 'P1'")
        try await tree.sync(["cn.gd", "cn.gd.sz"])
        _ = try await province.removeChild(try NodeID("cn.gd.gz"))
        #expect(try await Self.purge(tree, "cn.gd", children: ["cn.gd.sz"]).tombstones == 1)
        let purged = try await province.purgedHistory(of: "product")
        #expect(purged.covers(stale.meta.context), "the province's purged history should cover the city's stale state")

        let keys = try await city.digestKeys(of: "product", buckets: Set(0..<DigestTree.leafCount), locations: nil, scopes: .everything)
        let p2 = try #require(try await province.allChanges().last { $0.key == [.text("P2")] })
        let counts = try await city.repair(table: "product", keys: keys, parentStates: [p2], parentPurged: purged, parent: try NodeID("cn.gd"),
                                           mark: nil, captureGap: false, dryRun: false)
        #expect(counts.deleted == 1 && counts.pushed == 0, "\(counts)")
        #expect(try await tree.value("cn.gd.gz", "SELECT group_concat(id) FROM product") == "P2")
        #expect(try await city.logSize().deleted == 0, "the drop logs no deletion to push")
        #expect(try await city.logSize().evictionRecords == 1, "an eviction record tells the city's own children")
        // Without the history the same stale row is the city's to push again.
        let other = try Self.tree()
        try await other.write("cn", "INSERT INTO product(id, name, scope) VALUES ('P1', 'Line', 'cn')")
        try await other.sync(["cn.gd", "cn.gd.sz"])
        let otherKeys = try await other.stores["cn.gd.sz"]!.digestKeys(of: "product", buckets: Set(0..<DigestTree.leafCount), locations: nil, scopes: .everything)
        let pushed = try await other.stores["cn.gd.sz"]!.repair(table: "product", keys: otherKeys, parentStates: [], parent: try NodeID("cn.gd"),
                                                                 mark: nil, captureGap: false, dryRun: true)
        #expect(pushed.pushed == 1 && pushed.deleted == 0, "\(pushed)")
    }

    /// Purges at `id` of `tree` with no grace, as if `later` seconds had passed.
    static func purge(_ tree: StoreTree, _ id: String, children: [String], later: TimeInterval = 1) async throws -> PurgeOutcome {
        try await Retention(graceSeconds: 0, children: children.map { try NodeID($0) }).purge(tree.stores[id]!, now: Date() + later)
    }
}
