import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite
import TierSyncStore

/// A fresh directory for a test's SQLite stores, removed with everything in it when the
/// last reference goes.
public final class TemporaryDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// Creates the directory under the system's temporary directory, or under `base`
    /// (for example ``memoryBacked``, for tests that commit thousands of times).
    public init(base: URL? = nil) throws {
        url = (base ?? FileManager.default.temporaryDirectory).appendingPathComponent("tiersync-store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `/dev/shm` where it exists and is writable (a commit's sync costs nothing there),
    /// otherwise nil: the system's temporary directory.
    public static var memoryBacked: URL? {
        let shm = URL(fileURLWithPath: "/dev/shm")
        return FileManager.default.isWritableFile(atPath: shm.path) ? shm : nil
    }

    /// The path of the file `name` in this directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The path of `node`'s database file in this directory.
    public func databasePath(_ node: String) -> String { path("\(node).sqlite") }

    /// Opens (creating it the first time) the store of `node` in this directory.
    public func store(_ node: String, schema: SyncSchema = .standard) throws -> SQLiteStore {
        try SQLiteStore(path: databasePath(node), node: try NodeID(node), schema: schema)
    }

    /// The default schema with columns and keys filled in, as an opened store sees it.
    public static let standard: SyncSchema = {
        do {
            let directory = try TemporaryDirectory()
            return try directory.store("cn").schema
        } catch {
            fatalError("cannot open a temporary store: \(error)")
        }
    }()

    /// A table of the default schema with its columns and keys filled in.
    public static func resolved(_ table: String) -> TableSchema {
        standard.table(named: table)!
    }

    /// A second, plain connection to a node's file, as another process would open it.
    public func application(_ node: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: databasePath(node), configuration: configuration)
    }
}

extension ChangeStore {
    /// Every change in the log, in log order.
    public func allChanges() async throws -> [Change] {
        try await changes(after: 0, limit: 1_000_000, scanLimit: 1_000_000, selecting: .everything).changes
    }
}
