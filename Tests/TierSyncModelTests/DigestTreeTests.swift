import Foundation
import Testing
@testable import TierSyncModel

struct DigestTreeTests {
    @Test func theHashIsTheSameInEveryProcessAndVersion() {
        // Pinned: a change here breaks digest comparison between nodes of different versions.
        #expect(RowDigest.keyHash([.text("SZ-1")]) == 15_633_660_000_621_436_078)
        #expect(RowDigest.rowHash([.integer(42), .real(1.5), .null, .blob(Data([1, 2, 3])), .text("深圳")], order: [0, 1, 2, 3, 4]) == 5_120_789_394_752_956_691)
    }

    @Test func valuesOfDifferentTypesOrSplitsHashApart() {
        #expect(RowDigest.keyHash([.integer(1)]) != RowDigest.keyHash([.text("1")]))
        #expect(RowDigest.rowHash([.text("ab"), .text("c")], order: [0, 1]) != RowDigest.rowHash([.text("a"), .text("bc")], order: [0, 1]))
        #expect(RowDigest.rowHash([.null], order: [0]) != RowDigest.rowHash([.text("")], order: [0]))
        #expect(RowDigest.rowHash([.text("12345678")], order: [0]) != RowDigest.rowHash([.text("123456789")], order: [0]))
    }

    @Test func columnOrderDoesNotChangeARowsHash() {
        var first = TableSchema(name: "t", createSQL: "", concentration: .group)
        first.columns = ["id", "name", "scope"]
        var second = first
        second.columns = ["scope", "id", "name"]
        let one = RowDigest.rowHash([.text("K"), .text("n"), .text("cn")], order: first.digestOrder)
        let other = RowDigest.rowHash([.text("cn"), .text("K"), .text("n")], order: second.digestOrder)
        #expect(one == other)
    }

    @Test func rangesSumTheirLeavesInAnyOrder() {
        var tree = DigestTree()
        var reversed = DigestTree()
        let hashes = (0..<500).map { RowDigest.keyHash([.integer(Int64($0))]) }
        for hash in hashes { tree.add(bucket: DigestTree.bucket(ofKeyHash: hash), hash: hash, rows: 1) }
        for hash in hashes.reversed() { reversed.add(bucket: DigestTree.bucket(ofKeyHash: hash), hash: hash, rows: 1) }
        #expect(tree == reversed)
        #expect(tree.root.rows == 500)
        let children = tree.children(level: 1, of: [0])
        #expect(children.count == 16)
        #expect(children.reduce(0) { $0 + $1.rows } == 500)
        #expect(children.reduce(UInt64(0)) { $0 &+ $1.hash } == tree.root.hash)
        // A leaf is level 4; its parent at level 3 covers 16 leaves.
        #expect(DigestTree.leafRange(level: 3, index: 2) == 32..<48)
        #expect(tree.children(level: 4, of: [2]) == Array(tree.leaves[32..<48]))
    }

    @Test func oneChangedRowChangesOneLeafAndItsAncestors() {
        var tree = DigestTree()
        var changed = DigestTree()
        for index in 0..<100 {
            let key: [SQLValue] = [.integer(Int64(index))]
            let bucket = DigestTree.bucket(ofKeyHash: RowDigest.keyHash(key))
            tree.add(bucket: bucket, hash: RowDigest.rowHash(key + [.text("a")], order: [0, 1]), rows: 1)
            changed.add(bucket: bucket, hash: RowDigest.rowHash(key + [.text(index == 7 ? "b" : "a")], order: [0, 1]), rows: 1)
        }
        #expect(tree.root != changed.root)
        #expect(zip(tree.leaves, changed.leaves).filter { $0 != $1 }.count == 1)
    }
}

struct RowRepairTests {
    let cityVersion = Version(stamp: HybridTimestamp(millis: 2000), origin: try! NodeID("cn.gd.sz"))
    let provinceVersion = Version(stamp: HybridTimestamp(millis: 3000), origin: try! NodeID("cn.gd"))

    func state(_ version: Version, values: [SQLValue] = [.text("K"), .text("v"), .text("cn.gd.sz")], deleted: Bool = false) -> Change {
        var table = TableSchema(name: "t", createSQL: "", concentration: .group)
        table.columns = ["id", "v", "scope"]
        table.keyColumns = ["id"]
        return try! Change.write(table, values: values, deleted: deleted, version: version)
    }

