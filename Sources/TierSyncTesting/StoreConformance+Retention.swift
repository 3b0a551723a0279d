import Foundation
import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Purges: only what the request names goes, and a new write of a purged key starts from
    /// what its tombstone had seen.
    static let retentionChecks: [Check] = [
        Check(name: "aPurgeRemovesOnlyTheTombstonesItNames",
              promise: "a purge removes the tombstones of the tables named, at or below `through` and older than `before`, but none of a table with kept changes; it records the highest position removed, and leaves rows and other entries alone") { context in
            let city = try await context.open("cn.gd.sz")
            let group = "cn"
            _ = try await city.apply([try context.item(city, "A", name: "a", scope: "cn.gd.sz", origin: group, millis: 1),
                                      try context.item(city, "B", name: "b", scope: "cn.gd.sz", origin: group, millis: 2),
                                      try context.item(city, "C", name: "c", scope: "cn.gd.sz", origin: group, millis: 3)], cursor: .none)
            _ = try await city.apply([try context.item(city, "A", name: "a", scope: "cn.gd.sz", origin: group, millis: 4, deleted: true)], cursor: .none)
            let first = try await city.logHead()
            _ = try await city.apply([try context.item(city, "B", name: "b", scope: "cn.gd.sz", origin: group, millis: 50_000, deleted: true)], cursor: .none)
            let second = try await city.logHead()
            let now = HybridTimestamp(millis: context.base + 120_000)

            let none = try await city.purge(PurgeRequest(through: second, before: now, tables: []))
            try context.expect(none.tombstones == 0 && none.purgedThrough == 0, "a purge naming no table removed \(none)")
            let below = try await city.purge(PurgeRequest(through: first, before: now, tables: ["item"]))
            try context.expect(below.tombstones == 1 && below.purgedThrough == first, "a purge through \(first) should remove A's tombstone only, got \(below)")
            let young = try await city.purge(PurgeRequest(through: second, before: HybridTimestamp(millis: context.base + 10_000), tables: ["item"]))
            try context.expect(young.tombstones == 0 && young.purgedThrough == first, "a tombstone newer than `before` was removed: \(young)")
            let size = try await city.logSize()
            try context.expect(size.deleted == 1 && size.entries == 2 && size.purgedThrough == first, "the log after purging A's tombstone: \(size)")
            try context.expectEqual(try await city.rowCounts()["item"], 1, "rows after the purges")
            // A table with a kept change keeps its tombstones until the change is released.
            let kept = KeptChange(source: try context.node("cn.gd"), fromChild: false, table: "item", schemaVersion: 2, body: Data("kept".utf8))
            _ = try await city.apply([], evictions: [], keeping: [kept], cursor: .none)
            let held = try await city.purge(PurgeRequest(through: second, before: now, tables: ["item"]))
            try context.expect(held.tombstones == 0, "a tombstone of a table with a kept change was removed: \(held)")
            let keptIDs = try await city.keptChanges(after: 0, limit: 10).map(\.id)
            _ = try await city.apply([], evictions: [], keeping: [], cursor: .released(kept: keptIDs, source: kept.source, fromChild: false))
            let rest = try await city.purge(PurgeRequest(through: second, before: now, tables: ["item"]))
            try context.expect(rest.tombstones == 1 && rest.purgedThrough == second, "the second tombstone once old enough: \(rest)")
            try context.expectEqual(try await city.purgedThrough(), second, "purgedThrough()")
            try context.expectEqual(try await city.logHead(), second, "the log head after the purges")
        },
        Check(name: "aWriteOfAPurgedKeyCoversItsDeletion",
              promise: "a local write of a key whose tombstone was purged carries a context that covers the purged deletion") { context in
            let city = try await context.open("cn.gd.sz")
            let deletion = try context.item(city, "A", name: "a", scope: "cn.gd.sz", origin: "cn", millis: 5, deleted: true)
            _ = try await city.apply([try context.item(city, "A", name: "a", scope: "cn.gd.sz", origin: "cn", millis: 1), deletion], cursor: .none)
            let purged = try await city.purge(PurgeRequest(through: try await city.logHead(), before: HybridTimestamp(millis: context.base + 120_000), tables: ["item"]))
            try context.expectEqual(purged.tombstones, 1, "tombstones purged")
            try await context.backend.execute("INSERT INTO item(id, name, n, scope) VALUES ('A', 'again', 2, 'cn.gd.sz')", at: city.node)
            guard let written = try await context.logged(city, "item", "A") else {
                throw ConformanceFailure(check: "aWriteOfAPurgedKeyCoversItsDeletion", message: "the new write left no log entry")
            }
            try context.expect(written.meta.context.covers(deletion.version) && !written.deleted,
                               "the new write's context \(written.meta.context) should cover the purged deletion \(deletion.version)")
        },
        Check(name: "evictionRecordsArePurgedWhenOldEnough",
              promise: "a purge removes eviction records at or below `through` whose writes are older than `before`") { context in
            let city = try await context.open("cn.gd.sz")
            try await context.backend.execute("INSERT INTO item(id, name, n, scope) VALUES ('E', 'e', 1, 'cn.gd.sz')", at: city.node)
            guard let written = try await context.logged(city, "item", "E") else {
                throw ConformanceFailure(check: "evictionRecordsArePurgedWhenOldEnough", message: "a local insert left no log entry")
            }
            let eviction = Eviction(table: "item", key: [.text("E")], scope: city.node, context: written.meta.context, source: try context.node("cn.gd"))
            _ = try await city.apply([], evictions: [eviction], cursor: .none)
            let head = try await city.logHead()
            let young = try await city.purge(PurgeRequest(through: head, before: HybridTimestamp(millis: context.base), tables: ["item"]))
            try context.expectEqual(young.evictionRecords, 0, "eviction records younger than `before` purged")
            let old = try await city.purge(PurgeRequest(through: head, before: HybridTimestamp(millis: context.base + 3_600_000), tables: []))
            try context.expect(old.evictionRecords == 1 && old.purgedThrough == head, "the old record through \(head): \(old)")
            try context.expectEqual(try await city.logSize().evictionRecords, 0, "eviction records left")
        },
        Check(name: "theHorizonIsKeptWithItsTime",
              promise: "recordHorizon returns the horizon recorded at least `age` seconds before, 0 when none is that old") { context in
            let city = try await context.open("cn.gd.sz")
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            try context.expectEqual(try await city.recordHorizon(5, at: start, age: 0), 5, "with no age, the horizon just recorded")
            try context.expectEqual(try await city.recordHorizon(5, at: start + 10, age: 100), 0, "nothing recorded 100 s before")
            try context.expectEqual(try await city.recordHorizon(9, at: start + 200, age: 100), 5, "the horizon of 200 s before")
            try context.expectEqual(try await city.recordHorizon(12, at: start + 400, age: 100), 9, "the newest horizon at least 100 s old")
        },
    ]
}
