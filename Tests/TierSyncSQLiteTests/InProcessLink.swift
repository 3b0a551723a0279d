import Foundation
import Logging
import TierSyncEngine
import TierSyncWire

/// A child's way to its parent inside one process: the parent's ``ParentService``, with
/// every request and answer sent through the JSON encoding, as over HTTP.
struct InProcessLink: ParentLink {
    let service: ParentService

    func push(_ request: PushRequest) async throws -> PushResponse {
        let received = try WireCoding.decode(PushRequest.self, from: try WireCoding.encode(request))
        return try WireCoding.decode(PushResponse.self, from: try WireCoding.encode(try await service.receive(received)))
    }

    func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        let answer = try await service.pull(caller: node, after: after, epoch: epoch, limit: limit)
        return try WireCoding.decode(PullResponse.self, from: try WireCoding.encode(answer))
    }

    /// A logger that drops everything, for services and replicators under test.
    static let quiet = Logger(label: "tiersync.test") { _ in SwiftLogNoOpLogHandler() }
}
