import Crypto
import Foundation
import TierSyncModel

/// The signature a node puts on each request it sends: Ed25519 over the method, the
/// request target, the signer, a timestamp, a nonce and the SHA-256 of the body.
///
/// The four headers travel with the request; the receiver rebuilds the signed text from
/// what it received, so a change to any of these parts, or a replay, is refused.
public struct RequestSignature: Sendable, Equatable {
    /// The header naming the signing node.
    public static let nodeHeader = "TierSync-Node"
    /// The header carrying the signing time, in milliseconds since 1970.
    public static let timestampHeader = "TierSync-Timestamp"
    /// The header carrying a fresh random value, used once.
    public static let nonceHeader = "TierSync-Nonce"
    /// The header carrying the base64 signature.
    public static let signatureHeader = "TierSync-Signature"

    /// The signing node.
    public var node: String
    /// Milliseconds since 1970 when the request was signed.
    public var timestamp: Int64
    /// A random value the signer never reuses (16 bytes, hex).
    public var nonce: String
    /// The Ed25519 signature of ``message(method:target:bodyDigest:)``.
    public var signature: Data

    /// Creates a signature record.
    public init(node: String, timestamp: Int64, nonce: String, signature: Data) {
        self.node = node
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }

    /// Signs a request with `key` now.
    /// - Parameters:
    ///   - method: the HTTP method, e.g. `POST`.
    ///   - target: the request target as sent: the path and, if any, `?` and the query.
    ///   - body: the body bytes, empty for none.
    public static func sign(method: String, target: String, body: Data, with key: NodeKey, at date: Date = Date()) throws -> RequestSignature {
        var signature = RequestSignature(
            node: key.node.description, timestamp: Int64((date.timeIntervalSince1970 * 1000).rounded()),
            nonce: randomNonce(), signature: Data())
        signature.signature = try key.signature(for: signature.message(method: method, target: target, bodyDigest: digest(body)))
        return signature
    }

    /// The text that is signed, as bytes.
    public func message(method: String, target: String, bodyDigest: String) -> Data {
        Data(["tiersync-request-v1", method.uppercased(), target, node, String(timestamp), nonce, bodyDigest].joined(separator: "\n").utf8)
    }

    /// The four headers, by name.
    public var headers: [String: String] {
        [
            RequestSignature.nodeHeader: node, RequestSignature.timestampHeader: String(timestamp),
            RequestSignature.nonceHeader: nonce, RequestSignature.signatureHeader: signature.base64EncodedString(),
        ]
    }

    /// Reads the four headers through `header`, which returns a header's value by name.
    /// - Throws: ``AuthError/unsigned(missing:)`` or ``AuthError/malformed(_:)``.
    public init(header: (String) -> String?) throws(AuthError) {
        let names = [RequestSignature.nodeHeader, RequestSignature.timestampHeader, RequestSignature.nonceHeader, RequestSignature.signatureHeader]
        let missing = names.filter { header($0) == nil }
        guard missing.isEmpty else { throw .unsigned(missing: missing) }
        // Bounded so that no arithmetic on it can overflow: 0 up to the year 10000 or so.
        guard let timestamp = Int64(header(RequestSignature.timestampHeader)!), (0...253_402_300_800_000).contains(timestamp) else {
            throw .malformed("\(RequestSignature.timestampHeader) must be whole milliseconds since 1970")
        }
        let nonce = header(RequestSignature.nonceHeader)!
        guard (16...128).contains(nonce.utf8.count), nonce.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw .malformed("\(RequestSignature.nonceHeader) must be 16 to 128 printable characters, fresh for every request")
        }
        guard let signature = Data(base64Encoded: header(RequestSignature.signatureHeader)!), signature.count == 64 else {
            throw .malformed("\(RequestSignature.signatureHeader) must be the base64 of a 64-byte Ed25519 signature")
        }
        self.init(node: header(RequestSignature.nodeHeader)!, timestamp: timestamp, nonce: nonce, signature: signature)
    }

    /// The lowercase hex SHA-256 of `body`.
    public static func digest(_ body: Data) -> String {
        SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }

    static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
