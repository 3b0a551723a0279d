/// What removing a child that is gone deleted at its parent (`tiersync children remove`).
public struct RemovedChild: Sendable, Equatable, Codable {
    /// The child's peer record as it was: cursors, last contact, resync request.
    public var peer: PeerState
    /// The error-queue entries of changes it had pushed.
    public var rejected: Int
    /// The nodes of its subtree summary (itself and those below it).
    public var summarizedNodes: Int

    /// Creates the record.
    public init(peer: PeerState, rejected: Int, summarizedNodes: Int) {
        self.peer = peer
        self.rejected = rejected
        self.summarizedNodes = summarizedNodes
    }
}
