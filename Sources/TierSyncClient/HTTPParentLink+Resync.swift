import Foundation
import TierSyncEngine
import TierSyncWire

extension HTTPParentLink {
    /// Asks the parent for digests (`POST /v1/resync/digest`).
    public func digest(_ request: DigestRequest) async throws -> DigestResponse {
        try await send(try post("v1/resync/digest", request), as: DigestResponse.self)
    }

    /// Asks the parent for its states of the rows in some digest leaves (`POST /v1/resync/rows`).
    public func rows(_ request: ResyncRowsRequest) async throws -> ResyncRowsResponse {
        try await send(try post("v1/resync/rows", request), as: ResyncRowsResponse.self)
    }
}
