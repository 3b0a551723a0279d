import Foundation
import Testing
import TierSyncTestTraits

/// The operator endpoints of a real daemon, driven with curl as an operator's script would,
/// signing with the node's own key.
@Suite(.serialized, .daemons)
struct HTTPAPITests {
    @Test func resyncRequestsAreCheckedAndAnswered() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let curl = SignedCurl(tree: tree)
        func post(_ path: String, _ body: String) throws -> SignedCurl.Answer {
            try curl.call("cn", "POST", path, body: body, signer: "cn.gd").0
        }
        let roots = try post("/v1/resync/digest", #"{"node":"cn.gd","level":0}"#)
        #expect(roots.status == 200 && roots.body.contains(#""algorithm":"ts64-sum-16x4-v1""#) && roots.body.contains(#""table":"customer""#), "\(roots)")
        let children = try post("/v1/resync/digest", #"{"node":"cn.gd","level":1,"tables":[{"table":"customer","parents":[0]}]}"#)
        #expect(children.status == 200 && children.body.contains(#""hashes":["0000000000000000""#), "\(children)")
        for (body, message) in [
            (#"{"node":"cn.gd","level":5}"#, "level must be 0 to 4"),
            (#"{"node":"cn.gd","level":2,"tables":[{"table":"customer","parents":[16]}]}"#, "parents at level 1"),
            (#"{"node":"cn.gd","level":0,"tables":[{"table":"nope"}]}"#, "table nope is not synced here"),
        ] {
            let answer = try post("/v1/resync/digest", body)
            #expect(answer.status == 400 && answer.body.contains(message), "\(answer)")
        }
        let rows = try post("/v1/resync/rows", #"{"node":"cn.gd","table":"customer","buckets":[65536]}"#)
        #expect(rows.status == 400 && rows.body.contains("buckets must be"), "\(rows)")
        let stranger = try post("/v1/resync/rows", #"{"node":"cn.js.nj","table":"customer","buckets":[1]}"#)
        #expect(stranger.status == 403 && stranger.body.contains("speaks for cn.js.nj"), "\(stranger)")
        let unsigned = try curl.call("cn", "POST", "/v1/resync/digest", body: #"{"node":"cn.gd","level":0}"#).0
        #expect(unsigned.status == 401, "resync routes need the child's signature: \(unsigned)")
    }

    @Test func aCursorBeyondWhatTheLogServedIsRefused() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let curl = SignedCurl(tree: tree)
        // The province pushes before it ever pulls: the group knows it but has served it nothing,
        // as a group restored from a backup taken at that moment would have.
        let pushed = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 2, from: "cn.gd"), signer: "cn.gd").0
        #expect(pushed.status == 200, "\(pushed)")
        let beyond = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=1", signer: "cn.gd").0
        #expect(beyond.status == 409 && beyond.body.contains("beyond the 0 this log has served cn.gd"), "\(beyond)")
        let fromStart = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=0", signer: "cn.gd").0
        #expect(fromStart.status == 200 && fromStart.body.contains(#""through":2"#), "\(fromStart)")
        // A resync's digests are taken at the head, which a refused child takes as its cursor.
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
        let roots = try curl.call("cn", "POST", "/v1/resync/digest", body: #"{"node":"cn.gd","level":0}"#, signer: "cn.gd").0
        #expect(roots.status == 200 && roots.body.contains(#""head":3"#), "\(roots)")
        let atHead = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=3", signer: "cn.gd").0
        #expect(atHead.status == 200, "a cursor at the head the digests gave must be accepted: \(atHead)")
    }

    /// A push says its form by `Content-Type`, a pull asks for one by `Accept`; JSON otherwise.
    @Test func batchesComeInTheFormAskedFor() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let curl = SignedCurl(tree: tree)
        let before = try SignedCurl.fingerprint(tree.database("cn"))
        let forged = try curl.call("cn", "POST", "/v1/push", body: "TSB not a batch", signer: "cn.gd", contentType: "application/vnd.tiersync.batch").0
        #expect(forged.status == 400 && forged.body.contains("not a TierSync batch") && forged.body.contains("bad_request"), "\(forged)")
        let json = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 1, from: "cn.gd"), signer: "cn.gd",
                                 contentType: "application/vnd.tiersync.batch").0
        #expect(json.status == 400 && json.body.contains("not a TierSync batch"), "JSON declared as a batch is not read as JSON: \(json)")
        #expect(try SignedCurl.fingerprint(tree.database("cn")) == before, "a refused push changes nothing")
        let pushed = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 2, from: "cn.gd"), signer: "cn.gd").0
        #expect(pushed.status == 200, "\(pushed)")
        let binary = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=0", signer: "cn.gd",
                                   headers: ["Accept: application/vnd.tiersync.batch, application/json;q=0.5"]).0
        #expect(binary.status == 200 && binary.verbose.lowercased().contains("content-type: application/vnd.tiersync.batch"), "\(binary.verbose)")
        let plain = try curl.call("cn", "GET", "/v1/pull?node=cn.gd&after=0", signer: "cn.gd").0
        #expect(plain.status == 200 && plain.verbose.lowercased().contains("content-type: application/json") && plain.body.contains(#""through":2"#), "\(plain)")
    }

    @Test func conflictsAreListedAndBadResolutionsRefused() async throws {
        let tree = try TestTree(["cn"])
        try await tree.start()
        let curl = SignedCurl(tree: tree)
        let (listed, _) = try curl.call("cn", "GET", "/v1/conflicts", signer: "cn")
        #expect(listed.status == 200 && listed.body == "[]", "\(listed)")
        let (unknown, _) = try curl.call("cn", "POST", "/v1/conflicts/42/resolve", body: #"{"keep":"local"}"#, signer: "cn")
        #expect(unknown.status == 404 && unknown.body.contains("conflict_not_found") && unknown.body.contains("no conflict 42"), "\(unknown)")
        let (badChoice, _) = try curl.call("cn", "POST", "/v1/conflicts/42/resolve", body: #"{"keep":"mine"}"#, signer: "cn")
        #expect(badChoice.status == 400 && badChoice.body.contains("keep must be local, remote or value"), "\(badChoice)")
        let (badID, _) = try curl.call("cn", "POST", "/v1/conflicts/x/resolve", body: #"{"keep":"local"}"#, signer: "cn")
        #expect(badID.status == 400 && badID.body.contains("must be an integer"), "\(badID)")
        let (badLimit, _) = try curl.call("cn", "GET", "/v1/conflicts?limit=0", signer: "cn")
        #expect(badLimit.status == 400, "\(badLimit)")
        let (queue, _) = try curl.call("cn", "GET", "/v1/rejected", signer: "cn")
        #expect(queue.status == 200 && queue.body == "[]", "\(queue)")
        let (unsigned, _) = try curl.call("cn", "POST", "/v1/conflicts/42/resolve", body: #"{"keep":"local"}"#)
        #expect(unsigned.status == 401, "operator endpoints need the node's signature: \(unsigned)")
    }
}
