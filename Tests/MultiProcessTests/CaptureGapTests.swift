import Foundation
import Testing
import TierSyncTestTraits

/// Capture triggers that someone drops: the running daemon finds them missing within
/// seconds, reinstalls them, and reports the gap (writes made meanwhile were not captured)
/// in `status`, its log and its status page until a resync clears it; the resync keeps
/// those writes and sends them on. A daemon that starts on a file whose triggers were
/// dropped meanwhile reports it too, until a resync or an acknowledgement.
@Suite(.serialized, .daemons)
struct CaptureGapTests {
    static func present(_ database: String, _ trigger: String) throws -> Bool {
        try SQLiteShell.value(database, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = '\(trigger)'") == "1"
    }

    @Test func droppedTriggerIsReinstalledReportedAndClearedByAResyncThatKeepsTheWrite() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd"), config = tree.nodes["cn.gd.sz"]!.config
        try SQLiteShell.run(city, "INSERT INTO customer(id, name, status, scope) VALUES ('SZ-1', 'Shenzhen Ports', 'active', 'cn.gd.sz'), ('SZ-2', 'Bay Tech', 'active', 'cn.gd.sz');")
        let synced = try await tree.eventually(30) { try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "2" }
        #expect(synced, "\(tree.log("cn.gd.sz"))")

        try SQLiteShell.run(city, "DROP TRIGGER _ts_customer_update; UPDATE customer SET name = 'not captured' WHERE id = 'SZ-1';")
        let reinstalled = try await tree.eventually(15) { try Self.present(city, "_ts_customer_update") }
        #expect(reinstalled, "\(tree.log("cn.gd.sz"))")
        let logged = try await tree.eventually(5) { tree.log("cn.gd.sz").contains("capture triggers were missing; reinstalled") }
        #expect(logged && tree.log("cn.gd.sz").contains("capture.triggers=_ts_customer_update"), "\(tree.log("cn.gd.sz"))")

        let status = try tree.command(["status", "--config", config])
        #expect(status.output.contains("ERROR     capture trigger(s) _ts_customer_update were missing"), "\(status.output)")
        #expect(status.output.contains("tiersync resync --config FILE"), "\(status.output)")
        let json = try tree.command(["status", "--config", config, "--json"])
        let gap = (try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["captureGap"] as? [String: Any]
        #expect(gap?["triggers"] as? [String] == ["_ts_customer_update"], "\(json.output)")
        let page = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "5", tree.url("cn.gd.sz", "/")]).output
        #expect(page.contains(#"id="capture-gap""#) && page.contains("_ts_customer_update"), "\(page)")
        // The city's summary carries it up: its row on the province's page shows it.
        let reported = try await tree.eventually(15) {
            try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "5", tree.url("cn.gd", "/")]).output.contains("_ts_customer_update")
        }
        #expect(reported, "\(tree.log("cn.gd.sz"))")

        // Writes after the reinstall are captured again.
        try SQLiteShell.run(city, "UPDATE customer SET name = 'Bay Tech Group' WHERE id = 'SZ-2';")
        let flowing = try await tree.eventually(30) { try SQLiteShell.value(province, "SELECT name FROM customer WHERE id = 'SZ-2'") == "Bay Tech Group" }
        #expect(flowing, "\(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(province, "SELECT name FROM customer WHERE id = 'SZ-1'") == "Shenzhen Ports", "the uncaptured write did not flow")

        // A resync of every table keeps the uncaptured write, sends it on, and clears the error.
        let resync = try tree.command(["resync", "--config", config])
        #expect(resync.status == 0 && resync.output.contains("1 updated"), "\(resync.output)")
        #expect(try SQLiteShell.value(city, "SELECT name FROM customer WHERE id = 'SZ-1'") == "not captured")
        #expect(try SQLiteShell.value(province, "SELECT name FROM customer WHERE id = 'SZ-1'") == "not captured", "the resync's last round pushed it")
        let cleared = try tree.command(["status", "--config", config, "--json"])
        #expect(!cleared.output.contains("captureGap"), "\(cleared.output)")
    }

    @Test func resyncAfterAGapSendsTheCitysUpdateDeletionAndInsertUpTheTree() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd"), group = tree.database("cn"), config = tree.nodes["cn.gd.sz"]!.config
        try SQLiteShell.run(city, "INSERT INTO customer(id, name, status, scope) VALUES ('SZ-1', 'Shenzhen Ports', 'active', 'cn.gd.sz'), ('SZ-2', 'Bay Tech', 'active', 'cn.gd.sz');")
        let synced = try await tree.eventually(30) { try SQLiteShell.value(group, "SELECT count(*) FROM customer") == "2" }
        #expect(synced, "\(tree.log("cn.gd.sz"))\n\(tree.log("cn.gd"))")

        // With the daemon down (it would reinstall them within 2 s), the triggers go and three writes are made.
        tree.stop("cn.gd.sz")
        try SQLiteShell.run(city, """
            DROP TRIGGER _ts_customer_insert; DROP TRIGGER _ts_customer_update; DROP TRIGGER _ts_customer_delete;
            UPDATE customer SET name = 'Shenzhen Ports Group', status = 'vip' WHERE id = 'SZ-1';
            DELETE FROM customer WHERE id = 'SZ-2';
            INSERT INTO customer(id, name, status, scope) VALUES ('SZ-3', 'Pearl Logistics', 'active', 'cn.gd.sz');
            """)
        try await tree.start(["cn.gd.sz"])
        #expect(try Self.present(city, "_ts_customer_update"), "the daemon reinstalls the triggers when it opens the file")
        #expect(try tree.command(["status", "--config", config]).output.contains("ERROR     capture trigger(s) _ts_customer_delete, _ts_customer_insert, _ts_customer_update were missing"))
        // Normal sync does not see the update or the deletion.
        try await Task.sleep(for: .seconds(2))
        #expect(try SQLiteShell.value(province, "SELECT name || '/' || status FROM customer WHERE id = 'SZ-1'") == "Shenzhen Ports/active")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM customer WHERE id = 'SZ-2'") == "1")

        let resync = try tree.command(["resync", "--config", config])
        #expect(resync.status == 0 && resync.output.contains("1 updated") && resync.output.contains("1 lost rows deleted"), "\(resync.output)")
        #expect(try SQLiteShell.value(city, "SELECT name || '/' || status FROM customer WHERE id = 'SZ-1'") == "Shenzhen Ports Group/vip")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM customer WHERE id = 'SZ-2'") == "0")
        for node in [province, group] {
            let arrived = try await tree.eventually(30) {
                try SQLiteShell.value(node, "SELECT group_concat(id || '=' || name || '/' || status, ' ') FROM (SELECT * FROM customer ORDER BY id)")
                    == "SZ-1=Shenzhen Ports Group/vip SZ-3=Pearl Logistics/active"
            }
            let held = try SQLiteShell.value(node, "SELECT group_concat(id || '=' || name, ' ') FROM customer")
            #expect(arrived, "\(node): \(held)\n\(tree.log("cn.gd.sz"))")
        }
        let cleared = try tree.command(["status", "--config", config])
        #expect(cleared.status == 0 && !cleared.output.contains("capture trigger"), "\(cleared.output)")
        #expect(!(try tree.command(["status", "--config", config, "--json"]).output.contains("captureGap")))
    }

    @Test func triggerDroppedWhileTheDaemonWasDownIsReportedAtStartUntilAcknowledged() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start()
        let province = tree.database("cn.gd"), config = tree.nodes["cn.gd"]!.config
        try SQLiteShell.run(province, "INSERT INTO marketing_plan(id, title, scope) VALUES ('PL-1', 'Q4', 'cn.gd');")
        let synced = try await tree.eventually(30) { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM marketing_plan") == "1" }
        #expect(synced)
        tree.stop("cn.gd")
        try SQLiteShell.run(province, "DROP TRIGGER _ts_marketing_plan_delete; DELETE FROM marketing_plan WHERE id = 'PL-1';")
        try await tree.start(["cn.gd"])
        #expect(try Self.present(province, "_ts_marketing_plan_delete"))
        let logged = try await tree.eventually(5) { tree.log("cn.gd").contains("capture gap") }
        #expect(logged && tree.log("cn.gd").contains("_ts_marketing_plan_delete"), "\(tree.log("cn.gd"))")
        let status = try tree.command(["status", "--config", config])
        #expect(status.output.contains("ERROR     capture trigger(s) _ts_marketing_plan_delete were missing"), "\(status.output)")

        let acknowledged = try tree.command(["status", "--config", config, "--acknowledge-capture-gap"])
        #expect(acknowledged.status == 0 && !acknowledged.output.contains("ERROR"), "\(acknowledged.output)")
        #expect(!(try tree.command(["status", "--config", config]).output.contains("ERROR")))
    }
}
