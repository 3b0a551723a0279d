import Foundation
import Testing
import TierSyncTestTraits

/// A column added to a running tree, node by node, while a city keeps writing (SYNC.md
/// 2.1): each link between nodes on different schemas holds its changes back, kept, and
/// every row arrives everywhere, with the new column's values, once the tree is upgraded.
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

        // The city first: its notes, tagged now, wait at the city; the older ones went up.
        try await upgrade(tree, "cn.gd.sz", files: files)
        try write(tree, from: 10, count: 10, tagged: true)
        let heldBack = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'").contains("held back")
        }
        #expect(heldBack, "the city's status must say its pushes are held back: \(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(tree.database("cn.gd"), "SELECT count(*) FROM note WHERE id >= 'N10' AND length(id) = 3") == "0")
        let mixed = try await tree.eventually {
            try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config]).output.contains("nodes below on other versions: cn.gd.sz v2")
        }
        #expect(mixed, "the province's status must show the city on another version")

        // The province, then the group: everything arrives, tags included.
        try await upgrade(tree, "cn.gd", files: files)
        try write(tree, from: 20, count: 5, tagged: true)
        try await upgrade(tree, "cn", files: files)
        try await expectEverythingArrived(tree)
    }

    /// Top-down, into a table decided column by column: the rows written before have no
    /// conflict register for the new column.
    @Test func aColumnRolledOutTopDownIntoAMergeTableWhileACityWritesLosesNothing() async throws {
        let (tree, files) = try await startedTree(conflict: "merge")

        // The group first, then the province: the city, still on version 1, keeps writing;
        // what it writes waits at the city while the province runs the other version. A
        // deletion of a note the group already holds waits too, and must not be lost when
        // the city's log gains the new column.
        let first = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM note") == "10" }
        #expect(first, "the first notes should reach the group: \(tree.log("cn"))")
        try await upgrade(tree, "cn", files: files)
        try await upgrade(tree, "cn.gd", files: files)
        try SQLiteShell.run(tree.database("cn.gd.sz"), "DELETE FROM note WHERE id = 'N5';")
        let heldBack = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn.gd'").contains("held back")
        }
        #expect(heldBack, "the city's status must say what is held back: \(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM note WHERE id = 'N5'") == "1")

        // The city last: its deletion, and its notes with their tags, reach the group.
        try await upgrade(tree, "cn.gd.sz", files: files)
        try write(tree, from: 10, count: 15, tagged: true)
        try await expectEverythingArrived(tree, notes: 24)
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM note WHERE id = 'N5'") == "0")
    }
}
