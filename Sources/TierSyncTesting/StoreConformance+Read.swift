import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Capture of local writes, and reading the log after a cursor through a routing filter.
    static let readChecks: [Check] = [
        Check(name: "localWritesAreCaptured",
              promise: "an application's insert, update and delete each enter the log as a local write, counted and in order") { context in
            let city = try await context.open("cn.gd.sz")
            let (head, captured) = (try await city.logHead(), try await city.capturedCount())
            for sql in ["INSERT INTO item(id, name, n, scope) VALUES ('L', 'first', 1, 'cn.gd.sz')",
                        "UPDATE item SET name = 'second' WHERE id = 'L'",
                        "DELETE FROM item WHERE id = 'L'"] {
                try await context.backend.execute(sql, at: city.node)
            }
            try context.expectEqual(try await city.capturedCount() - captured, 3, "captured writes")
            try context.expect(try await city.logHead() > head, "the log head did not move after three local writes")
            let logged = try await context.logged(city, "item", "L")
            try context.expect(logged?.deleted == true && logged?.version.origin == city.node && logged?.source == city.node,
                               "the row's latest entry should be a local deletion made at \(city.node), got \(String(describing: logged))")
            try await context.backend.execute("INSERT INTO item(id, name, n, scope) VALUES ('M', 'kept', 2, 'cn.gd.sz')", at: city.node)
            let kept = try await context.logged(city, "item", "M")
            try context.expect(kept?.values?.contains(.text("kept")) == true && kept.map { $0.version > logged!.version } == true,
                               "a later insert should be logged with its values and a newer version, got \(String(describing: kept))")
        },
        Check(name: "theLogIsReadAfterACursorThroughTheFilter",
              promise: "changes(after:) returns, in log order, exactly the entries after the cursor that the filter keeps, with their current values") { context in
            let province = try await context.open("cn.gd")
            let gz = try context.node("cn.gd.gz")
            var made: [Change] = []
            for index in 0..<9 {
                // Written in cn.gd.gz's own subtree, in cn.gd.sz's, or at the group for cn.gd.gz.
                let (scope, origin) = [("cn.gd.gz", "cn.gd.gz"), ("cn.gd.sz", "cn.gd.sz"), ("cn.gd.gz", "cn")][index % 3]
                made.append(try context.item(province, "R\(index)", name: "r\(index)", scope: scope, origin: origin, millis: Int64(index)))
            }
            _ = try await province.apply(Array(made[..<3]), cursor: .none)
            let cursor = try await province.logHead()
            _ = try await province.apply(Array(made[3...]), cursor: .none)
            let forGZ = LogSelection.pulledBy(gz, after: cursor)
            let batch = try await province.changes(after: cursor, limit: 100, scanLimit: 100, selecting: forGZ)
            let wanted = made[3...].filter { $0.version.origin.description == "cn" }
            try context.expectEqual(batch.changes, Array(wanted), "changes for cn.gd.gz after the cursor")
            let head = try await province.logHead()
            try context.expect(!batch.more && batch.scannedThrough == head,
                               "a read of the whole log should end at the head \(head) without more, got through \(batch.scannedThrough), more \(batch.more)")
            try context.expectEqual(try await province.countEntries(after: cursor, selecting: forGZ), wanted.count, "countEntries for cn.gd.gz")
            try context.expectEqual(try await province.countEntries(after: 0, selecting: .everything), made.count, "countEntries of everything")
            let later = try await province.changes(after: batch.scannedThrough, limit: 100, scanLimit: 100, selecting: .everything)
            try context.expect(later.changes.isEmpty && !later.more, "a read after the head returned \(later.changes.count) changes, more \(later.more)")
            // A newer state of a row is read with its current values, once, at its new place.
            let update = try context.item(province, "R5", name: "updated", scope: "cn.gd.gz", origin: "cn", millis: 100)
            _ = try await province.apply([update], cursor: .none)
            let fresh = try await province.changes(after: batch.scannedThrough, limit: 100, scanLimit: 100, selecting: forGZ)
            try context.expectEqual(fresh.changes, [update], "changes after an update")
        },
        Check(name: "readsAreBoundedAndResumable",
              promise: "limit and scanLimit bound a read, `more` says what is left, and reads resumed from scannedThrough return every kept change once") { context in
            let province = try await context.open("cn.gd")
            let made = try (0..<12).map { index in
                try context.item(province, "B\(index)", name: "b", scope: index % 2 == 0 ? "cn.gd.sz" : "cn.gd.gz", origin: "cn", millis: Int64(index))
            }
            _ = try await province.apply(made, cursor: .none)
            // What cn.gd.sz pulls: the rows of its own scope, not those of its sibling.
            let fromCity = LogSelection.pulledBy(try NodeID("cn.gd.sz"), after: 0)
            let wanted = made.filter { $0.scope.description == "cn.gd.sz" }
            for (limit, scanLimit) in [(2, 100), (100, 3), (1, 1)] {
                var cursor: Int64 = 0
                var read: [Change] = []
                for _ in 0..<100 {
                    let batch = try await province.changes(after: cursor, limit: limit, scanLimit: scanLimit, selecting: fromCity)
                    try context.expect(batch.changes.count <= limit, "limit \(limit): a batch held \(batch.changes.count) changes")
                    try context.expect(batch.scannedThrough > cursor || !batch.more, "limit \(limit), scan \(scanLimit): a read with more did not advance past \(cursor)")
                    read += batch.changes
                    cursor = batch.scannedThrough
                    if !batch.more { break }
                }
                try context.expectEqual(read, wanted, "limit \(limit), scan \(scanLimit): the changes read in turn")
            }
            let first = try await province.changes(after: 0, limit: 2, scanLimit: 100, selecting: fromCity)
            try context.expect(first.more, "a read stopped by its limit with changes left says nothing is left")
        },
        Check(name: "readsAreBoundedInBytes",
              promise: "a read stops once its changes reach byteLimit bytes, holds at least one change however large, and reads resumed from scannedThrough return every change once") { context in
            let province = try await context.open("cn.gd")
            let wide = String(repeating: "w", count: 10_000)
            let made = try (0..<10).map { index in
                try context.item(province, "W\(index)", name: wide, scope: "cn.gd.sz", origin: "cn", millis: Int64(index))
            }
            _ = try await province.apply(made, cursor: .none)
            let size = made[0].estimatedBytes
            for (byteLimit, most) in [(3 * size, 3), (1, 1)] {
                var cursor: Int64 = 0
                var read: [Change] = []
                for _ in 0..<100 {
                    let batch = try await province.changes(after: cursor, limit: 100, scanLimit: 100, byteLimit: byteLimit, selecting: .everything)
                    try context.expect(!batch.changes.isEmpty || !batch.more, "byteLimit \(byteLimit): a batch with more held no change")
                    try context.expect(batch.changes.count <= most, "byteLimit \(byteLimit): a batch held \(batch.changes.count) rows of \(size) bytes")
                    read += batch.changes
                    cursor = batch.scannedThrough
                    if !batch.more { break }
                }
                try context.expectEqual(read, made, "byteLimit \(byteLimit): the changes read in turn")
            }
        },
    ]
}
