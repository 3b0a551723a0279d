import TierSyncModel

/// Why a request's signature or a credential is refused. Each message says what to fix.
public enum AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request lacks signature headers.
    case unsigned(missing: [String])
    /// A signature header is malformed.
    case malformed(String)
    /// The signer is not a node this one accepts for the endpoint.
    case unknownSigner(node: String, accepted: String)
    /// The signer is a node of the tree, but not a direct child of the node it called
    /// (`answering`): its `node.parent` points at the wrong node.
    case notAChild(node: NodeID, answering: NodeID)
    /// The signature does not match the request.
    case badSignature(node: String)
    /// The signing time is too far from this node's clock.
    case clockSkew(node: String, seconds: Int64, limit: Int)
    /// The nonce was used before.
    case replayed(node: String)
    /// Too many signed requests inside the replay window to remember them all.
    case busy(limit: Int)
    /// The signer differs from the node the request speaks for.
    case impersonation(signer: String, claimed: String)
    /// A key file is missing or unusable.
    case keyFile(path: String, message: String)
    /// A public key in a configuration is not in the `ed25519:<base64>` form.
    case invalidPublicKey(String)

    /// The message for the operator.
    public var description: String {
        switch self {
        case let .unsigned(missing):
            "this endpoint takes signed requests only; missing header(s) \(missing.joined(separator: ", ")). `tiersync` signs with the node's key file (auth.key); see Protocols/SYNC.md section 16"
        case let .malformed(message):
            "malformed signature: \(message)"
        case let .unknownSigner(node, accepted):
            "\(node) is not accepted here (\(accepted)); add its public key under [children] in this node's configuration (`tiersync keygen --config FILE` at \(node) prints the line)"
        case let .notAChild(node, answering):
            "\(node) is not a child of \(answering.withPlace); \(node.parentSentence): point node.parent at \(node) to its parent's daemon"
        case let .badSignature(node):
            "the signature does not match this request for \(node)'s key: the request was altered, or \(node) signs with another key than the one configured here"
        case let .clockSkew(node, seconds, limit):
            "\(node) signed this request \(seconds) s away from this node's clock; at most \(limit) s is accepted (limits.clock_skew): synchronise both clocks (NTP)"
        case let .replayed(node):
            "this request from \(node) was already received (its nonce is used); a replayed request is refused — send a freshly signed request"
        case let .busy(limit):
            "more than \(limit) signed requests inside the replay window; retry in a few seconds"
        case let .impersonation(signer, claimed):
            "the request is signed by \(signer) but speaks for \(claimed); a node may only sync as itself"
        case let .keyFile(path, message):
            "key file \(path) \(message)"
        case let .invalidPublicKey(text):
            "'\(text)' is not a public key; expected ed25519:<base64>, as `tiersync keygen` prints it"
        }
    }
}
