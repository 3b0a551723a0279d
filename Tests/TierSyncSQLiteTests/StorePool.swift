import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite
import TierSyncTesting

/// Stores for the largest tree of the property test (a group, two provinces, two cities
/// each) in memory-backed files, emptied between cases, with each node's application
/// connection.
final class StorePool {
    let directory: TemporaryDirectory
    let declared: SyncSchema
    let schema: SyncSchema
    private(set) var stores: [NodeID: SQLiteStore] = [:]
    var connections: [NodeID: DatabaseQueue] = [:]

    init(schema: SyncSchema) throws {
        // Every apply commits with a sync; memory-backed files keep a thousand cases fast.
        directory = try TemporaryDirectory(base: TemporaryDirectory.memoryBacked)
        declared = schema
        var nodes = [try NodeID("cn")]
        for province in 0..<2 {
            nodes.append(try NodeID("cn.p\(province)"))
            for city in 0..<2 { nodes.append(try NodeID("cn.p\(province).c\(city)")) }
        }
        for node in nodes {
            stores[node] = try directory.store(node.description, schema: schema)
            connections[node] = try directory.application(node.description)
        }
        self.schema = stores.values.first!.schema
    }

    /// A crash of `node`'s daemon: its store is closed and opened again from its file, and
    /// whatever it held only in memory is gone.
    func reopen(_ node: NodeID) throws -> SQLiteStore {
        try stores[node]?.close()
        let store = try directory.store(node.description, schema: declared)
        stores[node] = store
        return store
    }

    /// Empties every table and TierSync's own tables at `nodes`, with capture muted.
    func reset(_ nodes: [NodeID]? = nil) throws {
        for connection in (nodes ?? Array(connections.keys)).compactMap({ connections[$0] }) {
            try connection.write { db in
                try db.execute(sql: "UPDATE _ts_node SET applying = 1 WHERE id = 1")
                for table in schema.tables { try db.execute(sql: "DELETE FROM \(table.name)") }
                try db.execute(sql: """
                    DELETE FROM _ts_log; DELETE FROM _ts_capture; DELETE FROM _ts_evict; DELETE FROM _ts_conflict;
                    DELETE FROM _ts_rejected; DELETE FROM _ts_peer; DELETE FROM _ts_resync; DELETE FROM _ts_purged; DELETE FROM _ts_horizon; DELETE FROM _ts_kept;
                    UPDATE _ts_node SET purged = 0
                    """)
                try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
            }
        }
    }
}
