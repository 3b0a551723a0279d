/// The version of one row: the stamp of the write that produced it and the node that made
/// that write.
///
/// Versions are totally ordered: by stamp, then by origin id (byte order of the dotted
/// text). Every node therefore picks the same winner between two versions.
public struct Version: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The hybrid logical clock stamp of the write.
    public var stamp: HybridTimestamp
    /// The node where the write was made.
    public var origin: NodeID

    /// Creates a version.
    public init(stamp: HybridTimestamp, origin: NodeID) {
        self.stamp = stamp
        self.origin = origin
    }

    /// Orders by stamp, then by origin.
    public static func < (lhs: Version, rhs: Version) -> Bool {
        lhs.stamp != rhs.stamp ? lhs.stamp < rhs.stamp : lhs.origin < rhs.origin
    }

    /// `stamp@origin`, for logs and listings.
    public var description: String { "\(stamp)@\(origin)" }
}
