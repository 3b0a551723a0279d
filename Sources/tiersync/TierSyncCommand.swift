import ArgumentParser

/// The `tiersync` command.
@main
struct TierSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiersync",
        abstract: "Keeps a tree of SQLite stores (group, provinces, cities) in agreement.",
        subcommands: [ServeCommand.self, InitCommand.self, KeygenCommand.self, SyncCommand.self, ResyncCommand.self, StatusCommand.self, BackupCommand.self, ChildrenCommand.self, ConflictsCommand.self, ReportCommand.self, DemoCommand.self, SchemaCommand.self])
}
