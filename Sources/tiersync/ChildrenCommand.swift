import ArgumentParser
import Foundation
import TierSyncModel
import TierSyncNode
import TierSyncStore
import TierSyncWire

/// `tiersync children`: the children a parent has records of, and the removal of one that
/// is gone.
struct ChildrenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "children",
        abstract: "List the children this node has records of, or remove one that is gone.",
        subcommands: [ChildrenListCommand.self, ChildrenRemoveCommand.self],
        defaultSubcommand: ChildrenListCommand.self)
}

/// `tiersync children list`.
struct ChildrenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show each child this node has a record of, and whether its configuration still accepts it.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        let store = try NodeDaemon.openStore(configuration)
        let records = try await store.peers().filter { $0.role == .child }
        let configured = Set(NodeDaemon.expectedChildren(configuration))
        var lines: [String] = []
        for peer in records {
            let contact = peer.lastContact.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
            let place = configured.contains(peer.node) ? "configured" : "NOT configured (remove with: tiersync children remove \(peer.node))"
            lines.append("\(peer.node)  \(place); applied its log through \(peer.pushed), it pulled through \(peer.pulled); last contact \(contact)")
        }
        for child in configured.subtracting(records.map(\.node)).sorted() {
            lines.append("\(child)  configured; never heard from")
        }
        print(lines.isEmpty ? "no children configured or known at \(configuration.node)" : lines.joined(separator: "\n"))
    }
}

/// `tiersync children remove ID`: forgets a child that is gone.
struct ChildrenRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Forget a child that is gone: its cursors, its resync request, its subtree summary and its error-queue entries.",
        discussion: """
            Refused while the child is still configured (under [children] or in node.children): remove it \
            there and restart the daemon first, or it comes back at its next contact. The rows of its \
            scope that this node holds, and the conflicts met in its changes, are kept.
            """)

    @Argument(help: "The child's id, e.g. cn.gd.gz.")
    var child: String

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        let node = configuration.node
        guard let id = try? NodeID(child), id.parent == node else {
            throw ValidationError("\(child) is not a child of \(node); give the id of one of its direct children, e.g. \(node).xx")
        }
        if NodeDaemon.expectedChildren(configuration).contains(id) {
            throw ValidationError("""
                \(id) is still configured at \(node) (under [children] or in node.children\(options.config.map { " of \($0)" } ?? "")); \
                remove it there and restart the daemon first, or it comes back at its next contact
                """)
        }
        let store = try NodeDaemon.openStore(configuration)
        guard let removed = try await store.removeChild(id) else {
            let known = try await store.peers().filter { $0.role == .child }.map(\.node.description)
            FileHandle.standardError.write(Data("tiersync children remove: \(node) has no record of \(id) (records: \(known.isEmpty ? "none" : known.joined(separator: ", "))); nothing removed\n".utf8))
            throw ExitCode(1)
        }
        let peer = removed.peer
        print("""
            removed \(id) from \(node): its peer record (it had pushed through \(peer.pushed), pulled through \(peer.pulled), \
            last contact \(peer.lastContact.map { ISO8601DateFormatter().string(from: $0) } ?? "never")\
            \(peer.resyncRequested == true ? ", a pending resync request" : "")), its subtree summary (\(removed.summarizedNodes) node(s)) \
            and \(removed.rejected) error-queue entr\(removed.rejected == 1 ? "y" : "ies"); the rows of its scope held here are kept
            """)
    }
}
