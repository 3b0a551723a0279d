import Foundation
import Testing
import TierSyncAuth
import TierSyncModel
import TierSyncTestTraits

/// Consolidation reports from real daemons: cities write revenue with the sqlite3 shell,
/// and the group's and a province's reports follow once the changes have synced.
@Suite(.serialized, .daemons)
struct ReportTests {
    /// Runs curl and returns the body, or the verbose exchange with `-sv`.
    static func curl(_ arguments: [String]) throws -> String {
        try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "20"] + arguments).output
    }

    /// A report as JSON from a node's API.
    static func report(_ tree: TestTree, _ node: String, _ query: String) throws -> [String: Any] {
        let body = try curl([tree.url(node, "/v1/reports/\(query)")])
        return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
    }

    /// A report's rows as text cells.
    static func rows(_ report: [String: Any]) -> [[String]] {
        (report["rows"] as? [[Any]] ?? []).map { $0.map { "\($0)" } }
    }

    @Test func theGroupsReportsFollowWhatCitiesWrite() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz", "cn.js", "cn.js.nj"])
        try tree.configure("cn", "[node]\nchildren = \"cn.gd, cn.js, cn.sh\"")
        try await tree.start()
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, unified_code, name, classes, industry, scope) VALUES ('SZ-1', 'BC-1', 'Shenzhen Bank', 'important', 'finance', 'cn.gd.sz');
            INSERT INTO revenue VALUES ('SZ-1', '2026-09', 'data', 100000, 'cn.gd.sz'), ('SZ-1', '2026-10', 'data', 120000, 'cn.gd.sz');
            """)
        try SQLiteShell.run(tree.database("cn.gd.gz"), """
            INSERT INTO customer(id, name, classes, industry, scope) VALUES ('GZ-1', 'Guangzhou Port', 'high-value', 'transport', 'cn.gd.gz');
            INSERT INTO revenue VALUES ('GZ-1', '2026-10', 'line', 30000, 'cn.gd.gz');
            """)
        try SQLiteShell.run(tree.database("cn.js.nj"), """
            INSERT INTO customer(id, name, classes, industry, scope) VALUES ('NJ-1', 'Nanjing Grid', 'high-value', 'energy', 'cn.js.nj');
            INSERT INTO revenue VALUES ('NJ-1', '2026-10', 'voice', 50000, 'cn.js.nj');
            """)
        let arrived = try await tree.eventually {
            Self.rows(try Self.report(tree, "cn", "revenue?period=2026-10")) == [["cn.gd", "150000", "2"], ["cn.js", "50000", "1"]]
        }
        #expect(arrived, "the group's report did not reach the cities' figures: \((try? Self.report(tree, "cn", "revenue?period=2026-10")) ?? [:])")

        // A city changes a figure and adds one: the group's report follows.
        try SQLiteShell.run(tree.database("cn.js.nj"), """
            UPDATE revenue SET amount_fen = 80000 WHERE customer_id = 'NJ-1';
            INSERT INTO revenue VALUES ('NJ-1', '2026-10', 'data', 5000, 'cn.js.nj');
            """)
        let followed = try await tree.eventually {
            Self.rows(try Self.report(tree, "cn", "revenue?by=province,category")) == [
                ["cn.gd", "data", "120000", "1"], ["cn.gd", "line", "30000", "1"], ["cn.js", "data", "5000", "1"], ["cn.js", "voice", "80000", "1"],
            ]
        }
        #expect(followed, "\((try? Self.report(tree, "cn", "revenue?by=province,category")) ?? [:])")

        // ARPU at the group: 235000 over 3 customers (78333), accounts likewise; growth of cn.gd: 150000 on 100000.
        let arpu = try Self.report(tree, "cn", "arpu?by=none")
        #expect(Self.rows(arpu) == [["235000", "3", "3", "78333", "78333"]], "\(arpu)")
        let growth = try Self.report(tree, "cn", "growth")
        #expect(Self.rows(growth).first == ["cn.gd", "150000", "100000", "50000", "50"], "\(growth)")
        let top = try Self.report(tree, "cn", "top?limit=1")
        #expect(Self.rows(top).first?[1] == "SZ-1")

        // Freshness: cn.gd and cn.js current, nothing waiting; cn.sh expected but never heard from.
        let freshness = try Self.report(tree, "cn", "freshness")
        let states = (freshness["freshness"] as? [[String: Any]] ?? []).map { "\($0["node"]!)=\($0["state"]!)" }
        #expect(states == ["cn.gd=current", "cn.js=current", "cn.sh=missing"], "\(freshness)")
        let reported = try await tree.eventually {
            let children = try Self.report(tree, "cn", "freshness")["freshness"] as? [[String: Any]] ?? []
            return children.first { $0["node"] as? String == "cn.gd" }.map { $0["backlog"] as? Int == 0 && $0["newestChange"] != nil } ?? false
        }
        #expect(reported, "cn.gd's backlog and newest change never reached the group: \((try? Self.report(tree, "cn", "freshness")) ?? [:])")

        // A province reports its own subtree, by city by default.
        let province = try Self.report(tree, "cn.gd", "revenue")
        #expect(Self.rows(province) == [["cn.gd.gz", "30000", "1"], ["cn.gd.sz", "120000", "1"]], "\(province)")

        // The command line reads the same figures from the file, as CSV.
        let csv = try tree.command(["report", "revenue", "--config", tree.nodes["cn"]!.config, "--period", "2026-10", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.output)")
        #expect(csv.output.contains("province,revenue_fen,lines\r\ncn.gd,150000,2\r\ncn.js,85000,2\r\ntotal,235000,4\r\n"), "\(csv.output)")
        #expect(csv.output.contains("# cn.sh missing: never in contact"), "\(csv.output)")
        let table = try tree.command(["report", "customers", "--config", tree.nodes["cn"]!.config, "--by", "class"])
        #expect(table.output.contains("high-value") && table.output.contains("freshness"), "\(table.output)")

        // CSV over HTTP, a city's refusal and a bad query's reason.
        let overHTTP = try Self.curl([tree.url("cn", "/v1/reports/customers?format=csv&by=industry")])
        #expect(overHTTP.hasPrefix("industry,customers,accounts\r\nenergy,1,1\r\nfinance,1,1\r\ntransport,1,1\r\n"), "\(overHTTP)")
        let city = try Self.curl(["-i", tree.url("cn.gd.sz", "/v1/reports/revenue")])
        #expect(city.contains("404") && city.contains("reports_not_served"), "\(city)")
        let bad = try Self.curl(["-i", tree.url("cn", "/v1/reports/revenue?by=class,industry")])
        #expect(bad.contains("400") && bad.contains("cannot be broken down by industry or category as well"), "\(bad)")
    }

    @Test func summariesAreCheckedAgainstTheSendersSubtree() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let curl = SignedCurl(tree: tree)
        func post(_ body: String, signer: String = "cn.gd", key: NodeKey? = nil) throws -> SignedCurl.Answer {
            try curl.call("cn", "POST", "/v1/summary", body: body, signer: signer, key: key).0
        }
        let summary = { (node: String) in #"{"node":"\#(node)","madeAt":"2026-11-23T12:00:00Z","logHead":1,"rejected":0,"openConflicts":0,"conflicts":0}"# }
        let accepted = try post(#"{"node":"cn.gd","nodes":[\#(summary("cn.gd")),\#(summary("cn.gd.sz"))]}"#)
        #expect(accepted.status == 200 && accepted.body.contains(#""nodes":2"#), "\(accepted)")
        let outside = try post(#"{"node":"cn.gd","nodes":[\#(summary("cn.gd")),\#(summary("cn.js.nj"))]}"#)
        #expect(outside.status == 400 && outside.body.contains("not in the subtree of cn.gd"), "\(outside)")
        let stranger = try post(#"{"node":"cn.gd.sz","nodes":[\#(summary("cn.gd.sz"))]}"#, key: NodeKey(generatingFor: try NodeID("cn.gd.sz")))
        #expect(stranger.status == 403 && stranger.body.contains("cn.gd.sz is not a child of cn (the group)"), "\(stranger)")
        let impersonating = try post(#"{"node":"cn.js","nodes":[\#(summary("cn.js"))]}"#)
        #expect(impersonating.status == 403 && impersonating.body.contains("speaks for cn.js"), "\(impersonating)")
        let html = try Self.curl([tree.url("cn", "/")])
        #expect(html.contains(#"data-node="cn.gd.sz""#), "the stored summary does not show on the status page: \(html)")
    }
}
