import TierSyncModel

/// The JSON form of one eviction: a row left a scope the receiving child holds.
///
/// ```
/// {"table": "customer", "key": ["SZ-1"], "scope": "cn.gd.sz", "context": {"cn.gd.sz": 7341, "cn": 7302}}
/// ```
/// It names the row by its key only: no values, no metadata beyond the writes seen, and not
/// the row's new owner.
public struct WireEviction: Codable, Sendable, Hashable {
    /// The table's name.
    public var table: String
    /// The primary-key values in key-column order.
    public var key: [WireValue]
    /// The scope the row left: the receiver held it under this scope.
    public var scope: String
    /// The writes to the row the sender had seen: the latest stamp per writer.
    public var context: [String: Int64]

    /// Creates an eviction from its fields, as a decoder reads them.
    public init(table: String, key: [WireValue], scope: String, context: [String: Int64]) {
        self.table = table
        self.key = key
        self.scope = scope
        self.context = context
    }

    /// Converts a model eviction.
    public init(_ eviction: Eviction) {
        table = eviction.table
        key = eviction.key.map(WireValue.init)
        scope = eviction.scope.description
        context = Dictionary(uniqueKeysWithValues: eviction.context.stamps.map { ($0.key.description, $0.value.rawValue) })
    }

    /// The model eviction, with node ids and stamps validated; `source` is the sender.
    /// - Throws: ``WireError/invalid(_:)`` naming the field at fault.
    public func eviction(source: NodeID) throws(WireError) -> Eviction {
        var stamps: [NodeID: HybridTimestamp] = [:]
        for (node, stamp) in context {
            guard let id = try? NodeID(node) else { throw .invalid("eviction from \(table): context names '\(node)', which is not a node id") }
            guard stamp > 0 else { throw .invalid("eviction from \(table): the stamp of \(node) must be greater than 0, got \(stamp)") }
            stamps[id] = HybridTimestamp(rawValue: stamp)
        }
        guard let scope = try? NodeID(scope) else { throw .invalid("eviction from \(table): scope '\(scope)' is not a node id") }
        return Eviction(table: table, key: key.map(\.value), scope: scope, context: CausalContext(stamps), source: source)
    }
}
