import ArgumentParser
import Foundation
import Logging
import TierSyncNode

/// The options every node command shares: the configuration file, and one flag per setting.
/// Flags override the environment, which overrides the file. Each command declares them
/// after its own options, so that its `--help` lists its own first.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The node's configuration file. This and the flags below are the settings every node command shares; a flag overrides its TIERSYNC_* variable, which overrides the file.")
    var config: String?

    @Option(name: .customLong("node-id"), help: "node.id: the node's dotted id, e.g. cn.gd.sz.")
    var nodeID: String?

    @Option(name: .customLong("node-listen"), help: "node.listen: host:port of the HTTP API.")
    var listen: String?

    @Option(name: .customLong("node-parent"), help: "node.parent: the parent's base URL.")
    var parent: String?

    @Option(name: .customLong("node-database"), help: "node.database: the SQLite file.")
    var database: String?

    @Option(name: .customLong("node-schema"), help: "node.schema: a schema file replacing the built-in one.")
    var schema: String?

    @Option(name: .customLong("node-children"), help: "node.children: the children this node expects, comma-separated.")
    var children: String?

    @Option(name: .customLong("status-stale-after"), help: "status.stale_after: seconds without contact before a child is stale.")
    var staleAfter: String?

    @Option(name: .customLong("sync-interval"), help: "sync.interval: seconds between rounds.")
    var interval: String?

    @Option(name: .customLong("sync-timeout"), help: "sync.timeout: seconds a request to the parent may wait for its answer.")
    var timeout: String?

    @Option(name: .customLong("sync-batch"), help: "sync.batch: changes per batch.")
    var batch: String?

    @Option(name: .customLong("sync-wire"), help: "sync.wire: batch (compact binary) or json, how pushes and pull answers travel.")
    var wire: String?

    @Option(name: .customLong("limits-body-bytes"), help: "limits.body_bytes: largest request body accepted.")
    var bodyBytes: String?

    @Option(name: .customLong("limits-batch-changes"), help: "limits.batch_changes: most changes in one push.")
    var batchChanges: String?

    @Option(name: .customLong("limits-clock-skew"), help: "limits.clock_skew: seconds a request's signing time may differ from this clock.")
    var clockSkew: String?

    @Option(name: .customLong("limits-stamp-lead"), help: "limits.stamp_lead: seconds a received stamp may lie ahead of this wall clock.")
    var stampLead: String?

    @Option(name: .customLong("log-level"), help: "log.level: trace, debug, info, notice, warning or error.")
    var logLevel: String?

    @Option(name: .customLong("auth-key"), help: "auth.key: this node's key file.")
    var keyFile: String?

    @Option(name: .customLong("tls-certificate"), help: "tls.certificate: PEM certificate chain for HTTPS.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "tls.key: PEM private key for HTTPS.")
    var tlsKey: String?

    /// The configuration from file, environment and flags.
    func load() throws -> NodeConfiguration {
        var flags: [String: String] = [:]
        let given: [(String, String?)] = [
            ("node.id", nodeID), ("node.listen", listen), ("node.parent", parent), ("node.database", database),
            ("node.schema", schema), ("node.children", children), ("status.stale_after", staleAfter),
            ("sync.interval", interval), ("sync.timeout", timeout), ("sync.batch", batch), ("sync.wire", wire),
            ("limits.body_bytes", bodyBytes), ("limits.batch_changes", batchChanges), ("limits.clock_skew", clockSkew), ("limits.stamp_lead", stampLead),
            ("log.level", logLevel), ("auth.key", keyFile), ("tls.certificate", tlsCertificate), ("tls.key", tlsKey),
        ]
        for case let (key, value?) in given { flags[key] = value }
        let environment = ProcessInfo.processInfo.environment
        for warning in ConfigurationReader.environmentWarnings(environment) {
            FileHandle.standardError.write(Data("tiersync: warning: \(warning)\n".utf8))
        }
        do {
            return try ConfigurationReader.read(file: config, environment: environment, flags: flags)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Sends log lines to standard error at the configured level, once per process.
enum LogSetup {
    static func logger(level: String, label: String = "tiersync") -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        return Logger(label: label)
    }
}