    @Test func theParentsStateWinsOverARowWithoutAVersionOfItsOwn() {
        let parent = state(cityVersion)
        // Edited behind the back: same version, other values.
        #expect(RowRepair.decide(local: .init(values: [.text("K"), .text("edited"), .text("cn.gd.sz")], valuesInScope: true, entry: state(cityVersion), entryHeld: true), parent: parent, captureGap: false) == .takeParent)
        // Added behind the back where the parent has the key.
        #expect(RowRepair.decide(local: .init(values: [.text("K"), .text("x"), .text("cn.gd.sz")], valuesInScope: true, entry: nil, entryHeld: false), parent: parent, captureGap: false) == .takeParent)
        // Deleted behind the back: restored.
        #expect(RowRepair.decide(local: .init(values: nil, valuesInScope: false, entry: state(cityVersion), entryHeld: true), parent: parent, captureGap: false) == .takeParent)
    }

    @Test func aCaptureGapKeepsTheWritesItMissedAsLocalWrites() {
        let parent = state(cityVersion)
        let edited: [SQLValue] = [.text("K"), .text("edited"), .text("cn.gd.sz")]
        func decide(_ values: [SQLValue]?, inScope: Bool = true, entry: Change?, held: Bool, parent: Change? = parent, gap: Bool = true) -> RowRepair {
            RowRepair.decide(local: .init(values: values, valuesInScope: inScope, entry: entry, entryHeld: held), parent: parent, captureGap: gap)
        }
        // Edited while the triggers were missing: an update made after seeing the entry's version.
        #expect(decide(edited, entry: state(cityVersion), held: true) == .updateLocally)
        #expect(decide(edited, entry: state(cityVersion), held: true, gap: false) == .takeParent)
        // Deleted meanwhile: a deletion made after seeing it.
        #expect(decide(nil, inScope: false, entry: state(cityVersion), held: true) == .deleteLocally)
        #expect(decide(nil, inScope: false, entry: state(cityVersion), held: true, gap: false) == .takeParent)
        // Added meanwhile with a key the parent has: a write concurrent with the parent's state.
        #expect(decide(edited, entry: nil, held: false) == .adopt)
        #expect(decide(edited, entry: nil, held: false, gap: false) == .takeParent)
        // Inserted again after a deletion this node had seen: an insert made after it.
        let deletion = state(cityVersion, deleted: true)
        #expect(decide(edited, entry: deletion, held: false, parent: deletion) == .adopt)
        #expect(decide(edited, entry: deletion, held: false, parent: deletion, gap: false) == .takeParent)
        // Moved out of this node's scope, or agreeing with the parent: the parent's state.
        #expect(decide([.text("K"), .text("v"), .text("cn.gd.gz")], inScope: false, entry: state(cityVersion), held: true) == .takeParent)
        #expect(decide([.text("K"), .text("x"), .text("cn.gd.gz")], inScope: false, entry: nil, held: false) == .takeParent)
        #expect(decide(parent.values, entry: state(cityVersion), held: true) == .takeParent)
        // Versions that differ, and rows the parent lacks, are decided as without a gap.
        #expect(decide(edited, entry: state(cityVersion), held: true, parent: state(provinceVersion)) == .merge)
        #expect(decide(edited, entry: state(cityVersion), held: true, parent: nil) == .repush)
        #expect(decide(edited, entry: nil, held: false, parent: nil) == .adopt)
    }

    @Test func versionsDecideBetweenRealStates() {
        #expect(RowRepair.decide(local: .init(values: [.text("K"), .text("v"), .text("cn.gd.sz")], valuesInScope: true, entry: state(cityVersion), entryHeld: true), parent: state(provinceVersion), captureGap: false) == .merge)
        // Lost here, and the parent never saw this node's version: a local deletion, ranked by the rules.
        #expect(RowRepair.decide(local: .init(values: nil, valuesInScope: false, entry: state(provinceVersion), entryHeld: true), parent: state(cityVersion), captureGap: false) == .deleteLocally)
    }

    @Test func rowsTheParentLacks() {
        let row: [SQLValue] = [.text("K"), .text("v"), .text("cn.gd.sz")]
        #expect(RowRepair.decide(local: .init(values: row, valuesInScope: true, entry: state(cityVersion), entryHeld: true), parent: nil, captureGap: false) == .repush)
        #expect(RowRepair.decide(local: .init(values: row, valuesInScope: true, entry: nil, entryHeld: false), parent: nil, captureGap: false) == .adopt)
        #expect(RowRepair.decide(local: .init(values: row, valuesInScope: false, entry: state(cityVersion), entryHeld: true), parent: nil, captureGap: false) == .evict)
        #expect(RowRepair.decide(local: .init(values: row, valuesInScope: false, entry: nil, entryHeld: false), parent: nil, captureGap: false) == .quarantine)
        #expect(RowRepair.decide(local: .init(values: nil, valuesInScope: false, entry: state(cityVersion), entryHeld: true), parent: nil, captureGap: false) == .deleteLocally)
        #expect(RowRepair.decide(local: .init(values: nil, valuesInScope: false, entry: state(cityVersion), entryHeld: false), parent: nil, captureGap: false) == .none)
    }
}
