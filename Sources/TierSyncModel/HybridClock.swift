/// A hybrid logical clock: stamps that never go backwards, stay close to wall-clock time,
/// and move past every stamp the node has seen from elsewhere.
public struct HybridClock: Sendable {
    /// The last stamp this clock issued or observed.
    public private(set) var last: HybridTimestamp

    /// Starts from a stamp already issued, or from zero.
    public init(last: HybridTimestamp = .zero) { self.last = last }

    /// The next stamp for a local event at wall-clock time `nowMillis`.
    public mutating func tick(nowMillis: Int64) -> HybridTimestamp {
        let physical = HybridTimestamp(millis: nowMillis)
        last = max(HybridTimestamp(rawValue: last.rawValue + 1), physical)
        return last
    }

    /// Takes in a stamp received from another node, so later local stamps exceed it.
    public mutating func observe(_ remote: HybridTimestamp) {
        if remote > last { last = remote }
    }
}
