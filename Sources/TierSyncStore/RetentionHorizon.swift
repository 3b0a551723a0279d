/// How far back a node's history must stay: the lowest log position some peer still needs,
/// and which peer that is. Entries after it are kept whatever their age.
public struct RetentionHorizon: Sendable, Equatable, Codable {
    /// Every entry at or below this position has been acknowledged by every peer that needs
    /// it: the parent's acknowledgement of this node's pushes, and each child's pull cursor.
    public var through: Int64
    /// The peer whose acknowledgement sets ``through`` (the lowest), if any: an absent child
    /// here holds the whole node's purge back until it returns or an operator removes it.
    public var heldBy: String?
    /// The peer's role: `parent` or `child`.
    public var heldByRole: PeerRole?
    /// Seconds a tombstone or eviction record is kept after its write even when every peer
    /// has it, so that a late or replayed copy of an older write cannot bring a row back.
    public var graceSeconds: Int

    /// Creates a horizon.
    public init(through: Int64, heldBy: String?, heldByRole: PeerRole?, graceSeconds: Int) {
        self.through = through
        self.heldBy = heldBy
        self.heldByRole = heldByRole
        self.graceSeconds = graceSeconds
    }
}
