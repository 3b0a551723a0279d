import Foundation
import Hummingbird
import Logging
import TierSyncAuth
import TierSyncEngine
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// The limits a node's HTTP API enforces.
public struct APILimits: Sendable {
    /// The largest request body accepted, in bytes. The default is 64 MiB.
    public var bodyBytes: Int
    /// The most changes one push may carry. The default is 20000.
    public var batchChanges: Int

    /// Creates limits.
    public init(bodyBytes: Int = 64 << 20, batchChanges: Int = 20000) {
        self.bodyBytes = bodyBytes
        self.batchChanges = batchChanges
    }
}

/// The routes every node serves: the sync protocol for its children, the operator's
/// conflict queue, and its status. Sync routes take requests signed by a configured child,
/// conflict routes requests signed with the node's own key; health and status are open.
public struct SyncRoutes: Sendable {
    let service: ParentService
    let limits: APILimits
    let authenticator: RequestAuthenticator

    /// Creates the routes over a parent service, checking signatures with `verifier` and
    /// logging refused child requests to `refusals`.
    public init(service: ParentService, verifier: RequestVerifier, limits: APILimits = APILimits(), refusals: RefusalLog? = nil) {
        self.service = service
        self.limits = limits
        authenticator = RequestAuthenticator(verifier: verifier, bodyLimit: limits.bodyBytes, refusals: refusals)
    }

    /// Adds the routes to a router.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/v1/status") { _, _ in
            try await Self.answer { try JSONResponse.make(try await StatusReporter.status(of: service.store, retention: service.retention)) }
        }
        router.post("/v1/push") { request, _ in
            try await Self.answer {
                // A body in the batch form says so by its type; any other body is JSON.
                let binary = BatchCodec.isNamed(in: request.headers[.contentType])
                let push = try await authenticator.childMessage(request, decode: { data throws(WireError) in
                    binary ? try BatchCodec.decodePush(data) : try WireCoding.decode(PushRequest.self, from: data)
                }, node: { $0.node })
                guard push.changes.count <= limits.batchChanges else {
                    throw APIError(.contentTooLarge, code: "batch_too_large",
                                   message: "the batch has \(push.changes.count) changes; this node accepts at most \(limits.batchChanges) per push (limits.batch_changes)")
                }
                return try JSONResponse.make(try await service.receive(push))
            }
        }
        router.get("/v1/conflicts") { request, _ in
            try await Self.answer {
                _ = try await authenticator.authenticate(request, access: .node)
                let query = request.uri.queryParameters
                let all = query["all"].map { $0 == "true" || $0 == "1" } ?? false
                let limit = try Self.integer(query["limit"].map(String.init), name: "limit").map { Int(clamping: $0) } ?? 1000
                guard limit >= 1 else { throw APIError(.badRequest, code: "bad_request", message: "limit must be 1 or more") }
                return try JSONResponse.make(try await service.store.conflicts(all: all, limit: limit).map(WireConflict.init))
            }
        }
        router.get("/v1/rejected") { request, _ in
            try await Self.answer {
                _ = try await authenticator.authenticate(request, access: .node)
                let limit = try Self.integer(request.uri.queryParameters["limit"].map(String.init), name: "limit").map { Int(clamping: $0) } ?? 1000
                guard limit >= 1 else { throw APIError(.badRequest, code: "bad_request", message: "limit must be 1 or more") }
                return try JSONResponse.make(try await service.store.rejections(limit: limit))
            }
        }
        router.post("/v1/conflicts/:id/resolve") { request, context in
            try await Self.answer {
                guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                    throw APIError(.badRequest, code: "bad_request", message: "the conflict id in the path must be an integer")
                }
                let signed = try await authenticator.authenticate(request, access: .node)
                let choice = try WireCoding.decode(ResolveRequest.self, from: signed.body).choice()
                return try JSONResponse.make(WireConflict(try await service.store.resolveConflict(id: id, keep: choice)))
            }
        }
        router.get("/v1/pull") { request, _ in
            try await Self.answer {
                let signed = try await authenticator.authenticate(request, access: .child)
                let query = request.uri.queryParameters
                guard let node = query["node"].map(String.init), !node.isEmpty else {
                    throw APIError(.badRequest, code: "bad_request", message: "the query needs node=<the child's id>")
                }
                try authenticator.require(signed, speaksFor: node)
                let after = try Self.integer(query["after"].map(String.init), name: "after") ?? 0
                let applied = try Self.integer(query["applied"].map(String.init), name: "applied")
                let limit = try Self.integer(query["limit"].map(String.init), name: "limit").map { Int(clamping: $0) }
                if let limit, limit < 1 {
                    throw APIError(.badRequest, code: "bad_request", message: "limit must be 1 or more")
                }
                let epoch = query["epoch"].map(String.init)
                let wait = try Self.integer(query["wait"].map(String.init), name: "wait") ?? 0
                guard (0...Int64(ParentService.longestWait)).contains(wait) else {
                    throw APIError(.badRequest, code: "bad_request",
                                   message: "wait must be 0 to \(ParentService.longestWait) seconds (how long this node may hold the pull for new changes), got \(wait)")
                }
                let answer = try await service.pull(caller: node, after: after, applied: applied, epoch: epoch, limit: limit, wait: .seconds(wait))
                // The batch form only for a child that asks for it; JSON otherwise.
                guard BatchCodec.isNamed(in: request.headers[.accept]) else { return try JSONResponse.make(answer) }
                return Response(status: .ok, headers: [.contentType: BatchCodec.mediaType],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: BatchCodec.encode(answer))))
            }
        }
    }

    private static func integer(_ text: String?, name: String) throws -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text) else {
            throw APIError(.badRequest, code: "bad_request", message: "\(name) must be an integer, got '\(text)'")
        }
        return value
    }

    static func answer(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch {
            throw APIError.from(error)
        }
    }
}
