import ArgumentParser
import Foundation
import TierSyncEngine
import TierSyncNode

/// `tiersync sync`: one push-and-pull round now.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Run one push-and-pull round with the parent and exit: 0 when caught up.")

    @Flag(help: "Print the round's report as JSON.")
    var json = false

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        let logger = LogSetup.logger(level: configuration.logLevel == "info" ? "warning" : configuration.logLevel)
        // The key first: a node that cannot sign does not open (or create) its database.
        let key = try NodeDaemon.loadKey(configuration)
        let store = try NodeDaemon.openStore(configuration)
        guard let resync = NodeDaemon.resync(configuration, store: store, key: key, logger: logger) else {
            throw ValidationError("\(configuration.node) is the group: it has no parent to sync with")
        }
        do {
            _ = try await KeptRelease.run(store, logger: logger)
            var report = try await resync.replicator.round()
            if report.cursorBroken || report.resyncRequested {
                let repaired = try await resync.run(Resync.Options(), cursorBroken: report.cursorBroken)
                FileHandle.standardError.write(Data("tiersync sync: \(report.cursorBroken ? "the parent's log no longer holds the cursor" : "the parent asked for a resync"); \(ResyncText.summary(repaired))\n".utf8))
                report = try await resync.replicator.round()
            }
            if json {
                print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
            } else if report.heldBack == nil {
                print("caught up with \(configuration.parent!.absoluteString): pushed \(report.pushed), pulled \(report.pulled), skipped \(report.skipped), rejected \(report.rejected)")
            }
            if let heldBack = report.heldBack {
                throw SyncError.schemaMismatch(heldBack)
            }
        } catch {
            FileHandle.standardError.write(Data("tiersync sync: not caught up: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
