import Foundation
import Testing

/// `tiersync sync` and `tiersync status` against real daemons.
@Suite(.serialized)
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

    @Test func badConfigurationIsNamedAndNothingStarts() throws {
        let tree = try TestTree(["cn"])
        let result = try tree.command(["serve", "--config", tree.nodes["cn"]!.config, "--node-listen", "no-port"])
        #expect(result.status != 0)
        #expect(result.output.contains("invalid node.listen = 'no-port' (flag --node-listen)"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: tree.database("cn")))
    }
}
