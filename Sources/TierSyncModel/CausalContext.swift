/// What a node has seen of one row: for each node that ever wrote the row, the stamp of its
/// latest write that reached here.
///
/// Writes to a row come from its owner and the owner's ancestors, so a context holds at
/// most a few entries. A write is *covered* when the context has seen it; two writes neither
/// of whose contexts covers the other were made concurrently.
public struct CausalContext: Hashable, Sendable {
    /// The latest stamp seen from each writer.
    public private(set) var stamps: [NodeID: HybridTimestamp]

    /// Creates a context from its entries.
    public init(_ stamps: [NodeID: HybridTimestamp] = [:]) {
        self.stamps = stamps
    }

    /// True when this context has seen the write `version`.
    public func covers(_ version: Version) -> Bool {
        (stamps[version.origin] ?? .zero) >= version.stamp
    }

    /// Records a write as seen.
    public mutating func record(_ version: Version) {
        if !covers(version) { stamps[version.origin] = version.stamp }
    }

    /// True when this context has seen every write `other` has seen.
    public func covers(_ other: CausalContext) -> Bool {
        other.stamps.allSatisfy { (stamps[$0.key] ?? .zero) >= $0.value }
    }

    /// Everything seen here or in `other`.
    public func union(_ other: CausalContext) -> CausalContext {
        CausalContext(stamps.merging(other.stamps) { max($0, $1) })
    }
}
