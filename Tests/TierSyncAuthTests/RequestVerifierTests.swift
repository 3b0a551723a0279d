import Foundation
import Testing
import TierSyncAuth
import TierSyncModel

/// Signatures made by ``RequestSignature`` and checked by ``RequestVerifier``: what passes,
/// and each way a request is refused.
struct RequestVerifierTests {
    let province = try! NodeID("cn.gd")
    let city = try! NodeID("cn.gd.sz")
    let body = Data(#"{"node":"cn.gd.sz"}"#.utf8)

    func verifier(cityKey: NodeKey, provinceKey: NodeKey, skew: Int = 300, capacity: Int = 100) -> RequestVerifier {
        RequestVerifier(node: province, ownKey: provinceKey.publicKey, children: [city: cityKey.publicKey], clockSkew: skew, nonceCapacity: capacity)
    }

    func check(_ verifier: RequestVerifier, _ signature: RequestSignature, method: String = "POST", target: String = "/v1/push",
               body: Data? = nil, access: RequestVerifier.Access = .child, now: Date = Date()) throws(AuthError) -> NodeID {
        let headers = signature.headers
        return try verifier.verify(method: method, target: target, body: body ?? self.body, header: { headers[$0] }, access: access, now: now)
    }

    @Test func aChildsSignedRequestPassesOnceAndItsReplayIsRefused() throws {
        let cityKey = NodeKey(generatingFor: city)
        let verifier = verifier(cityKey: cityKey, provinceKey: NodeKey(generatingFor: province))
        let signature = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey)
        #expect(try check(verifier, signature) == city)
        #expect(throws: AuthError.replayed(node: "cn.gd.sz")) { try check(verifier, signature) }
    }

