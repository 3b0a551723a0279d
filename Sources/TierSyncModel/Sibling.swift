/// One value a register holds, written by one write.
///
/// A register (the whole row, one column, or the row's existence) normally holds one
/// sibling. When writes made concurrently meet, it holds one per write until a later write
/// supersedes them all; the register's value is then its winning sibling's.
public struct Sibling: Hashable, Sendable {
    /// The write that produced the value.
    public var version: Version
    /// The write's rank under the register's rule: a higher priority wins, then the higher
    /// version. Computed once, where the write was made.
    public var priority: Int
    /// The register's values: the whole row in column order for a row register, one value
    /// for a column register, `[0]` or `[1]` (deleted) for the existence register. Nil
    /// when not known here.
    public var values: [SQLValue]?

    /// Creates a sibling.
    public init(version: Version, priority: Int, values: [SQLValue]?) {
        self.version = version
        self.priority = priority
        self.values = values
    }

    /// True when this sibling wins over `other`: the higher priority, then the higher version
    /// (stamp, then origin id).
    public func wins(over other: Sibling) -> Bool {
        priority != other.priority ? priority > other.priority : version > other.version
    }
}

extension Array where Element == Sibling {
    /// The siblings ordered winner first.
    public func ranked() -> [Sibling] {
        sorted { $0.wins(over: $1) }
    }

    /// True when a sibling of this register was produced by the write `version`.
    public func contains(write version: Version) -> Bool {
        contains { $0.version == version }
    }

    /// The set of writes this register holds.
    public var writes: Set<Version> { Set(map(\.version)) }
}
