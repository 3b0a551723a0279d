import TierSyncModel
import TierSyncStore

/// A store backend as the conformance suite (``StoreConformance``) drives it: it opens the
/// stores of nodes, each over its own database, and writes to a node's tables as the
/// node's applications would.
public protocol StoreBackend: Sendable {
    /// Opens the store of `node` with `schema`, creating its database the first time. A
    /// store of the same node opened before is closed first; the new one sees everything
    /// the old one committed, and nothing it had only in memory.
    func open(_ node: NodeID, schema: SyncSchema) async throws -> any ResyncStore

    /// Runs `sql`, plain `INSERT`, `UPDATE` and `DELETE` statements on synced tables, on the
    /// node's database in one transaction, as an application would: the store must capture
    /// them as local writes.
    func execute(_ sql: String, at node: NodeID) async throws
}
