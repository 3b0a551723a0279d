import Foundation
import Hummingbird
import TierSyncEngine
import TierSyncWire

extension SyncRoutes {
    /// Adds `POST /v1/summary`: a child's summary of itself and its subtree, which the
    /// status page and the reports' freshness read.
    public func addSummary<Context: RequestContext>(to router: Router<Context>) {
        router.post("/v1/summary") { request, _ in
            try await Self.answer {
                let summary = try await authenticator.childMessage(request, as: SummaryRequest.self) { $0.node }
                return try JSONResponse.make(try await service.receiveSummary(summary))
            }
        }
    }
}
