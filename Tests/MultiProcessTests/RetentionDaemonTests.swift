import Foundation
import Testing
import TierSyncTestTraits

/// Real daemons purging acknowledged history as their configuration says, and `status`
/// showing how far.
@Suite(.serialized, .daemons)
struct RetentionDaemonTests {
    /// The log size and retention horizon `status --json` reports for `id`.
    private func logReport(_ tree: TestTree, _ id: String) throws -> (deleted: Int, purgedThrough: Int, heldBy: String?) {
        let result = try tree.command(["status", "--config", tree.nodes[id]!.config, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let log = report?["log"] as? [String: Any]
        let retention = report?["retention"] as? [String: Any]
        return (log?["deleted"] as? Int ?? -1, log?["purgedThrough"] as? Int ?? -1, retention?["heldBy"] as? String)
    }

    @Test func deletionsLeaveEveryLogOnceAcknowledgedAndTheKeyCanBeWrittenAgain() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"], extra: "[retention]\ngrace = 0\nevery = 1\n")
        try await tree.start()
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, name, scope) VALUES ('R-1', 'Port', 'cn.gd.sz'), ('R-2', 'Bank', 'cn.gd.sz'), ('R-3', 'Mine', 'cn.gd.sz');
            DELETE FROM customer WHERE id IN ('R-1', 'R-2');
            """)
        let arrived = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn"), "SELECT group_concat(id) FROM customer") == "R-3"
        }
        #expect(arrived, "the group should hold R-3 only: \(tree.log("cn"))")
        for id in ["cn", "cn.gd", "cn.gd.sz"] {
            let purged = try await tree.eventually {
                let report = try logReport(tree, id)
                return report.deleted == 0 && report.purgedThrough > 0
            }
            let report = try logReport(tree, id)
            #expect(purged, "\(id) still holds its tombstones: \(report); \(tree.log(id))")
        }
        let text = try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config])
        #expect(text.output.contains("purge     purged through"), "\(text.output)")

        try SQLiteShell.run(tree.database("cn.gd.sz"), "INSERT INTO customer(id, name, scope) VALUES ('R-1', 'Port again', 'cn.gd.sz');")
        let again = try await tree.eventually {
            try SQLiteShell.value(tree.database("cn"), "SELECT name FROM customer WHERE id = 'R-1'") == "Port again"
        }
        #expect(again, "a key written again after its tombstone was purged should reach the group: \(tree.log("cn"))")
    }
}
