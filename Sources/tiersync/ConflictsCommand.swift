import ArgumentParser
import Foundation
import TierSyncModel
import TierSyncNode
import TierSyncStore
import TierSyncWire

/// `tiersync conflicts`: the conflicts a node met, and an operator's resolution of them.
struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List the conflicts a node met, or resolve one.",
        subcommands: [ConflictsListCommand.self, ConflictsResolveCommand.self],
        defaultSubcommand: ConflictsListCommand.self)
}

/// `tiersync conflicts list`.
struct ConflictsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the conflicts met at this node: open ones (manual rules) and those decided by a rule.")

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Include resolved conflicts.")
    var all = false

    @Option(help: "The most conflicts to show, newest first.")
    var limit = 1000

    @Flag(help: "List the error queue instead: the changes this node refused, or its parent refused from it.")
    var rejected = false

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be 1 or more") }
    }

    func run() async throws {
        let store = try NodeDaemon.openStore(try options.load())
        if rejected {
            let entries = try await store.rejections(limit: limit)
            if json {
                print(String(decoding: try WireCoding.encode(entries), as: UTF8.self))
            } else {
                print(entries.isEmpty ? "the error queue is empty" : entries.map(ConflictText.render).joined(separator: "\n"))
            }
            return
        }
        let records = try await store.conflicts(all: all, limit: limit).map(WireConflict.init)
        if json {
            print(String(decoding: try WireCoding.encode(records), as: UTF8.self))
            return
        }
        if records.isEmpty {
            print("no conflicts\(all ? "" : " waiting or decided (--all includes resolved ones)")")
        } else {
            print(records.map(ConflictText.render).joined(separator: "\n\n"))
        }
        let queued = try await store.rejectedCount()
        if queued > 0 {
            print("\nerror queue: \(queued) refused change(s); `tiersync conflicts list --rejected` shows them")
        }
    }
}

/// `tiersync conflicts resolve`.
struct ConflictsResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve a conflict: the chosen value is written as a new change that propagates like any other.")

    @Argument(help: "The conflict's id, as `conflicts list` shows it.")
    var id: Int64

    @Option(help: "local, remote, or value=TEXT (TEXT is read as JSON when it is: 42, null, \"42\"; as text otherwise).")
    var keep: String

    @Flag(help: "Print the resolved conflict as JSON.")
    var json = false

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let choice: ConflictChoice
        do {
            choice = try ResolveRequest.parse(keep)
        } catch {
            throw ValidationError(error.description)
        }
        let store = try NodeDaemon.openStore(try options.load())
        let record = WireConflict(try await store.resolveConflict(id: id, keep: choice))
        if json {
            print(String(decoding: try WireCoding.encode(record), as: UTF8.self))
        } else {
            print("resolved conflict \(record.id) with \(choice.description); a change it wrote syncs at the next round\n" + ConflictText.render(record))
        }
    }
}

/// Renders conflicts for a terminal.
enum ConflictText {
    static func render(_ conflict: WireConflict) -> String {
        func values(_ side: WireConflictSide?) -> String {
            guard let side else { return "unknown" }
            guard let values = side.values else { return "\(side.version)  (values unknown)" }
            let text: String
            switch conflict.register {
            case Conflict.existence: text = values.first?.value == .integer(1) ? "deleted" : "present"
            default: text = values.map { $0.value.literal }.joined(separator: ", ")
            }
            return "\(side.version)  \(text)"
        }
        let what = conflict.register == RowMeta.wholeRow ? "whole row" : conflict.register == Conflict.existence ? "delete against update" : "column \(conflict.register)"
        let key = conflict.key.map { $0.value.literal }.joined(separator: ", ")
        let status = conflict.status == "open" ? "OPEN: an operator must choose (interim winner: \(conflict.winner))" : "\(conflict.status), winner \(conflict.winner)"
        var lines = [
            "#\(conflict.id)  \(conflict.table) [\(key)]  \(what)  rule \(conflict.rule)  \(status)",
            "    local   \(values(conflict.local))",
            "    remote  \(values(conflict.remote))",
            "    base    \(values(conflict.base))",
            "    met     \(ISO8601DateFormatter().string(from: conflict.detectedAt))\(conflict.peer.map { " in a change from \($0)" } ?? "")",
        ]
        if let resolution = conflict.resolution { lines.append("    kept    \(resolution)") }
        return lines.joined(separator: "\n")
    }

    static func render(_ rejection: RejectedChange) -> String {
        let when = rejection.receivedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "?"
        return "!\(rejection.id.map(String.init) ?? "?")  \(rejection.table) \(rejection.key)  version \(rejection.version)  \(when)\(rejection.peer.map { "  peer \($0)" } ?? "")\n    \(rejection.reason)"
    }
}

extension SQLValue {
    /// The value as an SQL literal: text quoted, NULL bare, blobs as x'..'.
    var literal: String {
        switch self {
        case let .text(text): "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        default: description
        }
    }
}