    @Test func anyChangeToTheSignedPartsIsRefused() throws {
        let cityKey = NodeKey(generatingFor: city)
        let verifier = verifier(cityKey: cityKey, provinceKey: NodeKey(generatingFor: province))
        let signed = { try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey) }
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) { try check(verifier, try signed(), body: Data("{}".utf8)) }
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) { try check(verifier, try signed(), target: "/v1/push?x=1") }
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) { try check(verifier, try signed(), method: "PUT") }
        var later = try signed()
        later.timestamp += 1
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) { try check(verifier, later) }
    }

    @Test func anotherKeyOrAnUnknownNodeIsRefused() throws {
        let verifier = verifier(cityKey: NodeKey(generatingFor: city), provinceKey: NodeKey(generatingFor: province))
        let impostor = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: NodeKey(generatingFor: city))
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) { try check(verifier, impostor) }
        let stranger = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: NodeKey(generatingFor: try NodeID("cn.gd.gz")))
        #expect(throws: AuthError.unknownSigner(node: "cn.gd.gz", accepted: "accepted children: cn.gd.sz")) { try check(verifier, stranger) }
        // A node of another branch has the wrong parent configured, which the answer says.
        let elsewhere = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: NodeKey(generatingFor: try NodeID("cn.js.nj")))
        let wrongParent = AuthError.notAChild(node: try NodeID("cn.js.nj"), answering: province)
        #expect(throws: wrongParent) { try check(verifier, elsewhere) }
        #expect(wrongParent.description.contains("cn.js.nj is not a child of cn.gd (a province); cn.js.nj's parent is cn.js"))
    }

    @Test func operatorEndpointsTakeOnlyTheNodesOwnKey() throws {
        let cityKey = NodeKey(generatingFor: city)
        let provinceKey = NodeKey(generatingFor: province)
        let verifier = verifier(cityKey: cityKey, provinceKey: provinceKey)
        let own = try RequestSignature.sign(method: "GET", target: "/v1/conflicts", body: Data(), with: provinceKey)
        #expect(try check(verifier, own, method: "GET", target: "/v1/conflicts", body: Data(), access: .node) == province)
        let child = try RequestSignature.sign(method: "GET", target: "/v1/conflicts", body: Data(), with: cityKey)
        #expect(throws: AuthError.self) { try check(verifier, child, method: "GET", target: "/v1/conflicts", body: Data(), access: .node) }
    }

    @Test func aSigningTimeOutsideTheSkewIsRefused() throws {
        let cityKey = NodeKey(generatingFor: city)
        let verifier = verifier(cityKey: cityKey, provinceKey: NodeKey(generatingFor: province), skew: 60)
        let now = Date()
        let old = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey, at: now.addingTimeInterval(-61))
        #expect(throws: AuthError.clockSkew(node: "cn.gd.sz", seconds: -61, limit: 60)) { try check(verifier, old, now: now) }
        let ahead = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey, at: now.addingTimeInterval(59))
        #expect(try check(verifier, ahead, now: now) == city)
    }

    @Test func missingOrMalformedHeadersAreNamed() throws {
        let verifier = verifier(cityKey: NodeKey(generatingFor: city), provinceKey: NodeKey(generatingFor: province))
        #expect(throws: AuthError.unsigned(missing: ["TierSync-Node", "TierSync-Timestamp", "TierSync-Nonce", "TierSync-Signature"])) {
            try verifier.verify(method: "GET", target: "/v1/pull", body: Data(), header: { _ in nil }, access: .child)
        }
        for timestamp in ["soon", "-9223372036854775808", "9223372036854775807", "-1"] {
            let headers = ["TierSync-Node": "cn.gd.sz", "TierSync-Timestamp": timestamp, "TierSync-Nonce": "0123456789abcdef",
                           "TierSync-Signature": Data(repeating: 1, count: 64).base64EncodedString()]
            #expect(throws: AuthError.malformed("TierSync-Timestamp must be whole milliseconds since 1970")) {
                try verifier.verify(method: "GET", target: "/", body: Data(), header: { headers[$0] }, access: .child)
            }
        }
    }

    @Test func theReplayWindowIsBoundedAndSaysSoWhenFull() throws {
        let cityKey = NodeKey(generatingFor: city)
        let verifier = verifier(cityKey: cityKey, provinceKey: NodeKey(generatingFor: province), capacity: 3)
        for _ in 0..<3 {
            _ = try check(verifier, try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey))
        }
        #expect(throws: AuthError.busy(limit: 3)) {
            try check(verifier, try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey))
        }
        // Once the remembered nonces can no longer pass the time check, they are dropped.
        let later = Date().addingTimeInterval(700)
        _ = try check(verifier, try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: cityKey, at: later), now: later)
    }

    @Test func keyFilesRoundTripAndRefuseLooseModes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-key-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cn.gd.sz.key").path
        let key = NodeKey(generatingFor: city)
        try key.write(to: path)
        let read = try NodeKey(contentsOf: path)
        #expect(read.node == city && read.publicKey == key.publicKey)
        #expect(try PublicKey(key.publicKey.description) == key.publicKey)
        #expect(throws: AuthError.self) { try key.write(to: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: AuthError.self) { _ = try NodeKey(contentsOf: path) }
        #expect(throws: AuthError.invalidPublicKey("ed25519:nope")) { _ = try PublicKey("ed25519:nope") }
    }

    /// During a key rotation a child signs with its new key or its retiring one; a third key
    /// is refused, and so is the retiring key of another child, or for operator requests.
    @Test func aRotatingChildSignsWithEitherKey() throws {
        let old = NodeKey(generatingFor: city), new = NodeKey(generatingFor: city)
        let provinceKey = NodeKey(generatingFor: province)
        let gz = try NodeID("cn.gd.gz")
        let rotating = RequestVerifier(node: province, ownKey: provinceKey.publicKey, children: [city: new.publicKey, gz: NodeKey(generatingFor: gz).publicKey],
                                       retiring: [city: old.publicKey])
        for key in [new, old] {
            #expect(try check(rotating, try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: key)) == city)
        }
        let third = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: NodeKey(generatingFor: city))
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) { try check(rotating, third) }
        // The retiring key is the city's alone, and never an operator's.
        let asOperator = try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: old)
        #expect(throws: AuthError.self) { try check(rotating, asOperator, access: .node) }
        // Retired: the old key is refused.
        let retired = RequestVerifier(node: province, ownKey: provinceKey.publicKey, children: [city: new.publicKey])
        #expect(throws: AuthError.badSignature(node: "cn.gd.sz")) {
            try check(retired, try RequestSignature.sign(method: "POST", target: "/v1/push", body: body, with: old))
        }
    }
}
