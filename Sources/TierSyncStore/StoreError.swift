/// Errors a store raises, each with a message that tells the operator what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database file belongs to another node.
    case wrongNode(database: String, holds: String, configured: String)
    /// A synced table cannot be replicated as declared.
    case unusableTable(table: String, reason: String)
    /// The database could not be opened or changed.
    case database(operation: String, message: String)
    /// A push does not continue from the position this node has applied for that child.
    case cursorGap(child: String, expected: Int64, got: Int64)
    /// The database file could not grow: its disk is full, or a file-size limit or quota
    /// stops it. The write was rolled back; what was committed before is intact.
    case storageFull(database: String, cause: String)
    /// The database file was set up by a newer TierSync: it records `migrations` of
    /// TierSync's own tables that this build does not know. Nothing in it was changed.
    case madeByNewerRelease(database: String, migrations: [String])

    /// No conflict has this id at this node.
    case conflictNotFound(id: Int64)
    /// The conflict cannot be resolved as asked.
    case cannotResolve(id: Int64, reason: String)

    /// A message that says what is wrong and what to do.
    public var description: String {
        switch self {
        case let .wrongNode(database, holds, configured):
            "\(database) belongs to node \(holds), but this node is configured as \(configured); point database at this node's own file"
        case let .unusableTable(table, reason):
            "table \(table) cannot be synced: \(reason)"
        case let .database(operation, message):
            "\(operation): \(message)"
        case let .conflictNotFound(id):
            "no conflict \(id) at this node; `tiersync conflicts list --all` shows the ids"
        case let .cannotResolve(id, reason):
            "conflict \(id) cannot be resolved: \(reason)"
        case let .cursorGap(child, expected, got):
            "push from \(child) starts after \(got), but this node has applied its log only through \(expected); resend from \(expected)"
        case let .madeByNewerRelease(database, migrations):
            "\(database) was set up by a newer TierSync: its grdb_migrations records \(migrations.joined(separator: ", ")), which this tiersync does not know. Nothing in it was changed; run the newer tiersync on it (or give this node a fresh node.database and let it resync)"
        case let .storageFull(database, cause):
            "no room to write \(database): \(cause). Nothing of this write was kept and what was committed before is intact; free space on its disk, or raise the limit that stops the file growing (file-size limit, quota); syncing resumes by itself once it can write"
        }
    }
}
