import ArgumentParser
import Testing
@testable import tiersync

/// Each subcommand's `--help` lists its own options first, then the shared configuration
/// flags (`--config`, `--node-id`, ...).
struct CommandHelpTests {
    static let commands: [(any ParsableCommand.Type, [String])] = [
        (ResyncCommand.self, ["--table", "--full", "--dry-run", "--node", "--json"]),
        (StatusCommand.self, ["--json"]),
        (SyncCommand.self, ["--json"]),
        (ConflictsListCommand.self, ["--json", "--all", "--limit", "--rejected"]),
        (ConflictsResolveCommand.self, ["--keep", "--json"]),
        (ReportCommand.self, ["--period", "--by", "--limit", "--format"]),
    ]

    @Test func ownOptionsComeBeforeTheSharedConfiguration() throws {
        for (command, own) in Self.commands {
            let help = command.helpMessage(columns: 200)
            let config = try #require(help.range(of: "  --config <config>"), "\(help)")
            let nodeID = try #require(help.range(of: "  --node-id <node-id>"), "\(help)")
            #expect(config.lowerBound < nodeID.lowerBound)
            for option in own {
                let position = try #require(help.range(of: "  \(option)"), "\(command): \(option) missing from \(help)")
                #expect(position.lowerBound < config.lowerBound, "\(command): \(option) comes after the shared flags:\n\(help)")
            }
        }
    }
}
