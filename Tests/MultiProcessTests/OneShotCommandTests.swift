import Foundation
import Testing
import TierSyncTestTraits

/// `tiersync sync`, `status` and `keygen` against real daemons and files.
@Suite(.serialized, .daemons)
struct OneShotCommandTests {
    @Test func syncSaysWhenItCannotCatchUpAndExitsZeroWhenItDoes() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        let province = tree.nodes["cn.gd"]!.config
        try SQLiteShell.run(tree.database("cn.gd"), "SELECT 1") // create the file before the schema exists
        let unreachable = try tree.command(["sync", "--config", province])
        #expect(unreachable.status != 0)
        #expect(unreachable.output.contains("not caught up") && unreachable.output.contains("cannot reach parent"), "\(unreachable.output)")

        try SQLiteShell.run(tree.database("cn.gd"), "INSERT INTO marketing_plan(id, title, scope) VALUES ('PL-1', 'Q4 targets', 'cn.gd');")
        let before = try tree.command(["status", "--config", province, "--json"])
        let beforeStatus = try JSONSerialization.jsonObject(with: Data(before.output.utf8)) as? [String: Any]
        #expect(beforeStatus?["backlog"] as? Int == 1, "\(before.output)")

        try await tree.start(["cn"])
        let caughtUp = try tree.command(["sync", "--config", province])
        #expect(caughtUp.status == 0, "\(caughtUp.output)")
        #expect(caughtUp.output.contains("pushed 1"))
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT title FROM marketing_plan") == "Q4 targets")

        let status = try tree.command(["status", "--config", province])
        #expect(status.status == 0)
        #expect(status.output.contains("backlog   0"), "\(status.output)")
        #expect(status.output.contains("parent    cn: pushed through"))
        #expect(!status.output.contains("last contact never"))
        #expect(status.output.contains("marketing_plan   1 rows"))
    }

    @Test func statusReadsTheFileWithoutWritingIt() throws {
        let tree = try TestTree(["cn", "cn.gd"])
        let province = tree.nodes["cn.gd"]!.config
        let missing = try tree.command(["status", "--config", province])
        #expect(missing.status != 0)
        #expect(missing.output.contains("start the node once"), "\(missing.output)")
        #expect(!FileManager.default.fileExists(atPath: tree.database("cn.gd")), "status must not create the file")

        _ = try tree.command(["sync", "--config", province]) // sets the file up; the parent is not running
        try SQLiteShell.run(tree.database("cn.gd"), "INSERT INTO marketing_plan(id, title, scope) VALUES ('PL-1', 'Q4 targets', 'cn.gd');")
        let files = [tree.database("cn.gd"), tree.database("cn.gd") + "-wal"]
        // The WAL is gone once the last writer closes; a reader may leave it empty.
        let before = files.map { (try? Data(contentsOf: URL(fileURLWithPath: $0))) ?? Data() }
        let status = try tree.command(["status", "--config", province, "--json"])
        #expect(status.status == 0, "\(status.output)")
        let report = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        #expect(report?["backlog"] as? Int == 1, "\(status.output)")
        let after = files.map { (try? Data(contentsOf: URL(fileURLWithPath: $0))) ?? Data() }
        #expect(before == after, "status wrote to the database or its WAL")
    }

    @Test func badConfigurationIsNamedAndNothingStarts() throws {
        let tree = try TestTree(["cn"])
        let result = try tree.command(["serve", "--config", tree.nodes["cn"]!.config, "--node-listen", "no-port"])
        #expect(result.status != 0)
        #expect(result.output.contains("invalid node.listen = 'no-port' (flag --node-listen)"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: tree.database("cn")))
    }

    @Test func keygenMakesAPrivateKeyOnceAndPrintsTheParentsLine() throws {
        let tree = try TestTree(["cn"])
        let config = tree.directory.appendingPathComponent("sz.conf").path
        try "[node]\nid = \"cn.gd.sz\"\nparent = \"http://127.0.0.1:9\"\ndatabase = \"sz.sqlite\"\n[auth]\nkey = \"sz.key\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let made = try tree.command(["keygen", "--config", config])
        #expect(made.status == 0, "\(made.output)")
        let keyFile = tree.directory.appendingPathComponent("sz.key").path
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let line = made.output.split(separator: "\n").first { $0.contains("cn.gd.sz = \"ed25519:") }
        #expect(line != nil && made.output.contains("[children]") && made.output.contains("cn.gd's configuration"), "\(made.output)")
        let again = try tree.command(["keygen", "--config", config])
        #expect(again.status == 0 && again.output.contains("exists; its key is kept"), "\(again.output)")
        #expect(again.output.contains(String(line ?? "-")), "the same public key is printed again")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
        let loose = try tree.command(["sync", "--config", config])
        #expect(loose.status != 0 && loose.output.contains("chmod 600"), "\(loose.output)")
        #expect(!FileManager.default.fileExists(atPath: tree.directory.appendingPathComponent("sz.sqlite").path), "a node that cannot sign opens no database")
        let missing = try tree.command(["serve", "--config", tree.nodes["cn"]!.config, "--auth-key", "/nonexistent/cn.key"])
        #expect(missing.status != 0 && missing.output.contains("tiersync keygen --config"), "\(missing.output)")
    }
}
