import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

    /// A JSON POST to the parent.
    func post<T: Encodable>(_ path: String, _ body: T) throws -> URLRequest {
        var http = URLRequest(url: baseURL.appendingPathComponent(path))
        http.httpMethod = "POST"
        http.httpBody = try WireCoding.encode(body)
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        // libcurl asks for 100-continue before large bodies; the parent answers at once instead.
        http.setValue("", forHTTPHeaderField: "Expect")
        return http
    }
}
