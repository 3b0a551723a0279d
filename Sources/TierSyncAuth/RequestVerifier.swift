import Foundation
import Synchronization
import TierSyncModel

/// Checks the signature of each request a node receives: a known signer, a signing time
/// within the allowed skew, a nonce not seen before, and a signature over exactly what
/// arrived.
public final class RequestVerifier: Sendable {
    /// Who may call an endpoint.
    public enum Access: Sendable {
        /// A direct child named in the configuration's `[children]` (sync requests).
        case child
        /// The node itself, signing with its own key (operator requests).
        case node
    }

    /// The node this verifier guards.
    public let node: NodeID
    /// The largest accepted distance between a request's signing time and this node's clock.
    public let clockSkew: Int
    private let ownKey: PublicKey
    private let children: [NodeID: PublicKey]
    private let retiring: [NodeID: PublicKey]
    private let nonces: NonceCache

    /// Creates a verifier.
    /// - Parameters:
    ///   - node: this node.
    ///   - ownKey: this node's public key, accepted for operator requests.
    ///   - children: each accepted child's public key.
    ///   - retiring: a child's previous key, accepted too while it rotates to the new one.
    ///   - clockSkew: seconds; also the time a nonce is remembered. The default is 300.
    ///   - nonceCapacity: the most nonces remembered at once. The default is 200000.
    public init(node: NodeID, ownKey: PublicKey, children: [NodeID: PublicKey], retiring: [NodeID: PublicKey] = [:],
                clockSkew: Int = 300, nonceCapacity: Int = 200_000) {
        self.node = node
        self.ownKey = ownKey
        self.children = children
        self.retiring = retiring
        self.clockSkew = clockSkew
        nonces = NonceCache(capacity: nonceCapacity)
    }

    /// Verifies a request and returns its signer.
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - target: the request target as received (path and query).
    ///   - body: the body bytes.
    ///   - header: a header's value by name.
    ///   - access: who may call the endpoint.
    /// - Throws: ``AuthError`` with the reason.
    public func verify(method: String, target: String, body: Data, header: (String) -> String?, access: Access, now: Date = Date()) throws(AuthError) -> NodeID {
        let signature = try RequestSignature(header: header)
        let signer = try? NodeID(signature.node)
        let key: PublicKey?
        switch access {
        case .child:
            key = signer.flatMap { children[$0] }
            if key == nil, let signer, signer.parent != node {
                throw .notAChild(node: signer, answering: node)
            }
            guard key != nil else {
                let names = children.keys.map(\.description).sorted()
                throw .unknownSigner(node: signature.node, accepted: names.isEmpty ? "no child is configured" : "accepted children: \(names.joined(separator: ", "))")
            }
        case .node:
            key = signer == node ? ownKey : nil
            guard key != nil else {
                throw .unknownSigner(node: signature.node, accepted: "this endpoint is for \(node)'s operator, signing with \(node)'s own key")
            }
        }
        let skew = signature.timestamp - Int64((now.timeIntervalSince1970 * 1000).rounded())
        guard abs(skew) <= Int64(clockSkew) * 1000 else {
            throw .clockSkew(node: signature.node, seconds: skew / 1000, limit: clockSkew)
        }
        let message = signature.message(method: method, target: target, bodyDigest: RequestSignature.digest(body))
        let previous = access == .child ? signer.flatMap { retiring[$0] } : nil
        guard key!.verifies(signature.signature, of: message) || previous?.verifies(signature.signature, of: message) == true else {
            throw .badSignature(node: signature.node)
        }
        try nonces.insert(signature.node + " " + signature.nonce, until: Date(timeIntervalSince1970: Double(signature.timestamp) / 1000 + Double(clockSkew)), now: now)
        return signer!
    }
}

/// The nonces seen within the replay window, each kept until its request could no longer
/// pass the timestamp check.
final class NonceCache: Sendable {
    private struct State {
        var expiry: [String: Date] = [:]
        var lastSweep = Date.distantPast
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Remembers `nonce` until `until`.
    /// - Throws: ``AuthError/replayed(node:)`` when it is known, ``AuthError/busy(limit:)``
    ///   when the cache is full of live nonces.
    func insert(_ nonce: String, until: Date, now: Date) throws(AuthError) {
        let outcome: AuthError? = state.withLock { state in
            if let known = state.expiry[nonce], known > now {
                return .replayed(node: String(nonce.prefix { $0 != " " }))
            }
            if state.expiry.count >= capacity || now.timeIntervalSince(state.lastSweep) > 60 {
                state.expiry = state.expiry.filter { $0.value > now }
                state.lastSweep = now
                guard state.expiry.count < capacity else { return .busy(limit: capacity) }
            }
            state.expiry[nonce] = until
            return nil
        }
        if let outcome { throw outcome }
    }
}
