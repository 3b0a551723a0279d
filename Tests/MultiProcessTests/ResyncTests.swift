import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import TierSyncTestTraits
#endif

/// Resync through real daemons: files damaged behind the daemons' backs with the sqlite3
/// shell (triggers dropped, rows changed, deleted and added, triggers recreated), repaired
/// by `tiersync resync`, by the parent's request, and by a child that finds its cursor
/// broken; and a resync killed halfway that continues when run again.
@Suite(.serialized, .daemons)
struct ResyncTests {
    /// Rows of `customer` owned by `scope`, as comparable text.
    static func customers(_ database: String, scope: String) throws -> String {
        try SQLiteShell.value(database, """
            SELECT count(*) || ':' || coalesce(group_concat(line, ','), '') FROM (SELECT id || '=' || name || '/' || coalesce(manager, '-') AS line
            FROM customer WHERE scope = '\(scope)' ORDER BY id)
            """)
    }

    /// Runs `sql` in the file with `table`'s capture triggers dropped, then recreates them.
    static func behindTheBack(_ database: String, tables: [String], _ sql: String) throws {
        var triggers: [String] = []
        for table in tables {
            let text = try SQLiteShell.run(database, "SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger' AND name IN ('_ts_\(table)_insert', '_ts_\(table)_update', '_ts_\(table)_delete')")
            #expect(text.split(separator: "\n").filter { $0.hasPrefix("CREATE TRIGGER") }.count == 3, "not the three capture triggers on \(table): \(text)")
            triggers.append(text)
        }
        let drops = tables.flatMap { table in ["insert", "update", "delete"].map { "DROP TRIGGER _ts_\(table)_\($0);" } }
        try SQLiteShell.run(database, "BEGIN; " + drops.joined(separator: " ") + "\n" + sql + "\n" + triggers.joined(separator: "\n") + "\nCOMMIT;")
    }

