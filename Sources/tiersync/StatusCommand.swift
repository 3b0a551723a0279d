import ArgumentParser
import Foundation
import TierSyncEngine
import TierSyncModel
import TierSyncNode
import TierSyncStore
import TierSyncWire

/// `tiersync status`: the node's cursors, backlog, contacts and tables, read from its file.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a node's cursors, backlog, last contact and row counts.")

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .customLong("acknowledge-capture-gap"), help: "Clear the capture-gap error after checking the writes it may have missed (a resync clears it too).")
    var acknowledgeCaptureGap = false

    @Option(help: ArgumentHelp("The order of the children: worst (failing, then longest without contact, then most errors), lag, errors, or tree (by id).", valueName: "ORDER"))
    var sort = "worst"

    @Option(name: .customLong("node"), help: ArgumentHelp("Show only this child, or the children below this id.", valueName: "ID"))
    var node: String?

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let order: StatusOrder
        let filter: NodeID?
        do {
            order = try StatusOrder(parsing: sort, key: "--sort")
            filter = try node.map { try NodeID($0) }
        } catch {
            throw ValidationError("\(error)")
        }
        let configuration = try options.load()
        // Looking changes nothing: the file is opened read-only, unless the operator
        // acknowledges a capture gap, which is a write.
        let store = try acknowledgeCaptureGap ? NodeDaemon.openStore(configuration) : NodeDaemon.readStore(configuration)
        if acknowledgeCaptureGap {
            try await store.clearCaptureGap(foundBefore: Date())
        }
        var status = try await StatusReporter.status(of: store, retention: configuration.retention)
        let now = Date()
        status.peers = status.peers.filter { $0.role == .parent } + order.sorted(
            status.peers.filter { $0.role == .child && StatusOrder.shows($0.node, filter: filter) }, now: now) { peer in
            StatusOrder.Rank(node: peer.node, lastContact: peer.lastContact, problems: 0, failing: peer.lastError != nil)
        }
        if json {
            print(String(decoding: try WireCoding.encode(status), as: UTF8.self))
            return
        }
        print(StatusText.render(status))
    }
}

/// Renders a status report for a terminal.
enum StatusText {
    /// How far history was purged, up to where it may be, and what holds it back.
    static func retention(_ horizon: RetentionHorizon, purgedThrough: Int64, head: Int64) -> String {
        let grace = horizon.graceSeconds % 86_400 == 0 && horizon.graceSeconds > 0 ? "\(horizon.graceSeconds / 86_400) d" : "\(horizon.graceSeconds) s"
        var text = "purged through \(purgedThrough); every peer has the log through \(horizon.through); grace \(grace)"
        if horizon.through < head, let peer = horizon.heldBy, let role = horizon.heldByRole {
            text += "; held back by \(role.rawValue) \(peer) at \(horizon.through)"
        }
        return text
    }

    static func render(_ status: NodeStatus) -> String {
        var lines = ["node      \(status.node) (\(status.tier))", "log head  \(status.logHead)  epoch \(status.epoch)"]
        if let backlog = status.backlog { lines.append("backlog   \(backlog) change(s) not yet acknowledged by the parent") }
        lines.append("rejected  \(status.rejected) change(s) in the error queue")
        lines.append("conflicts \(status.openConflicts) waiting for an operator (tiersync conflicts list)")
        lines.append("clock     \(StampLead.text(millis: status.clockLeadMillis)) ahead of the wall clock (hybrid clock lead)")
        if let log = status.log {
            lines.append("log size  \(log.entries) entries (\(log.deleted) of deleted rows), \(log.evictionRecords) eviction records; file \(String(format: "%.1f", Double(log.fileBytes) / 1_048_576)) MiB")
            if let retention = status.retention {
                lines.append("purge     " + StatusText.retention(retention, purgedThrough: log.purgedThrough ?? 0, head: status.logHead))
            }
        }
        if let version = status.schemaVersion {
            let others = (status.otherSchemaVersions ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) v\($0.value)" }
            lines.append("schema    version \(version)" + (others.isEmpty ? "" : "; nodes below on other versions: \(others.joined(separator: ", "))"))
            if let kept = status.kept {
                let tables = kept.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                lines.append("schema    kept from a newer schema until this node runs it: \(tables) (applied at the next start with a schema they fit)")
            }
        }
        if let gap = status.captureGap, let node = try? NodeID(status.node) {
            lines.append("ERROR     \(gap.message(node: node))")
        }
        for peer in status.peers {
            let contact = peer.lastContact.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
            let cursors = peer.role == .parent
                ? "pushed through \(peer.pushed) (acked), pulled through \(peer.pulled)"
                : "applied its log through \(peer.pushed), it pulled through \(peer.pulled)"
            lines.append("\(peer.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(peer.node): \(cursors); last contact \(contact)"
                + (peer.lastError.map { "; last error: \($0)" } ?? ""))
        }
        lines.append("tables")
        for name in status.tables.keys.sorted() {
            lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(status.tables[name]!) rows")
        }
        return lines.joined(separator: "\n")
    }
}
