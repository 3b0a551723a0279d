import Foundation
import Testing
import TierSyncTestTraits

/// A child may push only what its subtree wrote, for rows its subtree owns and tables its
/// tier writes; the rest of its batch goes on, and each refused row lands in the error
/// queues of both sides.
@Suite(.serialized, .daemons)
struct AuthorizationTests {
    @Test func aProductRowWrittenAtACityIsRejectedByItsProvinceAndTheChannelGoesOn() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start()
        let city = tree.database("cn.gd.sz")
        let province = tree.database("cn.gd")
        try SQLiteShell.run(city, """
            INSERT INTO product(id, name, monthly_fee_fen, scope) VALUES ('P-rogue', 'cheap line', 1, 'cn.gd.sz');
            INSERT INTO customer(id, name, scope) VALUES ('C1', 'Shenzhen Metro', 'cn.gd.sz');
            """)
        let arrived = try await tree.eventually { try SQLiteShell.value(province, "SELECT count(*) FROM customer") == "1" }
        #expect(arrived, "the city's customer must still reach the province: \(tree.log("cn.gd.sz"))")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM product") == "0")
        let reason = try SQLiteShell.value(province, "SELECT peer || ': ' || reason FROM _ts_rejected")
        #expect(reason.contains("cn.gd.sz: table product is written only at the group tier"), "\(reason)")
        let refused = try await tree.eventually { try SQLiteShell.value(city, "SELECT count(*) FROM _ts_rejected") == "1" }
        #expect(refused, "the city's own error queue records the refusal")
        #expect(try SQLiteShell.value(city, "SELECT reason FROM _ts_rejected").hasPrefix("refused by cn.gd: table product"))

        let status = try tree.command(["status", "--config", tree.nodes["cn.gd"]!.config])
        #expect(status.output.contains("rejected  1 change(s) in the error queue"), "\(status.output)")
        let listing = try tree.command(["conflicts", "list", "--config", tree.nodes["cn.gd"]!.config])
        #expect(listing.output.contains("error queue: 1 refused change(s)"), "\(listing.output)")
        let queue = try tree.command(["conflicts", "list", "--rejected", "--config", tree.nodes["cn.gd"]!.config])
        #expect(queue.output.contains("product ['P-rogue']") || queue.output.contains("P-rogue"), "\(queue.output)")
        #expect(queue.output.contains("written only at the group tier"), "\(queue.output)")

        try SQLiteShell.run(city, "INSERT INTO customer(id, name, scope) VALUES ('C2', 'Shenzhen Port', 'cn.gd.sz')")
        let next = try await tree.eventually { try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer") == "2" }
        #expect(next, "later changes keep flowing to the group")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_rejected") == "1", "the refused row is not sent again")
    }

    @Test func aChildCannotWriteOutsideItsSubtreeClaimUnseenWritesOrRaiseItsPriority() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"])
        try await tree.start(["cn.gd"])
        let curl = SignedCurl(tree: tree)
        let province = tree.database("cn.gd")
        let recent = Int64(Date().timeIntervalSince1970 * 1000 - 1000) << 16
        // A row owned by cn.gd.gz, pushed by cn.gd.gz.
        let (owned, _) = try curl.call("cn.gd", "POST", "/v1/push", body: SignedCurl.batch([
            SignedCurl.customerChange(key: "GZ1", scope: "cn.gd.gz", stamp: 65536),
        ], from: "cn.gd.gz"), signer: "cn.gd.gz")
        #expect(owned.status == 200 && owned.body.contains(#""applied":1"#), "\(owned)")

        let (answer, _) = try curl.call("cn.gd", "POST", "/v1/push", body: SignedCurl.batch([
            SignedCurl.customerChange(key: "SZ1", scope: "cn.gd.sz"),
            SignedCurl.customerChange(key: "X1", scope: "cn.gd.gz"),
            SignedCurl.customerChange(key: "X2", scope: "cn.gd.sz", context: #"{"cn":\#(recent),"cn.gd.sz":65536}"#),
            SignedCurl.customerChange(key: "X3", scope: "cn.gd.sz", priority: 2),
            SignedCurl.customerChange(key: "X4", scope: "cn.gd.sz", origin: "cn.gd"),
            SignedCurl.customerChange(key: "GZ1", scope: "cn.gd.sz", stamp: 131072, context: #"{"cn.gd.gz":65536,"cn.gd.sz":131072}"#),
        ], from: "cn.gd.sz"), signer: "cn.gd.sz")
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.body.contains(#""applied":1"#), "only SZ1 applies: \(answer.body)")
        for phrase in [
            "scope cn.gd.gz is outside cn.gd.sz's subtree",
            "claims to have seen writes by cn up to",
            "register classes: the write by cn.gd.sz claims priority 2; rule tier gives it at most 0",
            "names cn.gd as its source, outside cn.gd.sz's subtree",
            "the row belongs to cn.gd.gz at cn.gd; cn.gd.sz wrote it after seeing that",
        ] {
            #expect(answer.body.contains(phrase), "'\(phrase)' missing from \(answer.body)")
        }
        #expect(try SQLiteShell.value(province, "SELECT group_concat(id || '@' || scope, ' ') FROM (SELECT * FROM customer ORDER BY id)") == "GZ1@cn.gd.gz SZ1@cn.gd.sz")
        #expect(try SQLiteShell.value(province, "SELECT count(*) FROM _ts_rejected WHERE peer = 'cn.gd.sz'") == "5")
    }
}
