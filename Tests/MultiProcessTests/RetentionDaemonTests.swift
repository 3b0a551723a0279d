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

    /// A city restored from a copy taken before a deletion its province has since purged:
    /// its resync drops the row instead of pushing it back up.
    @Test func aCityRestoredFromBeforeAPurgedDeletionDropsTheRowInsteadOfBringingItBack() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"], extra: "[retention]\ngrace = 0\nevery = 1\n")
        try await tree.start()
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn'), ('P-2', 'Cloud', 'cn');")
        let city = tree.database("cn.gd.sz")
        let arrived = try await tree.eventually { try SQLiteShell.value(city, "SELECT count(*) FROM product") == "2" }
        #expect(arrived, "the products did not reach the city: \(tree.log("cn.gd.sz"))")
        let backup = tree.directory.appendingPathComponent("city-backup.sqlite").path
        let taken = try tree.command(["backup", "--config", tree.nodes["cn.gd.sz"]!.config, "--to", backup])
        #expect(taken.status == 0, "\(taken.output)")

        try SQLiteShell.run(tree.database("cn"), "DELETE FROM product WHERE id = 'P-1';")
        for id in ["cn", "cn.gd"] {
            let purged = try await tree.eventually {
                let report = try logReport(tree, id)
                let atCity = try SQLiteShell.value(city, "SELECT group_concat(id) FROM product")
                return report.deleted == 0 && report.purgedThrough > 0 && atCity == "P-2"
            }
            let report = try logReport(tree, id)
            #expect(purged, "\(id) did not purge the deletion once the city had it: \(report)")
        }

        tree.stop("cn.gd.sz")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: city + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: city)
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM product") == "2", "the copy holds the deleted product")
        try await tree.start(["cn.gd.sz"])
        let repaired = try await tree.eventually { try SQLiteShell.value(city, "SELECT group_concat(id) FROM product") == "P-2" }
        #expect(repaired, "the restored city kept the purged product: \(tree.log("cn.gd.sz"))")
        // Nothing came back above: wait a few rounds, then look.
        try await Task.sleep(for: .seconds(2))
        for id in ["cn", "cn.gd"] {
            #expect(try SQLiteShell.value(tree.database(id), "SELECT group_concat(id) FROM product") == "P-2", "P-1 came back at \(id)")
        }
    }
}
