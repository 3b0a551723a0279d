import GRDB
import TierSyncStore

/// The layout of TierSync's own fixed tables (`_ts_node`, `_ts_log`, `_ts_evict`,
/// `_ts_peer`, `_ts_rejected`, `_ts_conflict`, `_ts_resync`, `_ts_purged`, `_ts_horizon`, `_ts_schema`,
/// `_ts_kept`), managed by GRDB's
/// `DatabaseMigrator`: each change of the layout is a named migration, and a store records
/// the migrations it has run in `grdb_migrations`.
///
/// What depends on the configured schema (the synced tables, the image columns of
/// `_ts_capture`, the capture triggers) is not a migration: ``SQLiteStore`` installs it on
/// every open, after the migrations.
///
/// A migration, once released, never changes: a later change of the layout is a new
/// migration registered after the others. Identifiers start with ``prefix``: an
/// application that migrates its own tables in the same file with GRDB records its
/// migrations in the same `grdb_migrations`, and TierSync leaves those alone.
enum StoreMigrations {
    /// The start of every TierSync migration's identifier.
    static let prefix = "tiersync-"

    /// The first migration. A store made before TierSync used migrations has no
    /// `grdb_migrations`, and any of the layouts its tables had since the change log kept
    /// row metadata: the migration creates the tables missing and adds the columns missing
    /// (``ChangeLogSQL/addedColumns``, ``ResyncSQL``), keeping every row. On an empty file
    /// it creates the layout.
    static let ownTables = prefix + "v1-own-tables"

    /// Retention (SYNC.md 14): how far purges have removed history (`_ts_node.purged`), what
    /// was seen of the purged tombstones (`_ts_purged`), when every peer had acknowledged how
    /// much (`_ts_horizon`), and an index of the tombstones by position so that a purge reads
    /// only them.
    static let retention = prefix + "v2-retention"

    /// Schema evolution (SYNC.md 2.1): each synced table's recorded rules and declared
    /// columns (`_ts_schema`) and
    /// the schema file's version the node last ran with (`_ts_node.schema_version`).
    static let schemaRecord = prefix + "v3-schema-record"

    /// Changes from a newer schema (SYNC.md 2.1): what a node received and cannot store yet,
    /// kept as received until it runs a schema they fit (`_ts_kept`), each once per sender
    /// however often a batch is sent again.
    static let keptChanges = prefix + "v4-kept-changes"

    /// Every migration this build knows, in the order they run.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        // Immediate foreign-key checks: GRDB's deferred checks would verify the whole file,
        // the synced tables included, which are not the migration's to judge.
        migrator.registerMigration(ownTables, foreignKeyChecks: .immediate) { db in
            try db.execute(sql: ChangeLogSQL.internalTables)
            try ResyncSQL.install(db)
            for added in ChangeLogSQL.addedColumns where try !db.columns(in: added.table).contains(where: { $0.name == added.column }) {
                try db.execute(sql: "ALTER TABLE \(added.table) ADD COLUMN \(added.column) \(added.declaration)")
            }
        }
        migrator.registerMigration(retention, foreignKeyChecks: .immediate) { db in
            try db.execute(sql: """
                ALTER TABLE _ts_node ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE _ts_purged(
                    tbl TEXT NOT NULL,
                    node TEXT NOT NULL,
                    hlc INTEGER NOT NULL,
                    PRIMARY KEY(tbl, node)
                ) WITHOUT ROWID;
                CREATE INDEX _ts_log_tombstones ON _ts_log(seq) WHERE deleted = 1;
                CREATE TABLE _ts_horizon(
                    at REAL PRIMARY KEY,
                    through INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration(schemaRecord, foreignKeyChecks: .immediate) { db in
            try db.execute(sql: """
                ALTER TABLE _ts_node ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE _ts_schema(
                    tbl TEXT PRIMARY KEY,
                    rules TEXT NOT NULL,
                    columns TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration(keptChanges, foreignKeyChecks: .immediate) { db in
            try db.execute(sql: """
                CREATE TABLE _ts_kept(
                    id INTEGER PRIMARY KEY,
                    received_at REAL NOT NULL,
                    source TEXT NOT NULL,
                    from_child INTEGER NOT NULL,
                    tbl TEXT NOT NULL,
                    schema_version INTEGER NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE UNIQUE INDEX _ts_kept_once ON _ts_kept(source, tbl, body);
                """)
        }
        return migrator
    }()

    /// The identifiers of every migration this build knows, in order.
    static var known: [String] { migrator.migrations }

    /// Refuses a file this build must not run on, before anything changes in it: one made
    /// by a newer TierSync (its `grdb_migrations` names a TierSync migration this build
    /// does not know), or one whose change log predates row metadata.
    /// - Throws: ``StoreError/madeByNewerRelease(database:migrations:)`` or
    ///   ``StoreError/unusableTable(table:reason:)``.
    static func refuseUnknownLayout(_ db: Database, path: String) throws {
        let unknown = try migrator.appliedIdentifiers(db).subtracting(known).filter { $0.hasPrefix(prefix) }
        guard unknown.isEmpty else {
            throw StoreError.madeByNewerRelease(database: path, migrations: unknown.sorted())
        }
        if try db.tableExists("_ts_log"), try !db.columns(in: "_ts_log").contains(where: { $0.name == "meta" }) {
            throw StoreError.unusableTable(table: "_ts_log", reason: "\(path) was made by an earlier TierSync without row metadata; move it aside and let the node resync")
        }
    }

    /// Refuses to read a file whose own tables this build has not migrated yet: a read-only
    /// open (`status`) migrates nothing, and the layout it reads may not be there.
    /// - Throws: ``StoreError/database(operation:message:)`` saying to start the node once.
    static func requireMigrated(_ db: Database, path: String) throws {
        guard try migrator.hasCompletedMigrations(db) else {
            throw StoreError.database(operation: "read \(path)", message: "an earlier TierSync set this file up and this one has not upgraded it yet; start the node once (tiersync serve) to upgrade it, then look again")
        }
    }

    /// Brings the store's own tables at `path` to this build's layout: refuses a file it
    /// must not run on, then runs the migrations the file has not run yet, each in its own
    /// transaction. Another process that opens the same file at the same time may run them
    /// first: the file is then already migrated, which is all that is asked.
    static func migrate(_ pool: DatabasePool, path: String) throws {
        try pool.read { db in try refuseUnknownLayout(db, path: path) }
        do {
            try migrator.migrate(pool)
        } catch let error as DatabaseError {
            if try pool.read({ db in try migrator.hasCompletedMigrations(db) }) { return }
            // The writer connection that failed still holds the system error of a full disk.
            try pool.writeWithoutTransaction { db in try StorageFailure.mapping(db, path: path) { () throws -> Void in throw error } }
        }
    }
}
