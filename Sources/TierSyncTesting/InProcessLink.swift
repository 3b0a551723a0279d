import Foundation
import Logging
import TierSyncEngine
import TierSyncServer
import TierSyncWire

/// A child's way to its parent inside one process: the parent's ``ParentService``, with
/// every request and answer sent through a wire encoding (pushes and pull answers in the
/// batch form or JSON, as ``form`` says; the rest JSON), and every error the service
/// throws turned into the refusal the HTTP link would report (status and ``ErrorBody``),
/// so that the child's replicator meets what it meets over HTTP.
///
/// The parent is reached through a ``ParentEndpoint``, so that it can restart behind the
/// link. With ``faults``, each request may be dropped, answered twice, preceded by an earlier
/// push delivered late, or have its answer lost (``LinkFault``).
public struct InProcessLink: ParentLink {
    /// Where the parent is.
    public let endpoint: ParentEndpoint
    /// What happens to each request; nil delivers every one.
    public let faults: LinkFaults?
    /// The encoding of pushes and pull answers.
    public let form: Form

    /// How pushes and pull answers are encoded on the link.
    public enum Form: Sendable, CaseIterable {
        /// The compact binary form (``BatchCodec``), as daemons send them.
        case batch
        /// JSON, as a client that does not ask for the batch form gets them.
        case json
    }

    /// Creates a link to the parent behind `endpoint`.
    public init(endpoint: ParentEndpoint, faults: LinkFaults? = nil, form: Form = .batch) {
        self.endpoint = endpoint
        self.faults = faults
        self.form = form
    }

    /// Creates a link that delivers every request to `service`.
    public init(service: ParentService) {
        self.init(endpoint: ParentEndpoint(service))
    }

    /// The parent's service now.
    var service: ParentService { endpoint.service }

    /// Sends a push through the wire encoding, with the next fault.
    public func push(_ request: PushRequest) async throws -> PushResponse {
        let sent = switch form {
        case .batch: try BatchCodec.decodePush(BatchCodec.encode(request))
        case .json: try WireCoding.decode(PushRequest.self, from: try WireCoding.encode(request))
        }
        let (fault, replay) = faults?.next(push: sent) ?? (.deliver, nil)
        await deliverLate(replay)
        let answer = try await exchange(fault, request: "push") { try await service.receive(sent) }
        return try WireCoding.decode(PushResponse.self, from: try WireCoding.encode(answer))
    }

    /// Asks for a pull answer through the wire encoding, with the next fault.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, applied: nil, epoch: epoch, limit: limit)
    }

    /// Asks for a pull answer ahead of applying the one before, with the next fault.
    public func pull(node: String, after: Int64, applied: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, applied: Optional(applied), epoch: epoch, limit: limit)
    }

    private func pull(node: String, after: Int64, applied: Int64?, epoch: String?, limit: Int) async throws -> PullResponse {
        let (fault, replay) = faults?.next(push: nil) ?? (.deliver, nil)
        await deliverLate(replay)
        let answer = try await exchange(fault, request: "pull") {
            try await service.pull(caller: node, after: after, applied: applied, epoch: epoch, limit: limit)
        }
        return switch form {
        case .batch: try BatchCodec.decodePull(BatchCodec.encode(answer))
        case .json: try WireCoding.decode(PullResponse.self, from: try WireCoding.encode(answer))
        }
    }

    /// Sends the child's summary, always delivered.
    public func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        try await refusing { try await service.receiveSummary(request) }
    }

    /// Delivers an old push again, late; whatever the parent makes of it goes nowhere.
    private func deliverLate(_ replay: PushRequest?) async {
        if let replay { _ = try? await service.receive(replay) }
    }

    /// Runs `call` at the parent as `fault` says.
    private func exchange<Answer: Sendable>(_ fault: LinkFault, request: String, _ call: () async throws -> Answer) async throws -> Answer {
        switch fault {
        case .dropRequest:
            throw LinkFailure(fault: fault, request: request)
        case .loseAnswer:
            _ = try? await refusing(call)
            throw LinkFailure(fault: fault, request: request)
        case .duplicate:
            _ = try? await refusing(call)
            return try await refusing(call)
        case .deliver, .replayEarlier:
            return try await refusing(call)
        }
    }

    /// Runs `call`, turning the service's errors into the refusal an HTTP answer carries.
    private func refusing<Answer: Sendable>(_ call: () async throws -> Answer) async throws -> Answer {
        do {
            return try await call()
        } catch {
            let answer = APIError.from(error)
            throw SyncError.refused(status: Int(answer.status.code), body: answer.body)
        }
    }

    /// A logger that drops everything, for services and replicators under test.
    public static let quiet = Logger(label: "tiersync.test") { _ in SwiftLogNoOpLogHandler() }
}
