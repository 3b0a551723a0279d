import Foundation
import TierSyncModel

/// A change received from a node on a newer schema that this node cannot store yet: it
/// names a table this node does not sync, or a column, a column rule or a conflict
/// register its table does not have yet; or an eviction of a table with such changes,
/// which must not pass them. It is kept, whole and as received, from the transaction that
/// acknowledged it until this node runs a schema it fits; then the engine applies it like
/// any received change (SYNC.md 2.1). Nothing of it is lost, and the link goes on
/// meanwhile.
///
/// The store keeps `body` as opaque bytes: the engine wrote it, and only the engine reads it.
public struct KeptChange: Sendable, Equatable {
    /// The store's id for it, in the order received; 0 before it is stored.
    public var id: Int64
    /// The node it came from.
    public var source: NodeID
    /// True when it came from a child's push: that child's rights apply when it is applied.
    public var fromChild: Bool
    /// The table it changes.
    public var table: String
    /// The schema version the sender ran.
    public var schemaVersion: Int
    /// The change as the engine encoded it, with everything needed to read it later.
    public var body: Data

    /// Creates a kept change.
    public init(id: Int64 = 0, source: NodeID, fromChild: Bool, table: String, schemaVersion: Int, body: Data) {
        self.id = id
        self.source = source
        self.fromChild = fromChild
        self.table = table
        self.schemaVersion = schemaVersion
        self.body = body
    }
}
