import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite

/// A fresh SQLite file in a temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL

    /// Creates the directory under the system's temporary directory, or under `base`
    /// (for example memory-backed /dev/shm for tests that commit thousands of times).
    init(base: URL? = nil) throws {
        url = (base ?? FileManager.default.temporaryDirectory).appendingPathComponent("tiersync-store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Opens a store for `node` in this directory.
    func store(_ node: String, schema: SyncSchema = .standard) throws -> SQLiteStore {
        try SQLiteStore(path: path("\(node).sqlite"), node: try NodeID(node), schema: schema)
    }

    /// The default schema with columns and keys filled in, as an opened store sees it.
    static let standard: SyncSchema = {
        do {
            let directory = try TemporaryDirectory()
            return try directory.store("cn").schema
        } catch {
            fatalError("cannot open a temporary store: \(error)")
        }
    }()

    /// A table of the default schema with its columns and keys filled in.
    static func resolved(_ table: String) -> TableSchema {
        standard.table(named: table)!
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
