import Foundation
import Testing

/// A tree set up by `tiersync init` from one tree file runs: the daemons start on the
/// configurations and keys it wrote, every parent accepts its children, and rows flow up
/// and down.
@Suite(.serialized)
struct InitTreeTests {
    @Test func aTreeWrittenByInitSyncs() async throws {
        let ids = ["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"]
        let tree = try TestTree(ids)
        // The test tree's own keys and configurations are replaced by init's.
        for id in ids { try FileManager.default.removeItem(atPath: tree.directory.appendingPathComponent("\(id).key").path) }
        let file = tree.directory.appendingPathComponent("test.tree").path
        try ids.map { "\($0) 127.0.0.1:\(tree.nodes[$0]!.port) \(tree.database($0))" }.joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let made = try tree.command(["init", "--tree", file, "--out", tree.directory.path])
        #expect(made.status == 0 && made.output.contains("4 new key(s)"), "\(made.output)")
        try await tree.start()
        try SQLiteShell.run(tree.database("cn.gd.sz"), "INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'Port', 'cn.gd.sz');")
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
        let synced = try await tree.eventually(60) {
            try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer WHERE id = 'SZ-1'") == "1"
                && SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM product") == "1"
                && SQLiteShell.value(tree.database("cn.gd.gz"), "SELECT count(*) FROM product") == "1"
        }
        #expect(synced, "\(tree.log("cn.gd.sz"))\n\(tree.log("cn.gd"))")
        let again = try tree.command(["init", "--tree", file, "--out", tree.directory.path])
        #expect(again.status == 0 && again.output.contains("wrote 0 file(s)") && again.output.contains("0 new key(s)"), "\(again.output)")
    }
}
