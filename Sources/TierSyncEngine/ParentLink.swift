import TierSyncWire

/// How a child reaches its parent. The HTTP client implements it; tests may implement it
/// in process.
public protocol ParentLink: Sendable {
    /// Sends a batch of the child's changes; returns after the parent committed it.
    func push(_ request: PushRequest) async throws -> PushResponse
    /// Asks for the parent's changes for `node` after `after` in the parent's log `epoch`.
    func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse
    /// Sends the child's summary of itself and its subtree.
    func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse
}

extension ParentLink {
    /// A link that cannot carry summaries sends none.
    public func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        SummaryResponse(nodes: 0)
    }
}
