import TierSyncModel

/// The JSON form of one change.
///
/// `values` lists every column in the order the batch's `columns` gives for the table: the
/// row's values, or for a deleted row the values it had (absent when not known).
public struct WireChange: Codable, Sendable, Hashable {
    /// The table's name.
    public var table: String
    /// The primary-key values in key-column order.
    public var key: [WireValue]
    /// All column values, or nil when not known (a deleted row).
    public var values: [WireValue]?
    /// True when the row is deleted.
    public var deleted: Bool?
    /// The packed hybrid-logical-clock stamp of the existence register's winning write.
    public var stamp: Int64
    /// The node where that write was made.
    public var origin: String
    /// The node whose subtree holds exactly this state already (the writer, or the node
    /// that merged it). Absent means `origin`.
    public var source: String?
    /// The row's causal context and registers.
    public var meta: WireMeta
    /// The node that owns the row.
    public var scope: String
    /// The row's previous owner, when it moved.
    public var previousScope: String?

    /// Creates a change from its fields, as a decoder reads them.
    public init(table: String, key: [WireValue], values: [WireValue]?, deleted: Bool?, stamp: Int64, origin: String, source: String?,
                meta: WireMeta, scope: String, previousScope: String?) {
        self.table = table
        self.key = key
        self.values = values
        self.deleted = deleted
        self.stamp = stamp
        self.origin = origin
        self.source = source
        self.meta = meta
        self.scope = scope
        self.previousScope = previousScope
    }

    /// Converts a model change.
    public init(_ change: Change) {
        table = change.table
        key = change.key.map(WireValue.init)
        values = change.values?.map(WireValue.init)
        deleted = change.deleted ? true : nil
        stamp = change.version.stamp.rawValue
        origin = change.version.origin.description
        source = change.source == change.version.origin ? nil : change.source.description
        meta = WireMeta(change.meta)
        scope = change.scope.description
        previousScope = change.previousScope?.description
    }

    /// The model change, with node ids validated.
    /// - Throws: ``WireError/invalid(_:)`` naming the field at fault.
    public func change() throws(WireError) -> Change {
        do {
            let version = Version(stamp: HybridTimestamp(rawValue: stamp), origin: try NodeID(origin))
            return Change(
                table: table, key: key.map(\.value), values: values?.map { $0.value }, deleted: deleted ?? false,
                version: version, scope: try NodeID(scope), previousScope: try previousScope.map { try NodeID($0) },
                source: try source.map { try NodeID($0) } ?? version.origin, meta: meta.meta)
        } catch {
            throw .invalid("change to \(table): \(error)")
        }
    }
}
