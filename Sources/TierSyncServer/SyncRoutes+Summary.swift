import Foundation
import Hummingbird
import TierSyncEngine
import TierSyncWire

extension SyncRoutes {
    /// Adds `POST /v1/summary`: a child's summary of itself and its subtree, which the
    /// status page and the reports' freshness read.
    public func addSummary<Context: RequestContext>(to router: Router<Context>) {
        router.post("/v1/summary") { request, _ in
            do {
                let buffer = try await request.body.collect(upTo: limits.bodyBytes)
                let summary = try WireCoding.decode(SummaryRequest.self, from: Data(buffer.readableBytesView))
                return try JSONResponse.make(try await service.receiveSummary(summary))
            } catch {
                throw APIError.from(error)
            }
        }
    }
}
