import ArgumentParser
import TierSyncNode

/// `tiersync serve`: runs a node of any tier until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node's daemon: its HTTP API and, below the group, its sync loop.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        let logger = LogSetup.logger(level: configuration.logLevel)
        do {
            try await NodeDaemon.run(configuration, logger: logger)
        } catch let error as StartError {
            logger.critical("node cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(StartError.exitStatus)
        } catch {
            logger.critical("node stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
