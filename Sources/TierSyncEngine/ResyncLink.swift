import TierSyncWire

/// How a child reaches its parent's resync endpoints. The HTTP client implements it.
public protocol ResyncLink: ParentLink {
    /// Asks for digests of the parent's rows in the child's scope.
    func digest(_ request: DigestRequest) async throws -> DigestResponse
    /// Asks for the parent's states of the rows in some digest leaves.
    func rows(_ request: ResyncRowsRequest) async throws -> ResyncRowsResponse
    /// The bytes this link has sent and received so far (request and answer bodies, and
    /// the query of each request).
    var bytesMoved: Int64 { get }
}
