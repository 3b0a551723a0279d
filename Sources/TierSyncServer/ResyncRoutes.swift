import Foundation
import Hummingbird
import TierSyncAuth
import TierSyncEngine
import TierSyncWire

/// The resync routes every node serves its children: digests of the rows a child should
/// hold, and the states of the rows in the digest leaves it asks for. Both take requests
/// signed by a configured child, speaking for itself.
public struct ResyncRoutes: Sendable {
    let service: ResyncService
    let authenticator: RequestAuthenticator

    /// Creates the routes over a resync service, checking signatures with `verifier` and
    /// logging refused child requests to `refusals`.
    public init(service: ResyncService, verifier: RequestVerifier, limits: APILimits = APILimits(), refusals: RefusalLog? = nil) {
        self.service = service
        authenticator = RequestAuthenticator(verifier: verifier, bodyLimit: limits.bodyBytes, refusals: refusals)
    }

    /// Adds `POST /v1/resync/digest` and `POST /v1/resync/rows` to a router.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.post("/v1/resync/digest") { request, _ in
            try await SyncRoutes.answer {
                let digest = try await authenticator.childMessage(request, as: DigestRequest.self) { $0.node }
                return try JSONResponse.make(try await service.digest(digest))
            }
        }
        router.post("/v1/resync/rows") { request, _ in
            try await SyncRoutes.answer {
                let rows = try await authenticator.childMessage(request, as: ResyncRowsRequest.self) { $0.node }
                return try JSONResponse.make(try await service.rows(rows))
            }
        }
    }
}
