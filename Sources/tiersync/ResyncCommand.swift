import ArgumentParser
import Foundation
import TierSyncEngine
import TierSyncModel
import TierSyncNode
import TierSyncStore
import TierSyncWire

/// `tiersync resync`: repairs this node against its parent, or (with `--node`, at a
/// parent) asks a child to do so at its next contact.
struct ResyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resync",
        abstract: "Repair this node against its parent by the cheapest correct path (replay, digest or full), resumably.",
        discussion: """
            Run at a child: pushes rows the parent lacks, pulls rows this node lacks or holds in a stale \
            version, and removes rows outside its scope. Prints the path taken, progress and a summary. \
            Killed halfway and run again, it continues where it stopped. Run at a parent with --node ID: \
            marks that child to resync at its next contact.
            """)

    @Option(name: .customLong("table"), help: "Check only this table (repeatable; default: every synced table).")
    var tables: [String] = []

    @Flag(help: "Compare every row, not only those of ranges whose digests differ.")
    var full = false

    @Flag(name: .customLong("dry-run"), help: "Compare and count what would be repaired, and change nothing.")
    var dryRun = false

    @Option(help: "At a parent: the child to mark for resync at its next contact.")
    var node: String?

    @Flag(help: "Print the summary as JSON (progress goes to standard error).")
    var json = false

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        if node != nil && (full || dryRun || !tables.isEmpty) {
            throw ValidationError("--node marks a child for resync; --table, --full and --dry-run apply to a resync run at the child itself")
        }
    }

    func run() async throws {
        let configuration = try options.load()
        let logger = LogSetup.logger(level: configuration.logLevel == "info" ? "warning" : configuration.logLevel)
        // A run at the child signs its requests: the key first, before the database opens.
        let key = node == nil ? try NodeDaemon.loadKey(configuration) : nil
        // Rows added behind the back are adopted by the repair, in the ranges that differ.
        let store = try NodeDaemon.openStore(configuration, adoptingRows: node != nil)
        if let node {
            try await request(node, store: store, configuration: configuration)
            return
        }
        guard let key, let resync = NodeDaemon.resync(configuration, store: store, key: key, logger: logger) else {
            throw ValidationError("\(configuration.node) is the group: it has no parent to resync with; to have a child resync, give --node CHILD")
        }
        let json = self.json
        let say: @Sendable (String) -> Void = { line in
            FileHandle(fileDescriptor: json ? 2 : 1).write(Data((line + "\n").utf8))
        }
        say("resync \(configuration.node) against \(configuration.parent!.absoluteString)\(dryRun ? " (dry run: nothing is written)" : "")")
        do {
            let report = try await resync.run(Resync.Options(tables: tables.isEmpty ? nil : tables, full: full, dryRun: dryRun)) { event in
                say(ResyncText.event(event))
            }
            if json {
                print(String(decoding: try WireCoding.encode(report), as: UTF8.self))
            } else {
                print(ResyncText.summary(report))
            }
        } catch {
            FileHandle.standardError.write(Data("tiersync resync: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func request(_ text: String, store: some ResyncStore, configuration: NodeConfiguration) async throws {
        let node = configuration.node
        let configured = configuration.children.keys.sorted()
        guard let child = try? NodeID(text), configured.contains(child) else {
            throw ValidationError("""
                --node \(text) is not a configured child of \(node) (configured under [children]: \
                \(configured.isEmpty ? "none" : configured.map(\.description).joined(separator: ", "))); check the id
                """)
        }
        try await store.setResyncRequested(for: child, true)
        if json {
            print(#"{"node":"\#(child)","requested":true}"#)
        } else {
            print("\(child) will resync against \(node) at its next contact (its next pull, within its sync.interval)")
        }
    }
}

/// Renders resync progress and summaries for a terminal.
enum ResyncText {
    static func event(_ event: ResyncEvent) -> String {
        switch event {
        case let .path(report):
            return "path      \(report.path)\(report.resumed ? " (resumed)" : ""): \(report.reason)"
        case let .compared(table, rows, differing):
            return "checked   \(table): \(rows) rows, \(differing) range(s) differ"
        case let .repaired(table, leaves, total, counts, bytes):
            return "repairing \(table): \(leaves)/\(total) ranges, \(counts.compared) rows compared, \(counts.pulled) pulled, \(counts.pushed) pushed, \(counts.evicted + counts.quarantined) removed; \(bytes) bytes"
        }
    }

    static func summary(_ report: ResyncReport) -> String {
        let counts = report.counts
        return """
            summary   path \(report.path)\(report.resumed ? " (resumed, \(report.rangesSkipped) range(s) already done)" : "")\(report.dryRun ? ", dry run" : ""); \
            \(report.tables.count) table(s) checked, \(report.differingTables.count) differing; \(report.rowsChecked) rows checked; \
            \(report.rangesDiffering) range(s) differ; \(counts.compared) rows compared: \(counts.pulled) pulled, \
            \(counts.pushed) pushed (\(counts.adopted) adopted, \(counts.updated) updated, \(counts.deleted) lost rows deleted\
            \(report.captureGap ? ", writes missed by the capture gap kept" : "")), \(counts.evicted) evicted, \
            \(counts.quarantined) quarantined, \(counts.rejected) rejected; replay moved \(report.replayed) change(s); \
            \(report.bytesMoved) bytes moved; \(String(format: "%.2f", report.seconds)) s
            """
    }
}