    static func insertCustomers(_ database: String, scope: String, prefix: String, count: Int) throws {
        try SQLiteShell.run(database, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
            INSERT INTO customer(id, name, manager, status, scope)
            SELECT printf('\(prefix)-%05d', i), 'customer ' || i, 'mgr-' || (i % 7), 'active', '\(scope)' FROM n;
            """)
    }

    static func json(_ output: String) -> [String: Any] {
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    @Test func damagedCityIsRepairedAgainstItsProvince() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd")
        try Self.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZ", count: 400)
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn'), ('P-2', 'Cloud', 'cn');")
        let synced = try await tree.eventually(60) {
            try Self.customers(province, scope: "cn.gd.sz") == Self.customers(city, scope: "cn.gd.sz")
                && SQLiteShell.value(city, "SELECT count(*) FROM product") == "2"
        }
        #expect(synced, "the tree did not converge: \(tree.log("cn.gd.sz"))")
        let expected = try Self.customers(province, scope: "cn.gd.sz")

        try Self.behindTheBack(city, tables: ["customer", "product"], """
            UPDATE customer SET name = 'edited behind the back' WHERE id IN ('SZ-00001', 'SZ-00002', 'SZ-00150');
            DELETE FROM customer WHERE id IN ('SZ-00010', 'SZ-00011', 'SZ-00300');
            INSERT INTO customer(id, name, scope) VALUES ('SZ-NEW-1', 'added behind the back', 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('GZ-STRAY', 'not ours', 'cn.gd.gz');
            DELETE FROM product WHERE id = 'P-2';
            """)
        #expect(try Self.customers(city, scope: "cn.gd.sz") != expected)

        // A dry run says what it would do and changes nothing.
        let dry = try tree.command(["resync", "--config", tree.nodes["cn.gd.sz"]!.config, "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.output)")
        let look = Self.json(dry.output)
        #expect(look["dryRun"] as? Bool == true && look["path"] as? String == "digest", "\(dry.output)")
        #expect((look["counts"] as? [String: Any])?["pulled"] as? Int == 7, "\(dry.output)")
        #expect(try Self.customers(city, scope: "cn.gd.sz") != expected)

        let run = try tree.command(["resync", "--config", tree.nodes["cn.gd.sz"]!.config, "--json"])
        #expect(run.status == 0, "resync failed: \(run.output)")
        let report = Self.json(run.output)
        #expect(report["path"] as? String == "digest", "\(run.output)")
        let counts = report["counts"] as? [String: Any] ?? [:]
        #expect(counts["pulled"] as? Int == 7, "\(run.output)")
        #expect(counts["quarantined"] as? Int == 1, "\(run.output)")

        // The city holds what its province holds, plus its adopted row, which reached the province.
        let adopted = try await tree.eventually(30) {
            try SQLiteShell.value(province, "SELECT name FROM customer WHERE id = 'SZ-NEW-1'") == "added behind the back"
        }
        #expect(adopted, "the adopted row did not reach the province: \(tree.log("cn.gd"))")
        #expect(try Self.customers(city, scope: "cn.gd.sz") == Self.customers(province, scope: "cn.gd.sz"))
        #expect(try Self.customers(city, scope: "cn.gd.sz").hasPrefix("401:"))
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM customer WHERE scope <> 'cn.gd.sz'") == "0")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM product") == "2")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM _ts_rejected WHERE reason LIKE '%GZ-STRAY%'") == "1")
        // The stray row was evicted here, not deleted anywhere else.
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_log WHERE pk = '[\"GZ-STRAY\"]'") == "0")

        // Nothing differs any more: the next resync replays and confirms.
        let again = try tree.command(["resync", "--config", tree.nodes["cn.gd.sz"]!.config])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("path      replay"), "\(again.output)")
        // A full comparison of one table finds nothing either.
        let full = try tree.command(["resync", "--config", tree.nodes["cn.gd.sz"]!.config, "--full", "--table", "customer", "--json"])
        let fullReport = Self.json(full.output)
        #expect(full.status == 0 && fullReport["path"] as? String == "full", "\(full.output)")
        #expect((fullReport["counts"] as? [String: Any])?["compared"] as? Int == 401, "\(full.output)")
        #expect((fullReport["counts"] as? [String: Any])?["same"] as? Int == 401, "\(full.output)")
        let unknown = try tree.command(["resync", "--config", tree.nodes["cn.gd.sz"]!.config, "--table", "nope"])
        #expect(unknown.status != 0 && unknown.output.contains("not synced here"), "\(unknown.output)")
    }

    @Test func damagedProvinceIsRepairedAgainstTheGroup() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"])
        try await tree.start()
        try Self.insertCustomers(tree.database("cn.gd.sz"), scope: "cn.gd.sz", prefix: "SZ", count: 200)
        try Self.insertCustomers(tree.database("cn.gd.gz"), scope: "cn.gd.gz", prefix: "GZ", count: 200)
        let province = tree.database("cn.gd"), group = tree.database("cn")
        let synced = try await tree.eventually(60) {
            try SQLiteShell.value(group, "SELECT count(*) FROM customer") == "400"
        }
        #expect(synced)
        let expected = try Self.customers(group, scope: "cn.gd.sz") + Self.customers(group, scope: "cn.gd.gz")
        try Self.behindTheBack(province, tables: ["customer"], """
            UPDATE customer SET manager = 'wrong' WHERE id IN ('SZ-00003', 'GZ-00004');
            DELETE FROM customer WHERE id IN ('SZ-00100', 'GZ-00101', 'GZ-00102');
            """)
        let run = try tree.command(["resync", "--config", tree.nodes["cn.gd"]!.config])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("path      digest"), "\(run.output)")
        #expect(try Self.customers(province, scope: "cn.gd.sz") + Self.customers(province, scope: "cn.gd.gz") == expected)
        // The cities, which never lost anything, still agree with their province.
        #expect(try Self.customers(tree.database("cn.gd.gz"), scope: "cn.gd.gz") == Self.customers(province, scope: "cn.gd.gz"))
        // One digest comparison per table confirms the whole province against the group.
        let check = try tree.command(["resync", "--config", tree.nodes["cn.gd"]!.config, "--dry-run", "--json"])
        let report = Self.json(check.output)
        #expect(report["path"] as? String == "replay" && (report["differingTables"] as? [String])?.isEmpty == true, "\(check.output)")
    }

    @Test func resyncKilledHalfwayContinuesWhereItStopped() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"], extra: "[sync]\nbatch = 20\n")
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd")
        try Self.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZ", count: 3000)
        let synced = try await tree.eventually(120) {
            try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "3000"
        }
        #expect(synced)
        let expected = try Self.customers(province, scope: "cn.gd.sz")
        tree.stop("cn.gd.sz")
        try Self.behindTheBack(city, tables: ["customer"], "UPDATE customer SET name = 'damaged' WHERE CAST(substr(id, 4) AS INTEGER) % 2 = 0;")

        // Start a resync and kill it once it has repaired some ranges.
        let process = Process()
        process.executableURL = TestTree.executable
        process.arguments = ["resync", "--config", tree.nodes["cn.gd.sz"]!.config]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, seen.components(separatedBy: "repairing").count < 4, process.isRunning {
            seen += String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        }
        Glibc.kill(process.processIdentifier, SIGKILL)
        TestTree.awaitExit(process, seconds: 10)
        #expect(seen.contains("repairing"), "the resync showed no progress before it was killed: \(seen)")
        let repairedAtKill = Int(try SQLiteShell.value(city, "SELECT 1500 - count(*) FROM customer WHERE name = 'damaged'")) ?? 0
        #expect(repairedAtKill > 0 && repairedAtKill < 1500, "killed after \(repairedAtKill) rows: \(seen)")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM _ts_resync WHERE finished = 0") == "1")

        let again = try tree.command(["resync", "--config", tree.nodes["cn.gd.sz"]!.config, "--json"])
        #expect(again.status == 0, "\(again.output)")
        let report = Self.json(again.output)
        #expect(report["resumed"] as? Bool == true, "\(again.output)")
        #expect((report["rangesSkipped"] as? Int ?? 0) > 0, "\(again.output)")
        #expect(try Self.customers(city, scope: "cn.gd.sz") == expected)
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM _ts_resync") == "0")
    }

    @Test func parentAsksAChildToResync() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd")
        try Self.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZ", count: 100)
        let synced = try await tree.eventually(60) { try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "100" }
        #expect(synced)
        let expected = try Self.customers(province, scope: "cn.gd.sz")
        try Self.behindTheBack(city, tables: ["customer"], "DELETE FROM customer WHERE id IN ('SZ-00005', 'SZ-00006'); UPDATE customer SET name = 'x' WHERE id = 'SZ-00007';")
        let bad = try tree.command(["resync", "--config", tree.nodes["cn.gd"]!.config, "--node", "cn.js.nj"])
        #expect(bad.status != 0 && bad.output.contains("not a configured child of cn.gd"), "\(bad.output)")
        let asked = try tree.command(["resync", "--config", tree.nodes["cn.gd"]!.config, "--node", "cn.gd.sz"])
        #expect(asked.status == 0, "\(asked.output)")
        let repaired = try await tree.eventually(30) { try Self.customers(city, scope: "cn.gd.sz") == expected }
        #expect(repaired, "the city did not resync on request: \(tree.log("cn.gd.sz"))")
        // The rows land before the daemon logs its report and the province clears its request.
        let reported = try await tree.eventually(30) {
            try tree.log("cn.gd.sz").contains("] resync")
                && SQLiteShell.value(province, "SELECT resync FROM _ts_peer WHERE node = 'cn.gd.sz'") == "0"
        }
        #expect(reported, "no resync report, or the request still set: \(tree.log("cn.gd.sz"))")
    }

    @Test func childNoticesItsParentWasRestoredFromABackup() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd"), group = tree.database("cn")
        try Self.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZ", count: 50)
        let first = try await tree.eventually(60) { try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "50" }
        #expect(first)
        let backup = tree.directory.appendingPathComponent("province-backup.sqlite").path
        try SQLiteShell.run(province, ".backup '\(backup)'")
        // After the backup: the group writes a product and edits a city customer; the city writes more.
        try SQLiteShell.run(group, "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
        try Self.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZB", count: 20)
        let second = try await tree.eventually(60) {
            try SQLiteShell.value(city, "SELECT count(*) FROM product") == "1" && SQLiteShell.value(group, "SELECT count(*) FROM customer") == "70"
        }
        #expect(second)
        // The province is restored from its backup: it forgets what it served since.
        tree.stop("cn.gd")
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: province + suffix) }
        try FileManager.default.removeItem(atPath: province)
        try FileManager.default.copyItem(atPath: backup, toPath: province)
        try await tree.start(["cn.gd"])
        // The city's cursor lies beyond what the restored log served it: it resyncs by itself.
        let log = try await Self.expectHealed(tree, customers: 70)
        #expect(log.contains("resync"), "\(log)")
        #expect(!log.contains("path=full"), "\(log)")
    }

    /// Waits until the province again holds the city's `customers` and the group's product,
    /// and the city has logged its resync (the rows land before the report is logged), and
    /// checks that the city noticed the broken cursor; returns the city's log.
    @discardableResult
    static func expectHealed(_ tree: TestTree, customers: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd")
        let healed = try await tree.eventually(60) {
            try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "\(customers)"
                && Self.customers(province, scope: "cn.gd.sz") == Self.customers(city, scope: "cn.gd.sz")
                && SQLiteShell.value(province, "SELECT count(*) FROM product") == "1"
                && tree.log("cn.gd.sz").contains("] resync")
        }
        let held = try SQLiteShell.value(province, "SELECT count(*) FROM customer")
        #expect(healed, "province holds \(held) customers; city log: \(tree.log("cn.gd.sz"))", sourceLocation: sourceLocation)
        #expect(tree.log("cn.gd.sz").contains("no longer holds this node's cursor"), "\(tree.log("cn.gd.sz"))", sourceLocation: sourceLocation)
        // One resync sets the cursor anew for good: the rounds after it are not refused again.
        try await Task.sleep(for: .seconds(2))
        let log = tree.log("cn.gd.sz")
        let resyncs = log.components(separatedBy: "] resync done").count - 1
        #expect(resyncs == 1, "the city resynced \(resyncs) times: \(log)", sourceLocation: sourceLocation)
        return log
    }

    @Test func childNoticesItsParentsDatabaseWasReplaced() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd")
        try Self.insertCustomers(city, scope: "cn.gd.sz", prefix: "SZ", count: 60)
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
        let first = try await tree.eventually(60) {
            try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "60" && SQLiteShell.value(city, "SELECT count(*) FROM product") == "1"
        }
        #expect(first)
        // The province's file is replaced by an empty one: a new log with a new epoch.
        tree.stop("cn.gd")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: province + suffix) }
        try await tree.start(["cn.gd"])
        try await Self.expectHealed(tree, customers: 60)
        // The city's pull cursor now refers to the new log.
        let epoch = try SQLiteShell.value(province, "SELECT epoch FROM _ts_node")
        let settled = try await tree.eventually(30) { try SQLiteShell.value(city, "SELECT epoch FROM _ts_peer WHERE node = 'cn.gd'") == epoch }
        #expect(settled)
    }
}
