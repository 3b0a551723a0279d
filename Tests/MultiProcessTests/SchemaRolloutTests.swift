import Foundation
import Testing
import TierSyncTestTraits

/// A column added to a running tree, node by node, while a city keeps writing (SYNC.md
/// 2.1): every link goes on across versions. A node on the older schema keeps what it
/// cannot store yet and applies it once it is upgraded; what an older node sends takes the
/// new column's DEFAULT. Every row arrives everywhere, with the new column's values.
@Suite(.serialized, .daemons)
struct SchemaRolloutTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz"]

    /// The schema file of `version`, its table decided by `conflict`.
    static func schema(version: Int, conflict: String) -> String {
        let columns = version == 1 ? "id TEXT PRIMARY KEY, body TEXT, scope TEXT NOT NULL" : "id TEXT PRIMARY KEY, body TEXT, scope TEXT NOT NULL, tag TEXT DEFAULT 'none'"
        return """
            version = \(version)

            [table.note]
            sql = "CREATE TABLE note(\(columns))"
            concentrate = group
            writers = city, province, group
            conflict = \(conflict)
            """
    }

    /// Writes `count` notes at the city, one every 40 ms, with a tag once it runs version 2.
    private func write(_ tree: TestTree, from first: Int, count: Int, tagged: Bool) throws {
        for index in first..<(first + count) {
            let sql = tagged
                ? "INSERT INTO note(id, body, scope, tag) VALUES ('N\(index)', 'note \(index)', 'cn.gd.sz', 'tag \(index)');"
                : "INSERT INTO note(id, body, scope) VALUES ('N\(index)', 'note \(index)', 'cn.gd.sz');"
            try SQLiteShell.run(tree.database("cn.gd.sz"), sql)
            usleep(40_000)
        }
    }

    /// Restarts `id` with the schema of `version`.
    private func upgrade(_ tree: TestTree, _ id: String, files: [Int: String]) async throws {
        tree.stop(id)
        try tree.configure(id, "[node]\nschema = \"\(files[2]!)\"")
        try await tree.start([id])
    }

    /// The tree on version 1, the city writing its first notes.
    private func startedTree(conflict: String) async throws -> (TestTree, [Int: String]) {
        let tree = try TestTree(Self.ids)
        var files: [Int: String] = [:]
        for version in [1, 2] {
            let path = tree.directory.appendingPathComponent("schema-v\(version).conf").path
            try Self.schema(version: version, conflict: conflict).write(toFile: path, atomically: true, encoding: .utf8)
            files[version] = path
        }
        for id in Self.ids { try tree.configure(id, "[node]\nschema = \"\(files[1]!)\"") }
        try await tree.start()
        try write(tree, from: 0, count: 10, tagged: false)
        return (tree, files)
    }

    /// Every node holds the `notes` notes, the 15 written on version 2 with their tags, and
    /// the city's link is clear.
    private func expectEverythingArrived(_ tree: TestTree, notes: Int = 25) async throws {
        for id in ["cn.gd", "cn"] {
            let arrived = try await tree.eventually {
                try SQLiteShell.value(tree.database(id), "SELECT count(*) || '/' || sum(tag = 'tag ' || substr(id, 2)) FROM note") == "\(notes)/15"
            }
            let counts = try SQLiteShell.value(tree.database(id), "SELECT count(*) || '/' || coalesce(sum(tag = 'tag ' || substr(id, 2)), 0) FROM note")
            #expect(arrived, "\(id) should hold \(notes) notes, 15 of them tagged, got \(counts): \(tree.log(id))")
        }
        let cleared = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'") == ""
        }
        #expect(cleared, "the city's link should be clear once both sides match")
    }

    @Test func aColumnRolledOutBottomUpWhileACityWritesLosesNothing() async throws {
        let (tree, files) = try await startedTree(conflict: "lww")

        // The city first: its notes, tagged now, reach the province, which keeps them until
        // it runs the new file; the city's link stays clear. (A restarted city may send
        // again a few changes its parent had acknowledged: kept too, and harmless.)
        try await upgrade(tree, "cn.gd.sz", files: files)
        try write(tree, from: 10, count: 10, tagged: true)
        var status = ""
        let kept = try await tree.eventually {
            status = try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config]).output
            let count = status.firstMatch(of: /kept from a newer schema until this node runs it: note (\d+)/).flatMap { Int($0.1) } ?? 0
            return count >= 10
        }
        #expect(kept, "the province's status must count the 10 notes it keeps: \(status)\n\(tree.log("cn.gd"))\n\(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM note WHERE id >= 'N10' AND length(id) = 3") == "0")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'") == "")
        let mixed = try await tree.eventually {
            try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config]).output.contains("nodes below on other versions: cn.gd.sz v2")
        }
        #expect(mixed, "the province's status must show the city on another version")

        // The province: it applies what it kept and sends it on, for the group to keep in
        // turn; then the group. Everything arrives, tags included.
        try await upgrade(tree, "cn.gd", files: files)
        let atProvince = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM note WHERE tag = 'tag ' || substr(id, 2)") == "10"
        }
        #expect(atProvince, "the province should apply the 10 tagged notes it kept: \(tree.log("cn.gd"))")
        try write(tree, from: 20, count: 5, tagged: true)
        let keptAtGroup = try await tree.eventually { (Int(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM _ts_kept")) ?? 0) >= 15 }
        #expect(keptAtGroup, "the group, on the old file, should keep the 15 tagged notes: \(tree.log("cn"))")
        try await upgrade(tree, "cn", files: files)
        try await expectEverythingArrived(tree)
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM _ts_kept") == "0")
    }

    /// Top-down, into a table decided column by column: the rows written before have no
    /// conflict register for the new column.
    @Test func aColumnRolledOutTopDownIntoAMergeTableWhileACityWritesLosesNothing() async throws {
        let (tree, files) = try await startedTree(conflict: "merge")

        // The group first, then the province, while the city stays on version 1. What the
        // city does goes up at once: a deletion of a note the group holds arrives with the
        // new column's DEFAULT standing in. The group tags a note of the city's: the city
        // keeps that change until it runs the new file.
        let first = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM note") == "10" }
        #expect(first, "the first notes should reach the group: \(tree.log("cn"))")
        try await upgrade(tree, "cn", files: files)
        try await upgrade(tree, "cn.gd", files: files)
        try SQLiteShell.run(tree.database("cn.gd.sz"), "DELETE FROM note WHERE id = 'N5';")
        let deleted = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM note WHERE id = 'N5'") == "0" }
        #expect(deleted, "the city's deletion should reach the group while the city runs the old file: \(tree.log("cn.gd"))")
        try SQLiteShell.run(tree.database("cn"), "UPDATE note SET tag = 'from the group' WHERE id = 'N1';")
        let keptAtCity = try await tree.eventually { try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM _ts_kept") != "0" }
        #expect(keptAtCity, "the city should keep the group's tag until it runs the new file: \(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'") == "")

        // The city last: it applies the tag it kept, and its new notes reach the group.
        try await upgrade(tree, "cn.gd.sz", files: files)
        try write(tree, from: 10, count: 15, tagged: true)
        try await expectEverythingArrived(tree, notes: 24)
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT tag FROM note WHERE id = 'N1'") == "from the group")
        #expect(try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM _ts_kept") == "0")
    }
}
