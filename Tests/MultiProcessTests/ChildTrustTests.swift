import Foundation
import Testing
import TierSyncTestTraits

/// A child decides nothing only its parent may: it cannot name a node outside its subtree
/// in what it pushes, nor move its parent's clock ahead; and a parent's answers cannot move
/// a child's clock ahead either. Real daemons, batches made and signed by hand as a city.
@Suite(.serialized, .daemons)
struct ChildTrustTests {
    static var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The node's hybrid clock, as its file holds it.
    static func clock(_ database: String) throws -> Int64 {
        let text = try SQLiteShell.value(database, "SELECT hlc FROM _ts_node")
        return try #require(Int64(text), "no clock in \(database): \(text)")
    }

    @Test func aCityCannotNameTheGroupAsOriginSourceOrContext() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start(["cn", "cn.gd"])
        let curl = SignedCurl(tree: tree)
        let province = tree.database("cn.gd")
        let group = tree.database("cn")
        let recent = (Self.nowMillis - 1000) << 16
        // Within limits.stamp_lead: only the subtree check can refuse it.
        let soon = (Self.nowMillis + 20_000) << 16
        let (answer, _) = try curl.call("cn.gd", "POST", "/v1/push", body: SignedCurl.batch([
            SignedCurl.customerChange(key: "SZ1", scope: "cn.gd.sz", stamp: recent),
            SignedCurl.customerChange(key: "F-source", scope: "cn.gd.sz", stamp: recent, source: "cn"),
            SignedCurl.customerChange(key: "F-origin", scope: "cn.gd.sz", origin: "cn", stamp: recent, source: "cn.gd.sz"),
            SignedCurl.customerChange(key: "F-context", scope: "cn.gd.sz", stamp: recent, context: #"{"cn":\#(soon),"cn.gd.sz":\#(recent)}"#),
        ], from: "cn.gd.sz"), signer: "cn.gd.sz")
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.body.contains(#""applied":1"#), "only SZ1 applies: \(answer.body)")
        #expect(SignedCurl.missing([
            "names cn as its source, outside cn.gd.sz's subtree",
            "the row's version is the write by cn at",
            "claims to have seen writes by cn up to",
        ], in: answer.body) == [], "\(answer.body)")
        #expect(try SQLiteShell.value(province, "SELECT group_concat(id, ' ') FROM customer") == "SZ1", "nothing forged was applied")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_log WHERE pk LIKE '%F-%'") == "0")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_rejected WHERE peer = 'cn.gd.sz'") == "3")
        #expect(try Self.clock(province) < soon, "a refused change's stamp reached the province's clock")

        let status = try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config])
        #expect(status.output.contains("rejected  3 change(s) in the error queue"), "\(status.output)")
        let queue = try tree.command(["conflicts", "list", "--rejected", "--config", tree.nodes["cn.gd"]!.config])
        #expect(queue.output.contains("F-source") && queue.output.contains("names cn as its source"), "\(queue.output)")

        // The channel goes on, and the group gets every legitimate row from the province.
        let (next, _) = try curl.call("cn.gd", "POST", "/v1/push", body: SignedCurl.batch([
            SignedCurl.customerChange(key: "SZ2", scope: "cn.gd.sz", stamp: recent + 1),
        ], from: "cn.gd.sz").replacingOccurrences(of: #""after":0,"through":1"#, with: #""after":1,"through":2"#), signer: "cn.gd.sz")
        #expect(next.status == 200 && next.body.contains(#""applied":1"#), "\(next)")
        let national = try await tree.eventually { try SQLiteShell.value(group, "SELECT group_concat(id, ' ') FROM (SELECT id FROM customer ORDER BY id)") == "SZ1 SZ2" }
        let held = try SQLiteShell.value(group, "SELECT group_concat(id, ' ') FROM customer")
        #expect(national, "the group holds \(held): \(tree.log("cn.gd"))")
        #expect(try SQLiteShell.value(group, "SELECT count(*) FROM _ts_rejected") == "0")
    }

    @Test func aPushStampedAheadIsRefusedAndLeavesTheProvinceClock() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start(["cn", "cn.gd"])
        let curl = SignedCurl(tree: tree)
        let province = tree.database("cn.gd")
        let clock = try Self.clock(province)
        let before = try SignedCurl.fingerprint(province)
        let ahead = (Self.nowMillis + 120_000) << 16
        let recent = (Self.nowMillis - 1000) << 16
        for body in [
            SignedCurl.customerBatch(rows: 2, from: "cn.gd.sz", stamp: ahead),
            SignedCurl.batch([
                SignedCurl.customerChange(key: "C1", scope: "cn.gd.sz", stamp: recent),
                SignedCurl.customerChange(key: "C2", scope: "cn.gd.sz", stamp: recent, context: #"{"cn.gd.sz":\#(ahead)}"#),
            ], from: "cn.gd.sz"),
        ] {
            let (answer, _) = try curl.call("cn.gd", "POST", "/v1/push", body: body, signer: "cn.gd.sz")
            #expect(answer.status == 400, "\(answer)")
            #expect(SignedCurl.missing(["stamp_ahead", "the write by cn.gd.sz is stamped 1", "ahead of this node's wall clock",
                           "at most 30 s is accepted (limits.stamp_lead)", "nothing of this batch was applied"], in: answer.body) == [], "\(answer.body)")
            #expect(try SignedCurl.fingerprint(province) == before, "the store changed")
            #expect(try Self.clock(province) == clock, "the province's clock moved")
        }
        let (within, _) = try curl.call("cn.gd", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 1, from: "cn.gd.sz", stamp: (Self.nowMillis + 10_000) << 16),
                                        signer: "cn.gd.sz")
        #expect(within.status == 200 && within.body.contains(#""applied":1"#), "a stamp 10 s ahead is within the default: \(within)")
    }

    @Test func aCityRefusesAnAnswerStampedAheadAndStatusShowsEachClockLead() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start(["cn", "cn.gd"])
        let province = tree.database("cn.gd")
        let city = tree.database("cn.gd.sz")
        let cityConfig = tree.nodes["cn.gd.sz"]!.config

        // A province whose clock runs 25 s ahead: within the group's bound, and shown.
        try SQLiteShell.run(province, "UPDATE _ts_node SET hlc = \((Self.nowMillis + 25_000) << 16)")
        let shown = try await tree.eventually {
            let page = try ReportTests.curl([tree.url("cn", "/")])
            guard let row = page.range(of: #"data-node="cn.gd""#).map({ page[$0.upperBound...] }),
                  let cell = row.range(of: #"<td class="lead num">"#).map({ row[$0.upperBound...].prefix { $0 != "<" } }) else { return false }
            return cell.hasSuffix(" s") && (Double(cell.dropLast(2)) ?? 0) > 10
        }
        let page = try ReportTests.curl([tree.url("cn", "/")])
        #expect(shown, "the group's status page never showed cn.gd's clock lead: \(page)")
        let api = try ReportTests.curl([tree.url("cn.gd", "/v1/status")])
        let lead = try #require((try JSONSerialization.jsonObject(with: Data(api.utf8)) as? [String: Any])?["clockLeadMillis"] as? Int, "\(api)")
        #expect(lead > 10_000 && lead <= 25_000, "\(api)")
        let status = try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config])
        #expect(status.output.contains("s ahead of the wall clock (hybrid clock lead)"), "\(status.output)")
        let groupStatus = try tree.command(["status", "--config", tree.nodes["cn"]!.config])
        #expect(groupStatus.output.contains("clock     0 ms ahead"), "the group's clock does not lead: \(groupStatus.output)")

        // Now two minutes ahead, and a write made there carries that lead: the city refuses
        // the answer that holds it, applies nothing, and its clock does not take the stamp
        // in (opening a store moves its clock to the wall clock, no further).
        try SQLiteShell.run(province, """
            UPDATE _ts_node SET hlc = \((Self.nowMillis + 120_000) << 16);
            INSERT INTO customer(id, name, scope) VALUES ('P1', 'written at a fast clock', 'cn.gd.sz');
            """)
        // The province's daemon folds the captured write into its log, stamped there.
        let folded = try await tree.eventually { !(try SQLiteShell.value(province, "SELECT hlc FROM _ts_log WHERE pk LIKE '%P1%'")).isEmpty }
        #expect(folded, "\(tree.log("cn.gd"))")
        let written = try #require(Int64(try SQLiteShell.value(province, "SELECT hlc FROM _ts_log WHERE pk LIKE '%P1%'")))
        let refused = try tree.command(["sync", "--config", cityConfig])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(SignedCurl.missing(["cn.gd's pull answer", "the write by cn.gd is stamped 1", "at most 30 s is accepted (limits.stamp_lead)",
                       "nothing of the answer was applied"], in: refused.output) == [], "\(refused.output)")
        #expect(try SQLiteShell.value(city, "SELECT count(*) FROM customer") == "0")
        let cityClock = try Self.clock(city)
        #expect(cityClock < written && cityClock >> 16 <= Self.nowMillis, "the city's clock took in the province's stamp: \(cityClock) against \(written)")
        let recorded = try SQLiteShell.value(city, "SELECT last_error FROM _ts_peer WHERE node = 'cn.gd'")
        #expect(recorded.contains("limits.stamp_lead"), "the city's status shows why: \(recorded)")
        // The group refuses the province's push of that write the same way.
        let groupRefused = try await tree.eventually {
            try SQLiteShell.value(province, "SELECT coalesce(last_error, '') FROM _ts_peer WHERE node = 'cn'").contains("stamp_ahead")
        }
        #expect(groupRefused, "\(tree.log("cn.gd"))")
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer WHERE id = 'P1'") == "0")
    }
}
