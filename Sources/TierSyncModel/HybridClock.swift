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

    /// Takes in a stamp `writer` made, received at wall-clock time `nowMillis`, so later
    /// local stamps exceed it; unless it lies more than `lead` ahead of that wall clock:
    /// then the clock stays where it was, and the stamp beyond the bound is returned, for
    /// the input that carries it to be refused (`limits.stamp_lead`).
    @discardableResult
    public mutating func observe(_ remote: HybridTimestamp, from writer: NodeID, nowMillis: Int64, lead: StampLead = StampLead()) -> StampLead.Excess? {
        if let excess = lead.excess(of: remote, by: writer, nowMillis: nowMillis) { return excess }
        if remote > last { last = remote }
        return nil
    }
}
