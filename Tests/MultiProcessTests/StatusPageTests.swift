import Foundation
import Testing
import TierSyncTestTraits

/// The status page as a browser shows it, and the metrics as Prometheus scrapes them, from
/// real daemons.
@Suite(.serialized, .daemons)
struct StatusPageTests {
    /// Debian's headless browser, if installed.
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The page's DOM after the browser has loaded and rendered it. A browser that did not
    /// get as far as the page's title (killed by the time limit on a loaded machine, or its
    /// renderer lost) is started once more.
    static func dom(_ url: String, profile: URL) throws -> String {
        guard let chromium else {
            throw SQLiteShell.Failure(description: "chromium is not installed; .ci/run installs Debian's chromium package (apt-get install chromium)")
        }
        var output = ""
        for attempt in 1...2 {
            // Shared memory in /tmp rather than /dev/shm, which containers keep small.
            let result = try TestTree.run(URL(fileURLWithPath: "/usr/bin/timeout"), [
                "120", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--user-data-dir=\(profile.path)-\(attempt)", "--dump-dom", url,
            ])
            output = result.output
            if output.contains("<title>") { break }
        }
        return output
    }

    @Test(.enabled(if: chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "chromium is not installed here (apt-get install chromium); CI installs it and runs this test"))
    func aBrowserShowsTheTreeAndTheHeadlineFigures() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try tree.configure("cn", "[node]\nchildren = \"cn.gd, cn.js\"")
        try tree.configure("cn.gd", "[status]\nstale_after = 2")
        try await tree.start()
        try SQLiteShell.run(tree.database("cn.gd.sz"), """
            INSERT INTO customer(id, name, classes, industry, scope) VALUES ('SZ-1', 'Shenzhen Bank', 'important', 'finance', 'cn.gd.sz');
            INSERT INTO revenue VALUES ('SZ-1', '2026-09', 'data', 100000, 'cn.gd.sz'), ('SZ-1', '2026-10', 'data', 123456, 'cn.gd.sz');
            """)
        // The city's summary reaches the group through the province.
        let reported = try await tree.eventually {
            let html = try ReportTests.curl([tree.url("cn", "/")])
            return html.contains(#"data-node="cn.gd.sz" data-state="current""#) && html.contains(#"id="revenue">1,234.56<"#)
        }
        #expect(reported, "the group's page never showed the city and the revenue: \(tree.log("cn"))")

        let dom = try Self.dom(tree.url("cn", "/"), profile: tree.directory.appendingPathComponent("chromium"))
        #expect(dom.contains("<title>TierSync cn</title>"), "chromium did not load the page: \(dom.prefix(2000))")
        for (node, state) in [("cn", "self"), ("cn.gd", "current"), ("cn.gd.sz", "current"), ("cn.js", "missing")] {
            #expect(dom.contains(#"data-node="\#(node)" data-state="\#(state)""#), "\(node) is not shown as \(state): \(dom)")
        }
        #expect(dom.contains(#"<span id="period">2026-10</span>"#))
        #expect(dom.contains(#"<dd id="revenue">1,234.56</dd>"#) && dom.contains(#"<dd id="growth">23.5</dd>"#), "\(dom)")
        #expect(dom.contains(#"<dd id="customers">1</dd>"#) && dom.contains(#"<dd id="arpu">1,234.56</dd>"#))
        #expect(dom.contains(#"<tr data-region="cn.gd">"#))
        #expect(!dom.contains("<script") && !dom.contains("src=\"http") && !dom.contains("href=\"http"), "the page must need nothing outside it")
        #expect(dom.contains(#"http-equiv="refresh""#))

        // Metrics at the province: what it received, timed, and its child's lag.
        let provinceMetrics = try ReportTests.curl([tree.url("cn.gd", "/metrics")])
        for line in [#"tiersync_changes_applied_total{from="child"} 3"#, #"tiersync_changes_pushed_total 3"#,
                     #"tiersync_batch_duration_seconds_count{operation="receive"}"#, #"tiersync_child_lag_seconds{child="cn.gd.sz"}"#,
                     #"tiersync_child_backlog{child="cn.gd.sz"} 0"#, #"tiersync_sync_rounds_total{result="ok"}"#] {
            #expect(provinceMetrics.contains(line), "\(line) is missing from the province's metrics:\n\(provinceMetrics)")
        }
        let cityMetrics = try ReportTests.curl([tree.url("cn.gd.sz", "/metrics")])
        #expect(cityMetrics.contains("tiersync_changes_captured_total 3") && cityMetrics.contains("tiersync_backlog 0"), "\(cityMetrics)")

        // The city stops: past the province's staleness limit, its page says so.
        tree.stop("cn.gd.sz")
        let stale = try await tree.eventually(15) {
            try ReportTests.curl([tree.url("cn.gd", "/")]).contains(#"data-node="cn.gd.sz" data-state="stale""#)
        }
        #expect(stale, "the province never showed its stopped city as stale")
        let staleDOM = try Self.dom(tree.url("cn.gd", "/"), profile: tree.directory.appendingPathComponent("chromium"))
        #expect(staleDOM.contains(#"data-node="cn.gd.sz" data-state="stale""#), "\(staleDOM)")
    }

    /// At a parent, the page and `tiersync status` list the children in trouble first: by
    /// lag, a child that stopped comes before one that keeps syncing; a filter shows one
    /// subtree; an unknown order is refused with the orders there are.
    @Test func theWorstChildComesFirstAndAFilterShowsOneSubtree() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.gz", "cn.gd.sz"], interval: 0.5)
        try await tree.start()
        let province = tree.url("cn.gd", "/")
        let seen = try await tree.eventually(30) {
            let page = try ReportTests.curl([province])
            return page.contains(#"data-node="cn.gd.gz" data-state="current""#) && page.contains(#"data-node="cn.gd.sz" data-state="current""#)
        }
        #expect(seen, "the province's page never showed both cities current")
        tree.stop("cn.gd.sz")
        try await Task.sleep(for: .seconds(3))
        let byLag = try ReportTests.curl([province + "?sort=lag"])
        let sz = try #require(byLag.range(of: #"data-node="cn.gd.sz""#)), gz = try #require(byLag.range(of: #"data-node="cn.gd.gz""#))
        #expect(sz.lowerBound < gz.lowerBound, "\(byLag)")
        #expect(byLag.contains("<b>lag</b>") && byLag.contains(#"<a href="/?sort=worst">worst</a>"#))
        let filtered = try ReportTests.curl([province + "?node=cn.gd.gz"])
        #expect(filtered.contains(#"data-node="cn.gd.gz""#) && !filtered.contains(#"data-node="cn.gd.sz""#) && filtered.contains("1 of 3 nodes"), "\(filtered)")
        let bad = try ReportTests.curl(["-w", "%{http_code}", province + "?sort=bogus"])
        #expect(bad.hasSuffix("400") && bad.contains("invalid value 'bogus' for sort: expected worst, lag, errors, tree"), "\(bad)")

        let config = tree.nodes["cn.gd"]!.config
        let status = try tree.command(["status", "--config", config, "--sort", "lag"]).output
        let szLine = try #require(status.range(of: "child     cn.gd.sz")), gzLine = try #require(status.range(of: "child     cn.gd.gz"))
        #expect(szLine.lowerBound < gzLine.lowerBound, "\(status)")
        let one = try tree.command(["status", "--config", config, "--node", "cn.gd.gz"]).output
        #expect(one.contains("cn.gd.gz") && !one.contains("cn.gd.sz"), "\(one)")
        let wrong = try tree.command(["status", "--config", config, "--sort", "nope"])
        #expect(wrong.status != 0 && wrong.output.contains("invalid value 'nope' for --sort"), "\(wrong.output)")
    }
}
