import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Key-only evictions: a row leaves a node only when the evicting node saw every write it holds.
    static let evictionChecks: [Check] = [
        Check(name: "anEvictionDropsOnlyWhatItsSenderSaw",
              promise: "an eviction keeps a row with writes its sender has not seen; otherwise it drops the row and its entry, logs no delete, and keeps a record that a pull reads") { context in
            let city = try await context.open("cn.gd.sz")
            let parent = try context.node("cn.gd")
            try await context.backend.execute("INSERT INTO item(id, name, n, scope) VALUES ('E', 'unpushed', 1, 'cn.gd.sz')", at: city.node)
            guard let written = try await context.logged(city, "item", "E") else {
                throw ConformanceFailure(check: "anEvictionDropsOnlyWhatItsSenderSaw", message: "a local insert left no log entry")
            }
            let blind = Eviction(table: "item", key: [.text("E")], scope: city.node, context: CausalContext(), source: parent)
            let kept = try await city.apply([], evictions: [blind], cursor: .none)
            try context.expect(kept.evicted == 0 && kept.skipped == 1, "an eviction that had not seen the local write: expected 1 skipped, got \(kept)")
            try context.expectEqual(try await city.rowCounts()["item"], 1, "rows after an eviction that had not seen the write")
            let head = try await city.logHead()
            let seen = Eviction(table: "item", key: [.text("E")], scope: city.node, context: written.meta.context, source: parent)
            let dropped = try await city.apply([], evictions: [seen], cursor: .none)
            try context.expectEqual(dropped.evicted, 1, "rows evicted by an eviction that saw the write")
            try context.expectEqual(try await city.rowCounts()["item"], 0, "rows after the eviction")
            try context.expect(try await context.logged(city, "item", "E") == nil, "the evicted row is still in the log, or was logged as a delete")
            let record = try await city.changes(after: head, limit: 10, scanLimit: 10, selecting: .everything)
            try context.expect(record.changes.isEmpty && record.evictions.map(\.key) == [[.text("E")]] && record.evictions.first?.source == parent,
                               "the log after the cursor should hold the eviction record only, got \(record.changes.count) changes and \(record.evictions)")
            try context.expectEqual(try await city.logSize().evictionRecords, 1, "eviction records in the log size")
            let push = try await city.changes(after: head, limit: 10, scanLimit: 10, selecting: .pushedBy(city.node))
            try context.expect(push.evictions.isEmpty, "a push read (which reads no eviction records) returned evictions")
        },
    ]
}
