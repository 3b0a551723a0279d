import TierSyncWire

/// How a child reaches its parent. The HTTP client implements it; tests may implement it
/// in process.
public protocol ParentLink: Sendable {
    /// Sends a batch of the child's changes; returns after the parent committed it.
    func push(_ request: PushRequest) async throws -> PushResponse
    /// Asks for the parent's changes for `node` after `after` in the parent's log `epoch`.
    func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse
    /// Asks the same ahead of applying what came before `after`: the child has applied the
    /// parent's log only through `applied`, which the parent keeps as its acknowledgement
    /// (a purge waits for it, SYNC.md 14.1).
    func pull(node: String, after: Int64, applied: Int64, epoch: String?, limit: Int) async throws -> PullResponse
    /// Asks the same, letting the parent hold the request up to `wait` seconds until its log
    /// has something for `node` (a long-poll; ``ParentService/pull(caller:after:epoch:limit:wait:)``).
    func pull(node: String, after: Int64, epoch: String?, limit: Int, wait: Int) async throws -> PullResponse
    /// True when the parent holds a pull that asks it to wait: only then does the node keep a
    /// long-poll outstanding. Without it, the child learns of its parent's changes at its rounds.
    var holdsPulls: Bool { get }
    /// Sends the child's summary of itself and its subtree.
    func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse
}

extension ParentLink {
    /// A link that cannot carry summaries sends none.
    public func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        SummaryResponse(nodes: 0)
    }

    /// A link that cannot say what was applied asks as if `after` were (for tests' links).
    public func pull(node: String, after: Int64, applied: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, epoch: epoch, limit: limit)
    }

    /// A link that cannot hold a pull asks without waiting.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int, wait: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, epoch: epoch, limit: limit)
    }

    /// A link holds no pull unless it says so.
    public var holdsPulls: Bool { false }
}
