import Foundation
import GRDB
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite

/// Benchmark 11, the files under a steady load, with purging and without: a group, a
/// province and a city in one process (``InProcessTree``). The city holds `rows` customers.
/// Each step it updates every one of them, then deletes the oldest tenth and inserts as
/// many new ones (customers leave and arrive), and the tree syncs until caught up. One tree
/// purges acknowledged history after every step (``Retention``, grace 0, as a daemon past
/// its grace period would); the other never purges. It prints the three files' size after
/// each step, and reports the last sizes beside a plain SQLite file of the same rows.
struct RetentionBenchmark {
    /// Customers the city holds at every step.
    let rows: Int
    /// Steps of updates and turnover.
    let steps: Int
    /// Seconds the whole figure may take.
    let timeout: Double
    /// Where the files go.
    let scratch: ScratchDirectory

    static let nodes = ["cn", "cn.gd", "cn.gd.sz"]
    static let city = "cn.gd.sz"

    func run() async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        let leaving = max(1, rows / 10)
        let kept = try InProcessTree(nodes: Self.nodes.map { try NodeID($0) }, schema: .standard, directory: try scratch.subdirectory("retention-kept"))
        let purged = try InProcessTree(nodes: Self.nodes.map { try NodeID($0) }, schema: .standard, directory: try scratch.subdirectory("retention-purged"))
        defer {
            kept.close()
            purged.close()
        }
        let plainPath = try scratch.subdirectory("retention-plain").appendingPathComponent("plain.sqlite").path
        let plain = try PlainSQLite.open(plainPath)
        try await plain.write { db in try db.execute(sql: CustomerRows.resolved(.standard).table(named: "customer")!.createSQL) }

        var sizes: [(kept: Int64, purged: Int64, removed: Int)] = []
        say("retention: \(rows) customers at a city; each step updates all of them and replaces \(leaving); sizes of the three files")
        say("          step   never purged   purged after each step   tombstones purged")
        for step in 0...steps {
            let sql = step == 0 ? Self.insert(from: 0, count: rows)
                : "UPDATE customer SET status = 'step \(step)';\n" + "DELETE FROM customer WHERE id < '\(Self.key((step - 1) * leaving + leaving))';\n"
                    + Self.insert(from: rows + (step - 1) * leaving, count: leaving)
            var removed = 0
            for tree in [kept, purged] {
                let writer = try PlainSQLite.open(InProcessTree.path(of: try NodeID(Self.city), in: tree.directory))
                try await writer.write { db in try db.execute(sql: sql) }
                try writer.close()
                try await settle(tree, deadline: deadline)
                if tree === purged {
                    for id in Self.nodes {
                        let node = try NodeID(id)
                        let children = Self.nodes.compactMap { try? NodeID($0) }.filter { $0.parent == node }
                        let outcome = try await Retention(graceSeconds: 0, children: children).purge(tree.stores[node]!, now: Date() + 1)
                        removed += outcome.tombstones
                    }
                }
            }
            try await plain.write { db in try db.execute(sql: sql) }
            sizes.append((kept.fileBytes(), purged.fileBytes(), removed))
            say("          \(rightAligned(String(step), 4))   \(rightAligned(Self.megabytes(sizes.last!.kept), 9)) MB   \(rightAligned(Self.megabytes(sizes.last!.purged), 19)) MB   \(rightAligned(String(removed), 17))")
        }
        try plain.close()
        let plainBytes = InProcessTree.fileBytes(of: [plainPath])
        let last = sizes.last!
        let growthKept = Double(last.kept - sizes[1].kept) / Double(max(1, steps - 1))
        let growthPurged = Double(last.purged - sizes[1].purged) / Double(max(1, steps - 1))
        Output.emit(Figure.cost("retention.purged", Figure.Measure("three files after \(steps) steps, purged after each", Double(last.purged), "bytes"),
                                baseline: Figure.Measure("one plain file of the same customers", Double(plainBytes), "bytes"),
                                details: ["rows": Double(rows), "steps": Double(steps), "replaced_per_step": Double(leaving), "growth_per_step_bytes": growthPurged]))
        Output.emit(Figure.cost("retention.kept", Figure.Measure("three files after \(steps) steps, never purged", Double(last.kept), "bytes"),
                                baseline: Figure.Measure("one plain file of the same customers", Double(plainBytes), "bytes"),
                                details: ["rows": Double(rows), "steps": Double(steps), "replaced_per_step": Double(leaving), "growth_per_step_bytes": growthKept]))
        say(resultLine("retention", [
            "purged \(Self.megabytes(last.purged)) MB (+\(Self.megabytes(Int64(growthPurged))) MB/step)",
            "never purged \(Self.megabytes(last.kept)) MB (+\(Self.megabytes(Int64(growthKept))) MB/step)",
            "plain file \(Self.megabytes(plainBytes)) MB",
        ]))
    }

    /// Rounds of the city, then of the province, until a pass moves nothing.
    private func settle(_ tree: InProcessTree, deadline: ContinuousClock.Instant) async throws {
        let city = try NodeID(Self.city)
        let province = city.parent!
        while true {
            let up = try await tree.round(of: [city], concurrency: 1, deadline: deadline)
            let top = try await tree.round(of: [province], concurrency: 1, deadline: deadline)
            let down = try await tree.round(of: [city], concurrency: 1, deadline: deadline)
            if up.pushed + up.pulled + top.pushed + top.pulled + down.pushed + down.pulled == 0 && up.behind.isEmpty && top.behind.isEmpty { return }
        }
    }

    /// The key of the `index`-th customer ever written.
    static func key(_ index: Int) -> String { "R" + String(format: "%09d", index) }

    /// Inserts `count` customers from the `start`-th on.
    static func insert(from start: Int, count: Int) -> String {
        """
        WITH RECURSIVE n(i) AS (SELECT \(start) UNION ALL SELECT i + 1 FROM n WHERE i < \(start + count - 1))
        INSERT INTO customer(id, name, classes, status, scope) SELECT printf('R%09d', i), 'customer ' || i, 'A', 'new', 'cn.gd.sz' FROM n;
        """
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.2f", Double(bytes) / 1_048_576) }
}
