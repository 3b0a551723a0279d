import Foundation
import Hummingbird
import TierSyncEngine
import TierSyncWire

/// The resync routes every node serves its children: digests of the rows a child should
/// hold, and the states of the rows in the digest leaves it asks for.
public struct ResyncRoutes: Sendable {
    let service: ResyncService
    let limits: APILimits

    /// Creates the routes over a resync service.
    public init(service: ResyncService, limits: APILimits = APILimits()) {
        self.service = service
        self.limits = limits
    }

    /// Adds `POST /v1/resync/digest` and `POST /v1/resync/rows` to a router.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.post("/v1/resync/digest") { request, _ in
            try await SyncRoutes.answer {
                let buffer = try await request.body.collect(upTo: limits.bodyBytes)
                let digest = try WireCoding.decode(DigestRequest.self, from: Data(buffer.readableBytesView))
                return try JSONResponse.make(try await service.digest(digest))
            }
        }
        router.post("/v1/resync/rows") { request, _ in
            try await SyncRoutes.answer {
                let buffer = try await request.body.collect(upTo: limits.bodyBytes)
                let rows = try WireCoding.decode(ResyncRowsRequest.self, from: Data(buffer.readableBytesView))
                return try JSONResponse.make(try await service.rows(rows))
            }
        }
    }
}
