import TierSyncModel

/// The JSON form of one change.
///
/// `values` lists every column in the order the batch's `columns` gives for the table, and
/// is absent for a deletion.
public struct WireChange: Codable, Sendable, Hashable {
    /// The table's name.
    public var table: String
    /// The primary-key values in key-column order.
    public var key: [WireValue]
    /// All column values, or nil for a deletion.
    public var values: [WireValue]?
    /// The packed hybrid-logical-clock stamp of the write.
    public var stamp: Int64
    /// The node where the write was made.
    public var origin: String
    /// The node that owns the row.
    public var scope: String
    /// The row's previous owner, when it moved.
    public var previousScope: String?

    /// Converts a model change.
    public init(_ change: Change) {
        table = change.table
        key = change.key.map(WireValue.init)
        values = change.values?.map(WireValue.init)
        stamp = change.version.stamp.rawValue
        origin = change.version.origin.description
        scope = change.scope.description
        previousScope = change.previousScope?.description
    }

    /// The model change, with node ids validated.
    /// - Throws: ``WireError/invalid(_:)`` naming the field at fault.
    public func change() throws(WireError) -> Change {
        do {
            return Change(
                table: table, key: key.map(\.value), values: values?.map { $0.value },
                version: Version(stamp: HybridTimestamp(rawValue: stamp), origin: try NodeID(origin)),
                scope: try NodeID(scope), previousScope: try previousScope.map { try NodeID($0) })
        } catch {
            throw .invalid("change to \(table): \(error)")
        }
    }
}
