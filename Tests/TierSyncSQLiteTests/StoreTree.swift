import Foundation
import GRDB
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncTesting

/// Stores of a few nodes (default schema) synced in process through the real parent
/// service and child replicator, with an application connection to each node's file.
final class StoreTree {
    let ids: [String]
    let directory: TemporaryDirectory
    private(set) var stores: [String: SQLiteStore] = [:]
    private(set) var connections: [String: DatabaseQueue] = [:]

    init(_ ids: [String]) throws {
        self.ids = ids
        directory = try TemporaryDirectory()
        for id in ids {
            stores[id] = try directory.store(id)
            connections[id] = try directory.application(id)
        }
    }

    /// The parent service of `id`.
    func service(_ id: String) -> ParentService {
        ParentService(store: stores[id]!, logger: InProcessLink.quiet)
    }

    /// One push-and-pull round of `id` against its parent.
    @discardableResult
    func round(_ id: String) async throws -> RoundReport {
        let link = InProcessLink(service: service(try NodeID(id).parent!.description))
        return try await ChildReplicator(store: stores[id]!, link: link, logger: InProcessLink.quiet).round()
    }

    /// `passes` rounds of each of `children` (every node but the root when nil), deepest
    /// first and then shallowest first.
    func sync(_ children: [String]? = nil, passes: Int = 3) async throws {
        let order = (children ?? ids.filter { $0.contains(".") }).sorted { $0.count > $1.count }
        for _ in 0..<passes {
            for id in order + order.reversed() { try await round(id) }
        }
    }

    /// Runs `sql` at `id` as an application would.
    func write(_ id: String, _ sql: String) async throws {
        try await connections[id]!.write { try $0.execute(sql: sql) }
    }

    /// The first column of the first row `sql` reads at `id`, as text.
    func value(_ id: String, _ sql: String) async throws -> String? {
        try await connections[id]!.read { try String.fetchOne($0, sql: sql) }
    }
}
