import Foundation
import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Changes kept from a newer schema (``KeptChange``): stored with the apply that
    /// acknowledged them, and gone with the apply that releases them.
    static let keptChecks: [Check] = [
        Check(name: "keptChangesAreStoredWithTheirApplyAndLeaveWithTheirRelease",
              promise: "changes kept by an apply are stored whole in its transaction, listed in order and counted by table; a release applies its changes and removes exactly the kept ones it names") { context in
            let province = try await context.open("cn.gd")
            let child = try context.node("cn.gd.sz")
            let kept = [
                KeptChange(source: child, fromChild: true, table: "memo", schemaVersion: 2, body: Data("first".utf8)),
                KeptChange(source: child, fromChild: true, table: "item", schemaVersion: 2, body: Data([0, 1, 2, 255])),
                KeptChange(source: child, fromChild: true, table: "memo", schemaVersion: 3, body: Data("third".utf8)),
            ]
            let row = try context.item(province, "A", name: "a", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 1)
            _ = try await province.apply([row], evictions: [], keeping: kept, cursor: .pushedBy(child: child, after: 0, through: 4))
            let stored = try await province.keptChanges(after: 0, limit: 10)
            try context.expectEqual(stored.map(\.body), kept.map(\.body), "the kept bodies, in order")
            try context.expectEqual(stored.map(\.table), ["memo", "item", "memo"], "the kept tables")
            try context.expect(stored.allSatisfy { $0.source == child && $0.fromChild && $0.id > 0 }, "each keeps its source and gets an id: \(stored)")
            try context.expectEqual(stored.map(\.schemaVersion), [2, 2, 3], "the senders' versions")
            try context.expectEqual(try await province.keptCounts(), ["memo": 2, "item": 1], "kept counts")
            try context.expectEqual(try await province.keptChanges(after: stored[0].id, limit: 1).map(\.id), [stored[1].id], "a page after the first")
            try context.expectEqual(try await province.peer(child)?.pushed, 4, "the push cursor moved with the kept changes")

            let later = try context.item(province, "B", name: "b", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 2)
            let outcome = try await province.apply([later], evictions: [], keeping: [],
                                                   cursor: .released(kept: [stored[0].id, stored[2].id], source: child, fromChild: true))
            try context.expectEqual(outcome.applied, 1, "changes applied by the release")
            try context.expectEqual(try await province.keptChanges(after: 0, limit: 10).map(\.id), [stored[1].id], "what stays kept")
            try context.expectEqual(try await province.keptCounts(), ["item": 1], "kept counts after the release")
            try context.expectEqual(try await province.rowCounts()["item"], 2, "item rows after the release")
        },
        Check(name: "aReleasedChildChangeKeepsTheChildsRights",
              promise: "a release from a child checks each change against that child's rights, as its push would have been") { context in
            let province = try await context.open("cn.gd")
            let child = try context.node("cn.gd.sz")
            let foreign = try context.item(province, "F", name: "f", scope: "cn.gd.gz", origin: "cn.gd.gz", millis: 1)
            let outcome = try await province.apply([foreign], evictions: [], keeping: [], cursor: .released(kept: [], source: child, fromChild: true))
            try context.expectEqual(outcome.rejected.count, 1, "changes rejected for the child's rights")
            try context.expectEqual(try await province.rowCounts()["item"], 0, "item rows after the rejection")
        },
    ]
}
