import GRDB

/// How TierSync opens a node's SQLite file: the one place that decides what a commit, and
/// so an acknowledgement, promises.
///
/// Every connection TierSync commits through runs in WAL mode (``DatabasePool`` sets it)
/// with `PRAGMA synchronous = FULL` (``pool(path:label:busySeconds:)``): a commit returns only after its WAL frames are on
/// disk (fsync), so a batch a parent acknowledged, and the cursor written with it, survive
/// a power loss, not only a killed process. SQLite's usual choice for WAL, `NORMAL`, syncs
/// only at checkpoints: after a power loss the last commits may be gone although they were
/// acknowledged, and the child, which moved its cursor, would never send them again.
/// The cost is one fsync per transaction; the daemon commits a whole batch in one.
public enum DurableConnection {
    /// The `PRAGMA synchronous` level every TierSync connection uses: 2, `FULL`.
    public static let synchronousLevel = 2

    /// Opens a connection pool on a node's file whose writer syncs every commit.
    ///
    /// GRDB's pool switches its writer to `synchronous = NORMAL` when it sets up WAL mode,
    /// after any `prepareDatabase` step; so the level is set again on the writer once the
    /// pool is open, and checked.
    /// - Parameters:
    ///   - path: the database file.
    ///   - label: the pool's label in GRDB's diagnostics, e.g. `tiersync.cn.gd`.
    ///   - busySeconds: how long a statement waits for another process's write lock.
    /// - Throws: GRDB's error when the file cannot be opened, ``NotDurable`` when SQLite
    ///   does not keep the level.
    public static func pool(path: String, label: String, busySeconds: Double = 30) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busySeconds)
        configuration.label = label
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronousLevel)")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        let settings = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronousLevel)")
            return try Self.settings(db)
        }
        guard settings.survivesPowerLoss else {
            try? pool.close()
            throw NotDurable(path: path, settings: settings)
        }
        return pool
    }

    /// Opens a read-only connection pool on a node's existing file, for looking at a node
    /// without writing to it (`tiersync status`): it commits nothing, so it promises nothing.
    /// - Throws: GRDB's error when the file cannot be opened.
    public static func readOnlyPool(path: String, label: String, busySeconds: Double = 30) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busySeconds)
        configuration.label = label
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// A file whose connection would not sync every commit.
    public struct NotDurable: Error, CustomStringConvertible {
        /// The database file.
        public var path: String
        /// What SQLite reported instead.
        public var settings: Settings
        /// What went wrong and what to check.
        public var description: String {
            "\(path) runs with \(settings), not WAL with synchronous=\(DurableConnection.synchronousLevel): commits would not survive a power loss; check that the file is on a local filesystem that supports WAL"
        }
    }

    /// What a connection promises of its commits, as SQLite reports it.
    public struct Settings: Sendable, Equatable, CustomStringConvertible {
        /// The journal mode, e.g. `wal`.
        public var journalMode: String
        /// The `PRAGMA synchronous` level: 0 off, 1 normal, 2 full, 3 extra.
        public var synchronous: Int

        /// True when a commit on this connection survives a power loss: WAL with a sync on
        /// every commit (``DurableConnection/synchronousLevel`` or more).
        public var survivesPowerLoss: Bool { journalMode == "wal" && synchronous >= DurableConnection.synchronousLevel }

        /// For example `journal_mode=wal synchronous=2`.
        public var description: String { "journal_mode=\(journalMode) synchronous=\(synchronous)" }
    }

    /// The settings of connection `db`.
    public static func settings(_ db: Database) throws -> Settings {
        Settings(
            journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() ?? "",
            synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
    }
}
