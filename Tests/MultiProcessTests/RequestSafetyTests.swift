import Foundation
import Testing
import TierSyncAuth
import TierSyncModel
import TierSyncTestTraits

/// Every way a request can be wrong, sent to a real daemon: each gets its status and a
/// message saying what to fix, and the receiving store is unchanged.
@Suite(.serialized, .daemons)
struct RequestSafetyTests {
    /// A group accepting cn.gd, with small limits so that the limit cases stay small.
    func group() async throws -> (TestTree, SignedCurl, String) {
        let tree = try TestTree(["cn", "cn.gd"], extra: "[limits]\nbody_bytes = 20000\nbatch_changes = 10\nclock_skew = 120\n")
        try await tree.start(["cn"])
        return (tree, SignedCurl(tree: tree), tree.database("cn"))
    }

    func expectRefused(_ answer: SignedCurl.Answer, _ status: Int, _ phrases: [String], database: String, unchanged before: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(answer.status == status, "\(answer.verbose)", sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(answer.body.contains(phrase), "'\(phrase)' missing from \(answer.body)", sourceLocation: sourceLocation)
        }
        #expect(try SignedCurl.fingerprint(database) == before, "the store changed", sourceLocation: sourceLocation)
    }

    @Test func unsignedForgedAndStrangersRequestsAreRefused() async throws {
        let (_, curl, database) = try await group()
        let before = try SignedCurl.fingerprint(database)
        let batch = SignedCurl.customerBatch(rows: 2, from: "cn.gd")
        let (unsigned, _) = try curl.call("cn", "POST", "/v1/push", body: batch)
        try expectRefused(unsigned, 401, ["unauthenticated", "signed requests only", "TierSync-Signature"], database: database, unchanged: before)
        let (impostor, _) = try curl.call("cn", "POST", "/v1/push", body: batch, key: NodeKey(generatingFor: try NodeID("cn.gd")))
        try expectRefused(impostor, 401, ["does not match", "another key"], database: database, unchanged: before)
        let (stranger, _) = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 1, from: "cn.js"),
                                          key: NodeKey(generatingFor: try NodeID("cn.js")))
        try expectRefused(stranger, 401, ["cn.js is not accepted", "[children]"], database: database, unchanged: before)
        let (tampered, _) = try curl.call("cn", "POST", "/v1/push", body: batch, signer: "cn.gd", signedBody: SignedCurl.customerBatch(rows: 1, from: "cn.gd"))
        try expectRefused(tampered, 401, ["does not match this request"], database: database, unchanged: before)
        let (stale, _) = try curl.call("cn", "POST", "/v1/push", body: batch, signer: "cn.gd", at: Date().addingTimeInterval(-600))
        try expectRefused(stale, 401, ["limits.clock_skew", "at most 120 s"], database: database, unchanged: before)
        let (speaksForAnother, _) = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 1, from: "cn.js"), signer: "cn.gd")
        try expectRefused(speaksForAnother, 403, ["signed by cn.gd but speaks for cn.js"], database: database, unchanged: before)
        let (pullAsAnother, _) = try curl.call("cn", "GET", "/v1/pull?node=cn.js&after=0", signer: "cn.gd")
        #expect(pullAsAnother.status == 403 && pullAsAnother.body.contains("speaks for cn.js"), "\(pullAsAnother)")
        let (operatorAsChild, _) = try curl.call("cn", "GET", "/v1/conflicts", signer: "cn.gd")
        #expect(operatorAsChild.status == 401 && operatorAsChild.body.contains("operator"), "\(operatorAsChild)")
        let (operatorSigned, _) = try curl.call("cn", "GET", "/v1/conflicts", signer: "cn")
        #expect(operatorSigned.status == 200 && operatorSigned.body == "[]", "\(operatorSigned)")
        let (status, _) = try curl.call("cn", "GET", "/v1/status")
        #expect(status.status == 200, "status stays open: \(status)")
    }

    @Test func aReplayedRequestIsRefusedAfterTheOriginalApplied() async throws {
        let (tree, curl, database) = try await group()
        let (first, headers) = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 2, from: "cn.gd"), signer: "cn.gd")
        #expect(first.status == 200, "\(first)")
        let after = try SignedCurl.fingerprint(database)
        #expect(after.hasPrefix("2/"), "\(after)")
        let (replayed, _) = try curl.call("cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 2, from: "cn.gd"), replay: headers)
        try expectRefused(replayed, 401, ["already received", "replayed request is refused"], database: database, unchanged: after)
        _ = tree
    }

    @Test func malformedBatchesAreRefusedWholeWithWhatToFix() async throws {
        let (_, curl, database) = try await group()
        let before = try SignedCurl.fingerprint(database)
        let good = SignedCurl.customerBatch(rows: 2, from: "cn.gd")
        // Each malformed batch is the good one with one part replaced; the part must be there.
        func replacing(_ part: String, with replacement: String) throws -> String {
            try #require(good.contains(part), "the good batch has no \(part)")
            return good.replacingOccurrences(of: part, with: replacement)
        }
        let cases: [(String, Int, [String])] = [
            ("{not json", 400, ["bad_request", "not valid JSON"]),
            (#"{"node":"cn.gd","after":0,"through":"one","columns":{},"changes":[]}"#, 400, ["through: expected"]),
            (try replacing(#""name K0""#, with: #"{"nested":1}"#), 400, ["changes[0].values[2]"]),
            // Another schema's batch: 409, and the child keeps it until both run the same schema.
            (try replacing(#""table":"customer""#, with: #""table":"nope""#), 409, ["schema_mismatch", "unknown table 'nope'", "keeps it"]),
            (try replacing(#""industry","manager""#, with: #""sector","manager""#), 409, ["schema_mismatch", "has no column 'sector'", "the two schema files agree"]),
            (try replacing(#""key":["K1"]"#, with: #""key":[]"#), 400, ["change [1]", "1 key column(s) (id), the change gives 0"]),
            (try replacing(#""values":["K0","#, with: #""values":[null,"#), 400, ["change [0]", "key does not match"]),
            (SignedCurl.customerBatch(rows: 11, from: "cn.gd"), 413, ["batch_too_large", "at most 10 per push", "limits.batch_changes"]),
            (SignedCurl.customerBatch(rows: 1, from: "cn.gd") + String(repeating: " ", count: 25000), 413, ["body_too_large", "limits.body_bytes"]),
            (SignedCurl.customerBatch(rows: 1, from: "cn.gd", stamp: (Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000) << 16),
             400, ["stamp_ahead", "the write by cn.gd is stamped", "ahead of this node's wall clock", "at most 30 s", "limits.stamp_lead", "Fix the clock of cn.gd"]),
        ]
        for (body, status, phrases) in cases {
            let (answer, _) = try curl.call("cn", "POST", "/v1/push", body: body, signer: "cn.gd")
            try expectRefused(answer, status, phrases, database: database, unchanged: before)
        }
        let (accepted, _) = try curl.call("cn", "POST", "/v1/push", body: good, signer: "cn.gd")
        let applied = try SignedCurl.fingerprint(database)
        #expect(accepted.status == 200 && applied.hasPrefix("2/"), "the well-formed batch applies: \(accepted) \(applied)")
    }

    @Test func aLargeSignedBodyGetsOneHundredContinueAtOnce() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let (answer, _) = try SignedCurl(tree: tree).call(
            "cn", "POST", "/v1/push", body: SignedCurl.customerBatch(rows: 50, from: "cn.gd"), signer: "cn.gd", headers: ["Expect: 100-continue"])
        #expect(answer.verbose.contains("> Expect: 100-continue"), "curl did not ask; the test proves nothing: \(answer.verbose)")
        #expect(answer.verbose.contains("< HTTP/1.1 100 Continue"), "\(answer.verbose)")
        #expect(answer.status == 200)
        #expect(try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer") == "50")
    }

    @Test func theListenerServesHTTPSWhenConfigured() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("node.crt").path
        let privateKey = directory.appendingPathComponent("node.pem").path
        let made = try TestTree.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", privateKey, "-out", certificate,
        ])
        #expect(made.status == 0, "\(made.output)")
        let tree = try TestTree(["cn"], extra: "[tls]\ncertificate = \"\(certificate)\"\nkey = \"\(privateKey)\"\n")
        try await tree.start()
        let port = tree.nodes["cn"]!.port
        let verified = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "10", "--cacert", certificate, "https://127.0.0.1:\(port)/v1/status"])
        #expect(verified.status == 0 && verified.output.contains(#""node":"cn""#), "\(verified.output)")
        let plain = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "10", "http://127.0.0.1:\(port)/v1/status"])
        #expect(!plain.output.contains(#""node":"cn""#), "plain HTTP must not be answered on an HTTPS listener: \(plain.output)")
        let unverified = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "10", "https://127.0.0.1:\(port)/v1/status"])
        #expect(unverified.status != 0, "curl must refuse the self-signed certificate without --cacert")
    }
}
