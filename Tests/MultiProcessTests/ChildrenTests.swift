import Foundation
import Testing
import TierSyncTestTraits

/// A parent's children as an operator manages them: a resync request for an id that is not
/// a configured child is refused (a typo made a permanent phantom child), and a child that
/// is gone is removed with its cursors and queued work, once its configuration is gone.
@Suite(.serialized, .daemons)
struct ChildrenTests {
    @Test func unknownChildIsRefusedAndAGoneChildIsRemoved() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"])
        try await tree.start()
        let province = tree.database("cn.gd"), config = tree.nodes["cn.gd"]!.config
        try SQLiteShell.run(tree.database("cn.gd.gz"), "INSERT INTO customer(id, name, status, scope) VALUES ('GZ-1', 'Canton Steel', 'active', 'cn.gd.gz');")
        let arrived = try await tree.eventually(30) { try SQLiteShell.value(province, "SELECT count(*) FROM customer WHERE id = 'GZ-1'") == "1" }
        #expect(arrived, "\(tree.log("cn.gd.gz"))")

        let typo = try tree.command(["resync", "--config", config, "--node", "cn.gd.gzz"])
        #expect(typo.status != 0)
        #expect(typo.output.contains("--node cn.gd.gzz is not a configured child of cn.gd (configured under [children]: cn.gd.gz, cn.gd.sz)"), "\(typo.output)")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_peer WHERE node = 'cn.gd.gzz'") == "0", "a typo left a phantom child")

        // cn.gd.gz closes: it is marked for resync, and a change of it waits in the error queue.
        tree.stop("cn.gd.gz")
        let marked = try tree.command(["resync", "--config", config, "--node", "cn.gd.gz"])
        #expect(marked.status == 0, "\(marked.output)")
        try SQLiteShell.run(province, "INSERT INTO _ts_rejected(received_at, peer, tbl, pk, version, reason) VALUES (0, 'cn.gd.gz', 'customer', '[\"GZ-9\"]', '1@cn.gd.gz', 'test')")
        let configured = try tree.command(["children", "remove", "cn.gd.gz", "--config", config])
        #expect(configured.status != 0 && configured.output.contains("cn.gd.gz is still configured at cn.gd"), "\(configured.output)")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_peer WHERE node = 'cn.gd.gz'") == "1")

        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("cn.gd.gz = ") }.joined(separator: "\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let listed = try tree.command(["children", "list", "--config", config])
        #expect(listed.output.contains("cn.gd.gz  NOT configured") && listed.output.contains("cn.gd.sz  configured"), "\(listed.output)")
        let removed = try tree.command(["children", "remove", "cn.gd.gz", "--config", config])
        #expect(removed.status == 0, "\(removed.output)")
        #expect(removed.output.contains("removed cn.gd.gz from cn.gd") && removed.output.contains("a pending resync request")
                && removed.output.contains("1 error-queue entry"), "\(removed.output)")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_peer WHERE node = 'cn.gd.gz'") == "0")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_rejected WHERE peer = 'cn.gd.gz'") == "0")
        #expect(try SQLiteShell.value(province, "SELECT name FROM customer WHERE id = 'GZ-1'") == "Canton Steel", "its rows are kept")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_peer WHERE node = 'cn.gd.sz'") == "1", "the other child is untouched")
        let again = try tree.command(["children", "remove", "cn.gd.gz", "--config", config])
        #expect(again.status != 0 && again.output.contains("has no record of cn.gd.gz"), "\(again.output)")
    }
}
