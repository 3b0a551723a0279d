import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Applying remote changes: one transaction with the cursor, idempotent, ordered by the rules.
    static let applyChecks: [Check] = [
        Check(name: "applyWritesRowsLogAndCursorTogether",
              promise: "an apply writes the rows, logs each change as it came and advances the push cursor") { context in
            let province = try await context.open("cn.gd")
            let before = try await province.logHead()
            let batch = try (0..<5).map { try context.item(province, "I\($0)", name: "n\($0)", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: Int64($0)) }
            let outcome = try await province.apply(batch, cursor: .pushedBy(child: try context.node("cn.gd.sz"), after: 0, through: 5))
            try context.expectEqual(outcome.applied, 5, "changes applied")
            try context.expectEqual(try await province.rowCounts()["item"], 5, "item rows")
            try context.expectEqual(try await province.logHead() - before, 5, "log entries added")
            try context.expectEqual(try await province.allChanges(), batch, "the log after the apply")
            let peer = try await province.peer(try context.node("cn.gd.sz"))
            try context.expect(peer?.role == .child && peer?.pushed == 5, "the child's push cursor: expected 5, got \(String(describing: peer))")
        },
        Check(name: "aPushThatSkipsAheadChangesNothing",
              promise: "a push whose `after` lies beyond the applied position is refused with StoreError.cursorGap, and nothing changes") { context in
            let province = try await context.open("cn.gd")
            let child = try context.node("cn.gd.sz")
            _ = try await province.apply([try context.item(province, "A", name: "a", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 1)],
                                         cursor: .pushedBy(child: child, after: 0, through: 3))
            let (head, clock, peer) = (try await province.logHead(), try await province.clock(), try await province.peer(child))
            let ahead = try context.item(province, "B", name: "b", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 50_000)
            do {
                _ = try await province.apply([ahead], cursor: .pushedBy(child: child, after: 9, through: 12))
                try context.expect(false, "a push after 9 was applied although only 3 was")
            } catch let StoreError.cursorGap(_, expected, got) {
                try context.expect(expected == 3 && got == 9, "the gap names expected \(expected) and got \(got), not 3 and 9")
            }
            try context.expectEqual(try await province.rowCounts()["item"], 1, "item rows after the refusal")
            try context.expectEqual(try await province.logHead(), head, "log head after the refusal")
            try context.expectEqual(try await province.clock(), clock, "clock after the refusal")
            try context.expectEqual(try await province.peer(child)?.pushed, peer?.pushed, "push cursor after the refusal")
        },
        Check(name: "applyingABatchAgainChangesNothing",
              promise: "a batch applied a second time is skipped whole: no row, log entry or conflict changes") { context in
            let province = try await context.open("cn.gd")
            let child = try context.node("cn.gd.sz")
            let batch = try (0..<4).map { try context.item(province, "I\($0)", name: "n\($0)", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: Int64($0)) }
            _ = try await province.apply(batch, cursor: .pushedBy(child: child, after: 0, through: 4))
            let (head, log) = (try await province.logHead(), try await province.allChanges())
            let again = try await province.apply(batch, cursor: .pushedBy(child: child, after: 0, through: 4))
            try context.expect(again.applied == 0 && again.skipped == 4, "the second apply: expected 0 applied, 4 skipped, got \(again)")
            try context.expectEqual(try await province.logHead(), head, "log head after the second apply")
            try context.expectEqual(try await province.allChanges(), log, "the log after the second apply")
            try context.expectEqual(try await province.conflictCount(), 0, "conflicts")
            try context.expectEqual(try await province.peer(child)?.pushed, 4, "push cursor")
        },
        Check(name: "theHigherVersionWinsInAnyOrder",
              promise: "under lww, concurrent writes of a row end as the higher version whatever order they arrive in") { context in
            let older = { (store: any ChangeStore) throws -> Change in try context.item(store, "K", name: "older", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 10) }
            let newer = { (store: any ChangeStore) throws -> Change in try context.item(store, "K", name: "newer", scope: "cn.gd.sz", origin: "cn.gd.gz", millis: 20) }
            for (node, newerFirst) in [("cn.gd", false), ("cn", true)] {
                let store = try await context.open(node)
                let pair = [try older(store), try newer(store)]
                for change in newerFirst ? Array(pair.reversed()) : pair { _ = try await store.apply([change], cursor: .none) }
                let held = try await context.logged(store, "item", "K")
                try context.expect(held?.values?.contains(.text("newer")) == true,
                                   "\(node) (newer \(newerFirst ? "first" : "last")) holds \(String(describing: held?.values))")
            }
        },
        Check(name: "aDeleteWinsOnlyWhenNewer",
              promise: "an older delete leaves the row; a newer one removes it; an older write never brings it back") { context in
            let province = try await context.open("cn.gd")
            let row = try context.item(province, "D", name: "x", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 20)
            let olderDelete = try context.item(province, "D", name: "x", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 10, deleted: true)
            _ = try await province.apply([row, olderDelete], cursor: .none)
            try context.expectEqual(try await province.rowCounts()["item"], 1, "rows after an older delete")
            _ = try await province.apply([try context.item(province, "D", name: "x", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 30, deleted: true)], cursor: .none)
            try context.expectEqual(try await province.rowCounts()["item"], 0, "rows after a newer delete")
            _ = try await province.apply([row], cursor: .none)
            try context.expectEqual(try await province.rowCounts()["item"], 0, "rows after the older write came again")
            // The deleted row keeps its entry, a tombstone, which the log size counts.
            let size = try await province.logSize()
            try context.expect(size.entries == 1 && size.deleted == 1 && size.fileBytes > 0,
                               "log size after a deletion: expected 1 entry, 1 of a deleted row and a file, got \(size)")
        },
        Check(name: "refusedRowsGoToTheErrorQueue",
              promise: "a row the table cannot take is rejected into the error queue with its reason, and the rest of the batch applies") { context in
            let province = try await context.open("cn.gd")
            let good = try context.item(province, "OK", name: "fine", scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 1)
            let bad = try context.item(province, "BAD", name: nil, scope: "cn.gd.sz", origin: "cn.gd.sz", millis: 2)
            let outcome = try await province.apply([good, bad], cursor: .none)
            try context.expect(outcome.applied == 1 && outcome.rejected.map(\.table) == ["item"], "expected 1 applied and the bad row rejected, got \(outcome)")
            try context.expect(outcome.rejected.first?.reason.isEmpty == false, "the rejection gives no reason")
            try context.expectEqual(try await province.rejectedCount(), 1, "error queue length")
            try context.expectEqual(try await province.rowCounts()["item"], 1, "item rows")
            let parent = try context.node("cn")
            let refused = RejectedChange(table: "item", key: "[\"X\"]", version: "1@cn.gd", reason: "refused by the parent")
            try await province.recordRefusals([refused], by: parent)
            let queue = try await province.rejections(limit: 10)
            try context.expectEqual(queue.count, 2, "error queue length after a recorded refusal")
            try context.expect(queue.first?.peer == "cn" && queue.first?.reason.contains(refused.reason) == true,
                               "the newest entry should be the parent's refusal, got \(String(describing: queue.first))")
        },
        Check(name: "theClockTakesInAppliedStamps",
              promise: "after applying a change, the clock is at or past its stamp, and a later local write is newer") { context in
            let city = try await context.open("cn.gd.sz")
            let ahead = try context.item(city, "T", name: "t", scope: "cn.gd.sz", origin: "cn", millis: 90_000)
            _ = try await city.apply([ahead], cursor: .none)
            try context.expect(try await city.clock() >= ahead.version.stamp, "the clock stayed behind the stamp it applied")
            try await context.backend.execute("UPDATE item SET n = 7 WHERE id = 'T'", at: city.node)
            let local = try await context.logged(city, "item", "T")
            try context.expect(local.map { $0.version > ahead.version && $0.version.origin == city.node } == true,
                               "the local update after it has version \(String(describing: local?.version)), not newer than \(ahead.version)")
        },
    ]
}
