import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite

/// A fresh SQLite file in a temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Opens a store for `node` in this directory.
    func store(_ node: String, schema: SyncSchema = .standard) throws -> SQLiteStore {
        try SQLiteStore(path: path("\(node).sqlite"), node: try NodeID(node), schema: schema)
    }

    /// A second, plain connection to a node's file, as another process would open it.
    func application(_ node: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path("\(node).sqlite"), configuration: configuration)
    }
}

extension SQLiteStore {
    /// Every change in the log, in log order.
    func allChanges() async throws -> [Change] {
        try await changes(after: 0, limit: 1_000_000, scanLimit: 1_000_000) { _ in true }.changes
    }
}
