import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Digests over key ranges, the rows behind differing leaves, repair and resync progress.
    static let digestChecks: [Check] = [
        Check(name: "digestsAgreeWithTheRows",
              promise: "two stores holding the same rows have equal digests that count them; one differing row makes them differ; the filter decides what counts") { context in
            let (child, parent) = try await StoreConformance.digestPair(context)
            let childDigest = try await child.digests(of: ["item"], scopes: .everything)["item"]
            let parentDigest = try await parent.digests(of: ["item"], scopes: .everything)["item"]
            try context.expect(childDigest != nil && childDigest == parentDigest, "digests of the same rows differ")
            try context.expectEqual(childDigest?.rows, Int64(try await child.rowCounts()["item"] ?? -1), "rows counted in the digest")
            try context.expectEqual(childDigest?.tree.rows, childDigest?.rows, "rows in the digest tree's leaves")
            let none = try await child.digests(of: ["item"], scopes: .heldBy(try context.node("cn.js.nj")))["item"]
            try context.expectEqual(none?.rows, 0, "rows counted for a node that holds none of them")
            _ = try await parent.apply([try context.item(parent, "D7", name: "newer", scope: "cn.gd.sz", origin: "cn", millis: 500)], cursor: .none)
            let changed = try await parent.digests(of: ["item"], scopes: .everything)["item"]
            try context.expect(changed != childDigest, "a row updated at one store left the digests equal")
        },
        Check(name: "digestLeavesFindTheRowsThatDiffer",
              promise: "digestKeys and states of the leaves that differ return the differing row, with different state hashes and the holder's state") { context in
            let (child, parent) = try await StoreConformance.digestPair(context)
            let newer = try context.item(parent, "D7", name: "newer", scope: "cn.gd.sz", origin: "cn", millis: 500)
            _ = try await parent.apply([newer], cursor: .none)
            let found = try await StoreConformance.differingLeaves(context, child: child, parent: parent)
            let childHash = found.childKeys.first { $0.key == newer.key }?.hash
            let parentHash = found.parentKeys.first { $0.key == newer.key }?.hash
            try context.expect(childHash != nil && parentHash != nil && childHash != parentHash,
                               "D7 in leaves \(found.buckets.sorted()): hash \(String(describing: childHash)) at the child, \(String(describing: parentHash)) at the parent")
            let state = found.parentStates.filter { $0.key == newer.key }
            try context.expect(state.count == 1 && state[0].version == newer.version && state[0].values == newer.values,
                               "the parent's states of D7 should be its newer write, got \(state)")
        },
        Check(name: "repairTakesTheParentsState",
              promise: "a dry run only counts; a repair makes the child's rows of the differing leaves what the parent holds") { context in
            let (child, parent) = try await StoreConformance.digestPair(context)
            _ = try await parent.apply([try context.item(parent, "D7", name: "newer", scope: "cn.gd.sz", origin: "cn", millis: 500)], cursor: .none)
            let found = try await StoreConformance.differingLeaves(context, child: child, parent: parent)
            let before = try await child.allChanges()
            let dry = try await child.repair(table: "item", keys: found.childKeys, parentStates: found.parentStates, parent: parent.node,
                                             mark: nil, captureGap: false, dryRun: true)
            try context.expectEqual(dry.pulled, 1, "rows a dry run would pull")
            try context.expectEqual(try await child.allChanges(), before, "the child's log after a dry run")
            let counts = try await child.repair(table: "item", keys: found.childKeys, parentStates: found.parentStates, parent: parent.node,
                                                mark: nil, captureGap: false, dryRun: false)
            try context.expectEqual(counts.pulled, 1, "rows pulled by the repair")
            let after = try await child.digests(of: ["item"], scopes: .everything)["item"]
            let parentDigest = try await parent.digests(of: ["item"], scopes: .everything)["item"]
            try context.expect(after != nil && after == parentDigest, "the digests still differ after the repair")
        },
        Check(name: "aResyncRunIsKeptUntilFinished",
              promise: "a begun run, and the marks repairs record, are kept until finishResync, which sets the pull cursor in the same transaction") { context in
            let (child, parent) = try await StoreConformance.digestPair(context)
            let run = ResyncRun(parent: parent.node, path: "digest", parentEpoch: "E9", parentHead: 9, cursorBroken: true,
                                tables: ["item": ResyncMark(table: "item", doneThrough: -1, finished: false)])
            try await child.beginResync(run)
            try context.expectEqual(try await child.resyncRun(with: parent.node), run, "the run read back")
            let mark = ResyncMark(table: "item", doneThrough: 4096, finished: true, ranges: 1)
            _ = try await child.repair(table: "item", keys: [], parentStates: [], parent: parent.node, mark: mark, captureGap: false, dryRun: false)
            let marked = try await child.resyncRun(with: parent.node)?.tables["item"]
            try context.expect(marked?.doneThrough == 4096 && marked?.finished == true, "the mark a repair recorded reads back as \(String(describing: marked))")
            try await child.finishResync(with: parent.node, cursor: (epoch: "E9", through: 9))
            try context.expect(try await child.resyncRun(with: parent.node) == nil, "a finished run is still recorded")
            let peer = try await child.peer(parent.node)
            try context.expect(peer?.pulled == 9 && peer?.epoch == "E9", "the pull cursor after the run is \(String(describing: peer))")
            let grandchild = try context.node("cn.gd.sz")
            try await child.recordContact(with: grandchild, role: .child, pushed: nil, pulled: 0, error: nil)
            try await child.setResyncRequested(for: grandchild, true)
            try context.expectEqual(try await child.peer(grandchild)?.resyncRequested, true, "a requested resync")
            try await child.setResyncRequested(for: grandchild, false)
            try context.expect(try await child.peer(grandchild)?.resyncRequested != true, "a cleared resync request is still set")
        },
    ]

    /// A province and the group holding the same twenty items of a city.
    static func digestPair(_ context: ConformanceContext) async throws -> (child: any ResyncStore, parent: any ResyncStore) {
        let child = try await context.open("cn.gd")
        let parent = try await context.open("cn")
        let batch = try (0..<20).map { try context.item(child, "D\($0)", name: "d\($0)", n: Int64($0), scope: "cn.gd.sz", origin: "cn.gd.sz", millis: Int64($0)) }
        for store in [child, parent] { _ = try await store.apply(batch, cursor: .none) }
        return (child, parent)
    }

    /// The leaves of `item` whose digests differ between the stores, with each side's keys
    /// there and the parent's states.
    static func differingLeaves(_ context: ConformanceContext, child: any ResyncStore, parent: any ResyncStore) async throws
        -> (buckets: Set<Int>, childKeys: [DigestKey], parentKeys: [DigestKey], parentStates: [Change]) {
        guard let mine = try await child.digests(of: ["item"], scopes: .everything)["item"],
              let theirs = try await parent.digests(of: ["item"], scopes: .everything)["item"] else {
            throw ConformanceFailure(check: context.check.name, message: "digests(of: [item]) returned no digest of item")
        }
        let buckets = Set(mine.tree.leaves.indices.filter { mine.tree.leaves[$0] != theirs.tree.leaves[$0] })
        try context.expect(!buckets.isEmpty, "no leaf differs although one row does")
        let childKeys = try await child.digestKeys(of: "item", buckets: buckets, locations: mine.locations, scopes: .everything)
        let parentKeys = try await parent.digestKeys(of: "item", buckets: buckets, locations: theirs.locations, scopes: .everything)
        let parentStates = try await parent.states(of: "item", buckets: buckets, locations: theirs.locations, scopes: .everything)
        return (buckets, childKeys, parentKeys, parentStates)
    }
}
