import ArgumentParser
import TierSyncModel

/// `tiersync schema`: prints the built-in schema, as a starting point for a schema file.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the built-in big-customer schema (a starting point for node.schema).")

    func run() {
        print(SyncSchema.defaultText)
    }
}
