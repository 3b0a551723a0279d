import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TierSyncAuth
import TierSyncModel
import TierSyncWire

/// Reads a request's body within the node's limit and checks its signature, answering
/// 401 (unsigned, unknown signer, bad signature, clock skew, replay), 403 (a node speaking
/// for another) or 503 (replay window full) with what to fix.
public struct RequestAuthenticator: Sendable {
    /// The signature checks.
    public let verifier: RequestVerifier
    let bodyLimit: Int
    /// Where refusals of children's requests are logged; nil logs none.
    let refusals: RefusalLog?

    /// Creates an authenticator over a verifier; bodies above `bodyLimit` bytes get a 413;
    /// refused child requests go to `refusals`.
    public init(verifier: RequestVerifier, bodyLimit: Int, refusals: RefusalLog? = nil) {
        self.verifier = verifier
        self.bodyLimit = bodyLimit
        self.refusals = refusals
    }

    /// A request whose signature was verified.
    public struct Signed: Sendable {
        /// The node that signed it.
        public let signer: NodeID
        /// The body bytes, as signed.
        public let body: Data
    }

    /// Reads the body and verifies the request for `access`.
    /// - Throws: ``APIError``.
    public func authenticate(_ request: Request, access: RequestVerifier.Access) async throws -> Signed {
        let body: Data
        do {
            body = Data(try await request.body.collect(upTo: bodyLimit).readableBytesView)
        } catch {
            throw APIError.from(error)
        }
        do throws(AuthError) {
            let signer = try verifier.verify(
                method: request.method.rawValue, target: request.uri.string, body: body,
                header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } }, access: access)
            return Signed(signer: signer, body: body)
        } catch {
            throw refuse(error, logged: access == .child)
        }
    }

    /// Reads a child's signed message: verifies the request, decodes its body as `type`, and
    /// checks that the signer is the node the message speaks for (`node`).
    /// - Throws: ``APIError`` (401, 403, 413), or ``WireError`` for a body that does not decode.
    public func childMessage<Message: Decodable>(_ request: Request, as type: Message.Type, node: (Message) -> String) async throws -> Message {
        try await childMessage(request, decode: { data throws(WireError) in try WireCoding.decode(type, from: data) }, node: node)
    }

    /// Reads a child's signed message as ``childMessage(_:as:node:)`` does, decoding its
    /// body with `decode` (a message that has more than one form).
    public func childMessage<Message>(_ request: Request, decode: (Data) throws(WireError) -> Message, node: (Message) -> String) async throws -> Message {
        let signed = try await authenticate(request, access: .child)
        let message = try decode(signed.body)
        try require(signed, speaksFor: node(message))
        return message
    }

    /// Checks that the signer (a child) speaks for itself.
    /// - Throws: ``APIError`` 403 when `claimed` is another node.
    public func require(_ signed: Signed, speaksFor claimed: String) throws {
        guard signed.signer.description == claimed else {
            throw refuse(.impersonation(signer: signed.signer.description, claimed: claimed), logged: true)
        }
    }

    /// The answer to a refused request, noted in ``refusals`` when `logged`.
    private func refuse(_ error: AuthError, logged: Bool) -> APIError {
        let answer = RequestAuthenticator.answer(error)
        if logged { refusals?.note(error, answer: answer) }
        return answer
    }

    static func answer(_ error: AuthError) -> APIError {
        switch error {
        case let .notAChild(_, answering):
            APIError(.forbidden, code: "not_a_child", message: error.description, node: answering.description)
        case .impersonation:
            APIError(.forbidden, code: "forbidden", message: error.description)
        case .busy:
            APIError(.serviceUnavailable, code: "busy", message: error.description)
        default:
            APIError(.unauthorized, code: "unauthenticated", message: error.description)
        }
    }
}
