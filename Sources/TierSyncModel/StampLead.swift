/// How far ahead of a receiver's wall clock a received stamp may lie (`limits.stamp_lead`).
///
/// A node's hybrid clock moves past every stamp it takes in, so one stamp from a node whose
/// clock runs fast would carry this node, and every later write of its subtree, ahead of
/// real time. Every stamp a received change names (its version, its registers' writes, its
/// bases and its causal context) is checked against this bound before anything of the
/// input is applied; input beyond it is refused whole and leaves the clock where it was.
public struct StampLead: Sendable, Hashable {
    /// The default bound: 30 seconds, well above the drift of NTP-synchronised clocks and
    /// small enough that a refused node's lead is noticed at once.
    public static let defaultSeconds = 30

    /// The bound, in seconds. The default is ``defaultSeconds``.
    public var seconds: Int

    /// Creates a bound of `seconds` (30 by default).
    public init(seconds: Int = StampLead.defaultSeconds) {
        self.seconds = seconds
    }

    /// A stamp beyond the bound: the write that carries it and how far ahead it lies.
    public struct Excess: Hashable, Sendable, CustomStringConvertible {
        /// The node the stamp belongs to.
        public var writer: NodeID
        /// The stamp.
        public var stamp: HybridTimestamp
        /// How far the stamp lies ahead of the receiver's wall clock, in milliseconds.
        public var leadMillis: Int64
        /// The bound it exceeds, in seconds.
        public var limit: Int

        /// Names the writer, the lead and the setting.
        public var description: String {
            "the write by \(writer) is stamped \(StampLead.seconds(leadMillis)) s ahead of this node's wall clock; "
                + "at most \(limit) s is accepted (limits.stamp_lead)"
        }
    }

    /// The latest stamp `nowMillis` accepts.
    public func horizon(nowMillis: Int64) -> HybridTimestamp {
        HybridTimestamp(millis: nowMillis + Int64(seconds) * 1000, counter: .max)
    }

    /// The first stamp of `change` that lies more than the bound ahead of `nowMillis`, or
    /// nil when every stamp is within it.
    public func excess(in change: Change, nowMillis: Int64) -> Excess? {
        Self.stamps(of: change).lazy.compactMap { excess(of: $0.stamp, by: $0.writer, nowMillis: nowMillis) }.first
    }

    /// The first stamp of an eviction's context that lies more than the bound ahead of
    /// `nowMillis`, or nil when every stamp is within it.
    public func excess(in eviction: Eviction, nowMillis: Int64) -> Excess? {
        eviction.context.stamps.sorted { $0.key < $1.key }.lazy.compactMap { excess(of: $0.value, by: $0.key, nowMillis: nowMillis) }.first
    }

    /// `stamp`, made by `writer`, when it lies more than the bound ahead of `nowMillis`;
    /// nil when it is within it.
    public func excess(of stamp: HybridTimestamp, by writer: NodeID, nowMillis: Int64) -> Excess? {
        guard stamp > horizon(nowMillis: nowMillis) else { return nil }
        return Excess(writer: writer, stamp: stamp, leadMillis: stamp.millis - nowMillis, limit: seconds)
    }

    /// Every stamp a change names, each with its writer: the version, the writes its
    /// registers hold, the writes its bases replaced, and its causal context, latest first.
    public static func stamps(of change: Change) -> [(writer: NodeID, stamp: HybridTimestamp)] {
        let meta = change.meta
        var versions = [change.version] + meta.existence.map(\.version) + meta.registers.values.joined().map(\.version)
        versions += meta.bases.values.map(\.version)
        let all = versions.map { ($0.origin, $0.stamp) } + meta.context.stamps.map { ($0.key, $0.value) }
        return all.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { (writer: $0.0, stamp: $0.1) }
    }

    /// How far a node's clock, whose last stamp is `clock`, runs ahead of its wall clock at
    /// `nowMillis`, in milliseconds; zero when it does not.
    public static func lead(of clock: HybridTimestamp, nowMillis: Int64) -> Int64 {
        max(0, clock.millis - nowMillis)
    }

    /// A clock lead for people: `N ms` below a second, else seconds with one decimal.
    public static func text(millis: Int64) -> String {
        millis < 1000 ? "\(millis) ms" : "\(seconds(millis)) s"
    }

    /// Milliseconds as seconds with one decimal, for messages.
    static func seconds(_ millis: Int64) -> String {
        let tenths = (millis + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
}
