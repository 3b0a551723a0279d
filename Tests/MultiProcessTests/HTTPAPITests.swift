import Foundation
import Testing

/// The operator endpoints of a real daemon, driven with curl as an operator's script would,
/// signing with the node's own key.
@Suite(.serialized)
struct HTTPAPITests {
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
