import Foundation
import Testing
import TierSyncTestTraits

/// `tiersync backup` copies a running node's file; a node restored from the copy repairs
/// itself: it starts a new log epoch, resyncs with its parent and takes back what it had
/// sent the parent after the copy, and its later writes flow as before.
@Suite(.serialized, .daemons)
struct BackupTests {
    @Test func aCityRestoredFromItsBackupTakesBackWhatItSentAfterTheCopy() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd"), group = tree.database("cn")
        let config = tree.nodes["cn.gd.sz"]!.config
        try ResyncTests.insertCustomers(city, scope: "cn.gd.sz", prefix: "A", count: 30)
        #expect(try await tree.eventually(60) { try SQLiteShell.value(group, "SELECT count(*) FROM customer") == "30" }, "\(tree.log("cn.gd.sz"))")

        // The copy is taken while the daemon runs; the live file is only read.
        let backup = tree.directory.appendingPathComponent("city-backup.sqlite").path
        let before = try SignedCurl.fingerprint(city)
        let taken = try tree.command(["backup", "--config", config, "--to", backup])
        #expect(taken.status == 0 && taken.output.contains("backed up cn.gd.sz to \(backup)") && taken.output.contains("customer 30"), "\(taken.output)")
        #expect(try SignedCurl.fingerprint(city) == before)
        let again = try tree.command(["backup", "--config", config, "--to", backup])
        #expect(again.status != 0 && again.output.contains("exists; remove it or choose another path"), "\(again.output)")

        // After the copy the city writes more, and edits a row; all of it reaches the group.
        try ResyncTests.insertCustomers(city, scope: "cn.gd.sz", prefix: "B", count: 20)
        try SQLiteShell.run(city, "UPDATE customer SET manager = 'after the copy' WHERE id = 'A-00001'")
        #expect(try await tree.eventually(60) {
            try SQLiteShell.value(group, "SELECT count(*) FROM customer") == "50"
                && SQLiteShell.value(group, "SELECT manager FROM customer WHERE id = 'A-00001'") == "after the copy"
        })
        let epoch = try SQLiteShell.value(city, "SELECT epoch FROM _ts_node")

        // The city is restored from the copy: it has forgotten the 20 rows and the edit.
        tree.stop("cn.gd.sz")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: city + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: city)
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM customer") == "30")
        try await tree.start(["cn.gd.sz"])
        let healed = try await tree.eventually(90) {
            try ResyncTests.customers(city, scope: "cn.gd.sz") == ResyncTests.customers(province, scope: "cn.gd.sz")
                && SQLiteShell.value(city, "SELECT count(*) FROM customer") == "50"
        }
        #expect(healed, "\(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(city, "SELECT manager FROM customer WHERE id = 'A-00001'") == "after the copy")
        #expect(try SQLiteShell.value(city, "SELECT epoch FROM _ts_node") != epoch, "the restored log kept its epoch")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM sqlite_master WHERE name = '_ts_backup'") == "0")
        #expect(tree.log("cn.gd.sz").contains("restored backup"), "\(tree.log("cn.gd.sz"))")

        // Writes after the restore flow up as before, once each.
        try ResyncTests.insertCustomers(city, scope: "cn.gd.sz", prefix: "C", count: 5)
        let flowed = try await tree.eventually(60) { try SQLiteShell.value(group, "SELECT count(*) FROM customer") == "55" }
        #expect(flowed, "\(tree.log("cn.gd.sz"))")
        #expect(try ResyncTests.customers(group, scope: "cn.gd.sz") == ResyncTests.customers(city, scope: "cn.gd.sz"))
    }

    /// A province restored from its backup: its city finds its cursor refused (new epoch)
    /// and resyncs, and the province resyncs with the group; the tree holds every row again.
    @Test func aProvinceRestoredFromItsBackupAndItsCityRepairThemselves() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd"), group = tree.database("cn")
        try ResyncTests.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZ", count: 50)
        #expect(try await tree.eventually(60) { try SQLiteShell.value(group, "SELECT count(*) FROM customer") == "50" })
        let backup = tree.directory.appendingPathComponent("province-backup.sqlite").path
        let taken = try tree.command(["backup", "--config", tree.nodes["cn.gd"]!.config, "--to", backup])
        #expect(taken.status == 0, "\(taken.output)")
        // After the copy: the group writes a product, the city writes more.
        try SQLiteShell.run(group, "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
        try ResyncTests.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZB", count: 20)
        #expect(try await tree.eventually(60) {
            try SQLiteShell.value(city, "SELECT count(*) FROM product") == "1" && SQLiteShell.value(group, "SELECT count(*) FROM customer") == "70"
        })
        tree.stop("cn.gd")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: province + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: province)
        try await tree.start(["cn.gd"])
        let log = try await ResyncTests.expectHealed(tree, customers: 70)
        #expect(log.contains("epoch_changed") || log.contains("resync"), "\(log)")
        #expect(tree.log("cn.gd").contains("restored backup"), "\(tree.log("cn.gd"))")
        #expect(try ResyncTests.customers(group, scope: "cn.gd.sz") == ResyncTests.customers(city, scope: "cn.gd.sz"))
    }
}
