import Foundation
import Testing
import TierSyncTestTraits

/// A tree whose files the previous release made (Tests/Fixtures/previous-release-*.sql,
/// see its README) upgrades in place when this build's daemons first start on it: the
/// city's changes that were not sent yet arrive, once, with their values; what the
/// province and the group held already stays as it was; every file records its
/// migrations, and a second start changes nothing. A file a newer TierSync set up is
/// refused.
@Suite(.serialized, .daemons)
struct UpgradeTests {
    static let ids = ["cn", "cn.gd", "cn.gd.sz"]
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A tree whose files hold the previous release's fixture; no daemon runs yet.
    static func previousReleaseTree() throws -> TestTree {
        let tree = try TestTree(ids)
        for id in ids {
            try SQLiteShell.run(tree.database(id), ".read \(fixtures.appendingPathComponent("previous-release-\(id).sql").path)")
        }
        return tree
    }

    /// Every log entry of `database` (position, table, key, stamp, metadata), in log order.
    static func log(_ database: String) throws -> String {
        try SQLiteShell.value(database, "SELECT group_concat(seq || ' ' || tbl || ' ' || pk || ' ' || hlc || ' ' || meta, char(10)) FROM (SELECT * FROM _ts_log ORDER BY seq)")
    }

    /// The definitions of everything in `database`'s schema.
    static func schema(_ database: String) throws -> String {
        try SQLiteShell.value(database, "SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master ORDER BY name)")
    }

    @Test func unsentCityChangesArriveOnceAfterTheUpgrade() async throws {
        let tree = try Self.previousReleaseTree()
        let city = tree.database("cn.gd.sz"), province = tree.database("cn.gd"), group = tree.database("cn")
        // The fixture: the city's log holds seven entries its parent has not been sent.
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM _ts_log WHERE seq > (SELECT pushed FROM _ts_peer WHERE node = 'cn.gd')") == "7")
        #expect(try SQLiteShell.value(group, "SELECT group_concat(id || '=' || name, ',') FROM (SELECT * FROM customer ORDER BY id)") == "SZ-1=深圳供电局,SZ-2=招商银行,SZ-3=O'Brien & Co")
        let untouched = "SELECT seq || ' ' || hlc || ' ' || meta FROM _ts_log WHERE tbl = 'customer' AND pk = '[\"SZ-3\"]'"
        let sentAtGroup = try SQLiteShell.value(group, untouched), sentAtProvince = try SQLiteShell.value(province, untouched)
        #expect(!sentAtGroup.isEmpty && !sentAtProvince.isEmpty)

        // `status` upgrades nothing: before the first start it asks for one.
        let early = try tree.command(["status", "--config", tree.nodes["cn.gd.sz"]!.config], timeout: 60)
        #expect(early.status != 0 && early.output.contains("has not upgraded it yet; start the node once (tiersync serve)"), "\(early.output)")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM sqlite_master WHERE name IN ('grdb_migrations', '_ts_capture')") == "0")

        try await tree.start()
        let arrived = try await tree.eventually(60) {
            try SQLiteShell.value(group, "SELECT group_concat(id || '=' || name || '/' || manager, ',') FROM (SELECT * FROM customer ORDER BY id)")
                == "SZ-1=深圳供电局（南网）/chen,SZ-3=O'Brien & Co/li,SZ-4=腾讯/chen"
        }
        #expect(arrived, "\(tree.log("cn.gd.sz"))\n\(tree.log("cn.gd"))")
        let revenue = try await tree.eventually(30) {
            try SQLiteShell.value(group, "SELECT group_concat(customer_id || ' ' || period || ' ' || category || ' ' || amount_fen, ',') FROM (SELECT * FROM revenue ORDER BY customer_id)")
                == "SZ-1 2026-10 data 125000,SZ-4 2026-11 line 880000"
        }
        #expect(revenue)
        let atProvince = try await tree.eventually(30) {
            try SQLiteShell.value(province, "SELECT (SELECT group_concat(id, ',') FROM (SELECT id FROM contact ORDER BY id)) || ' ' || (SELECT group_concat(id || '=' || summary) FROM ticket)")
                == "K-1,K-2 T-1=line down"
        }
        #expect(atProvince)
        // Personal data and tickets stop at the province; the catalogue is still at the city, once.
        #expect(try SQLiteShell.value(group, "SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM ticket)") == "0")
        #expect(try SQLiteShell.value(city, "SELECT group_concat(id) FROM product") == "P-1")
        // Only what was unsent arrived: a row sent before the upgrade keeps its entry at the
        // province and the group, nothing was refused or taken for a conflict, and every
        // row has one entry.
        #expect(try SQLiteShell.value(group, untouched) == sentAtGroup)
        #expect(try SQLiteShell.value(province, untouched) == sentAtProvince)
        for id in Self.ids {
            let database = tree.database(id)
            #expect(try SQLiteShell.value(database, "SELECT (SELECT count(*) FROM _ts_rejected) + (SELECT count(*) FROM _ts_conflict)") == "0", "\(id)")
            #expect(try SQLiteShell.value(database, "SELECT count(*) FROM (SELECT tbl, pk FROM _ts_log GROUP BY tbl, pk HAVING count(*) > 1)") == "0", "\(id)")
            #expect(try SQLiteShell.value(database, "SELECT group_concat(identifier) FROM grdb_migrations") == "tiersync-v1-own-tables,tiersync-v2-retention,tiersync-v3-schema-record,tiersync-v4-kept-changes", "\(id)")
        }
        let pushed = try await tree.eventually(30) {
            try SQLiteShell.value(city, "SELECT (SELECT pushed FROM _ts_peer WHERE node = 'cn.gd') = (SELECT max(seq) FROM _ts_log)") == "1"
        }
        #expect(pushed, "the city's push cursor reaches its log head")

        // A second start migrates nothing and changes neither the schema nor the log.
        tree.stop("cn.gd.sz")
        let schema = try Self.schema(city), log = try Self.log(city)
        try await tree.start(["cn.gd.sz"])
        try await Task.sleep(for: .seconds(1))
        #expect(try Self.schema(city) == schema)
        #expect(try Self.log(city) == log)
        #expect(try SQLiteShell.value(city, "SELECT group_concat(identifier) FROM grdb_migrations") == "tiersync-v1-own-tables,tiersync-v2-retention,tiersync-v3-schema-record,tiersync-v4-kept-changes")
    }

    @Test func aDaemonRefusesAFileANewerTierSyncSetUp() async throws {
        let tree = try Self.previousReleaseTree()
        let city = tree.database("cn.gd.sz")
        try SQLiteShell.run(city, """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('tiersync-v1-own-tables'), ('tiersync-v9-from-a-later-release');
            """)
        let schema = try Self.schema(city), log = try Self.log(city)
        let result = try tree.command(["serve", "--config", tree.nodes["cn.gd.sz"]!.config], timeout: 60)
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("\(city) was set up by a newer TierSync: its grdb_migrations records tiersync-v9-from-a-later-release"), "\(result.output)")
        #expect(result.output.contains("run the newer tiersync on it"), "\(result.output)")
        #expect(try Self.schema(city) == schema)
        #expect(try Self.log(city) == log)
        let status = try tree.command(["status", "--config", tree.nodes["cn.gd.sz"]!.config], timeout: 60)
        #expect(status.status != 0 && status.output.contains("was set up by a newer TierSync"), "\(status.output)")
    }
}
