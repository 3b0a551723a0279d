import Foundation
import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Peers' cursors and contacts, subtree summaries, and what survives a reopen.
    static let peerChecks: [Check] = [
        Check(name: "cursorsAndContactsAreKept",
              promise: "a pull's apply keeps the parent's epoch and position; contacts keep the push position and the last error until a success") { context in
            let city = try await context.open("cn.gd.sz")
            let parent = try context.node("cn.gd")
            _ = try await city.apply([], cursor: .pulledFrom(parent: parent, epoch: "E1", through: 7))
            var peer = try await city.peer(parent)
            try context.expect(peer?.role == .parent && peer?.pulled == 7 && peer?.epoch == "E1",
                               "after a pull through 7 of log E1 the parent's record is \(String(describing: peer))")
            try await city.recordContact(with: parent, role: .parent, pushed: 4, pulled: nil, error: "parent unreachable")
            peer = try await city.peer(parent)
            try context.expect(peer?.pushed == 4 && peer?.pulled == 7 && peer?.lastError == "parent unreachable",
                               "after a failed contact that acknowledged 4 the record is \(String(describing: peer))")
            try await city.recordContact(with: parent, role: .parent, pushed: nil, pulled: nil, error: nil)
            peer = try await city.peer(parent)
            try context.expect(peer?.pushed == 4 && peer?.lastError == nil && peer?.lastContact != nil,
                               "a successful contact should clear the error and keep the push position, got \(String(describing: peer))")
            try context.expectEqual(try await city.peers().map(\.node), [parent], "the peers listed")
        },
        Check(name: "servedIsRecordedOnlyForKnownChildren",
              promise: "recordServed keeps the highest position served to a known child, and creates no record for an unknown one") { context in
            let province = try await context.open("cn.gd")
            let child = try context.node("cn.gd.sz")
            try await province.recordServed(to: child, through: 5)
            try context.expect(try await province.peer(child) == nil, "recordServed created a record for a child it did not know")
            try await province.recordContact(with: child, role: .child, pushed: nil, pulled: 0, error: nil)
            try await province.recordServed(to: child, through: 5)
            try context.expectEqual(try await province.peer(child)?.served, 5, "served after a pull answer through 5")
        },
        Check(name: "subtreeSummariesReplaceEarlierOnes",
              promise: "a child's subtree summaries replace those it sent before, and each child's are kept apart") { context in
            let province = try await context.open("cn.gd")
            let (sz, gz) = (try context.node("cn.gd.sz"), try context.node("cn.gd.gz"))
            func summary(_ node: NodeID, head: Int64) -> NodeSummary {
                NodeSummary(node: node, madeAt: Date(), logHead: head, backlog: 0, rejected: 0, openConflicts: 0, conflicts: 0)
            }
            try await province.recordSubtree([summary(sz, head: 1)], from: sz)
            try await province.recordSubtree([summary(gz, head: 2)], from: gz)
            try await province.recordSubtree([summary(sz, head: 3)], from: sz)
            let records = try await province.subtrees().sorted { $0.child.description < $1.child.description }
            try context.expectEqual(records.map(\.child), [gz, sz], "children with summaries")
            try context.expectEqual(records.map { $0.nodes.map(\.logHead) }, [[2], [3]], "log heads in the kept summaries")
        },
        Check(name: "everythingSurvivesAReopen",
              promise: "rows, log, epoch, cursors and conflicts committed by one store are all there when the node's store is opened again") { context in
            var province = try await context.open("cn.gd")
            let child = try context.node("cn.gd.sz")
            let batch = [try context.item(province, "S", name: "s", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 1),
                         try context.note(province, "N", body: "a", scope: "cn.gd", origin: "cn.gd.sz", millis: 2),
                         try context.note(province, "N", body: "b", scope: "cn.gd", origin: "cn.gd.gz", millis: 3)]
            _ = try await province.apply(batch, cursor: .pushedBy(child: child, after: 0, through: 3))
            let before = (epoch: province.epoch, head: try await province.logHead(), log: try await province.allChanges(),
                          peer: try await province.peer(child), conflicts: try await province.conflictCount())
            province = try await context.open("cn.gd")
            try context.expectEqual(province.epoch, before.epoch, "epoch after reopening")
            try context.expectEqual(try await province.logHead(), before.head, "log head after reopening")
            try context.expectEqual(try await province.allChanges(), before.log, "log after reopening")
            try context.expectEqual(try await province.peer(child), before.peer, "the child's record after reopening")
            try context.expectEqual(try await province.conflictCount(), before.conflicts, "conflicts after reopening")
        },
    ]
}
