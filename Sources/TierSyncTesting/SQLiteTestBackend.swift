import Foundation
import GRDB
import Synchronization
import TierSyncModel
import TierSyncSQLite
import TierSyncStore

/// The SQLite backend for ``StoreConformance``: every node's store in its own file of one
/// ``TemporaryDirectory``, and application writes through a plain second connection.
public final class SQLiteTestBackend: StoreBackend {
    /// Where the files are; removed with the backend.
    public let directory: TemporaryDirectory
    private let open = Mutex<[NodeID: SQLiteStore]>([:])

    /// Creates a backend over a fresh directory, memory-backed where possible.
    public init() throws {
        directory = try TemporaryDirectory(base: TemporaryDirectory.memoryBacked)
    }

    deinit {
        for store in open.withLock({ Array($0.values) }) { try? store.close() }
    }

    /// Opens the store of `node`, closing the one opened before.
    public func open(_ node: NodeID, schema: SyncSchema) async throws -> any ResyncStore {
        if let previous = open.withLock({ $0.removeValue(forKey: node) }) { try previous.close() }
        let store = try directory.store(node.description, schema: schema)
        open.withLock { $0[node] = store }
        return store
    }

    /// Runs `sql` in one transaction of a second connection to the node's file.
    public func execute(_ sql: String, at node: NodeID) async throws {
        let connection = try directory.application(node.description)
        try await connection.write { db in try db.execute(sql: sql) }
        try connection.close()
    }
}
