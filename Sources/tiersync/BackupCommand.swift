import ArgumentParser
import Foundation
import TierSyncNode
import TierSyncSQLite

/// `tiersync backup`: a consistent online copy of the node's file, taken while the daemon
/// keeps syncing.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the node's database, consistently, while its daemon runs.",
        discussion: """
            The copy is taken with SQLite's backup API from one read transaction: the live file is \
            opened read-only and nothing in it changes. The copy is marked as a backup. To restore \
            it: stop the daemon, move the database file and its -wal and -shm files aside, put the \
            copy in its place and start the daemon. The restored node starts a new log epoch, so \
            that its children repair themselves with a digest resync, and resyncs with its parent, \
            which gives back what the node had sent it after the copy. Local writes made after the \
            copy that had not reached the parent are lost.
            """)

    @Option(name: .customLong("to"), help: ArgumentHelp("The copy's path; it must not exist.", valueName: "PATH"))
    var destination: String

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        let store = try NodeDaemon.readStore(configuration)
        let backup = try await store.backup(to: destination)
        let rows = backup.rows.keys.sorted().map { "\($0) \(backup.rows[$0]!)" }.joined(separator: ", ")
        print("backed up \(backup.node) to \(backup.path) at \(ISO8601DateFormatter().string(from: backup.takenAt)): log head \(backup.logHead); rows: \(rows)")
        print("restore: stop the daemon, move \(configuration.databasePath) and its -wal and -shm files aside, copy the backup there, start the daemon")
    }
}
