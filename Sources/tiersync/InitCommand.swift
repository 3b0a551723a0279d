import ArgumentParser
import Foundation
import TierSyncModel
import TierSyncNode

/// `tiersync init`: every node's configuration and key for a whole tree, from one file.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write every node's configuration and key for a whole tree, from one tree file.",
        discussion: """
            The tree file lists one node a line: its id, the host:port it listens on and its \
            children reach it at, and optionally its database path; '#' starts a comment \
            (sample: Deploy/national.tree). For each node, init writes <id>.conf and <id>.key \
            (mode 0600) into --out; every parent's configuration accepts exactly its children's \
            keys. instances.txt lists the systemd instance to enable on each host. Run it again \
            after adding or removing nodes: only files whose content changes are written, keys \
            are created for new nodes only, and no key is ever replaced but by a rotation. \
            A key rotation: `--rotate ID` gives the node a new key and keeps the old one as \
            <id>.key.retiring; its parent's configuration then accepts both. Install the \
            parent's configuration, then the node's new key; after that grace period, \
            `--retire ID` deletes the old key, and the parent accepts the new one alone.
            """)

    @Option(name: .customLong("tree"), help: ArgumentHelp("The tree file.", valueName: "TREE_FILE"))
    var tree: String

    @Option(name: .customLong("out"), help: ArgumentHelp("The directory the files go to; created when missing.", valueName: "DIR"))
    var out: String

    @Option(name: .customLong("rotate"), help: ArgumentHelp("Give this node a new key; its parent accepts the old one too until --retire.", valueName: "ID"))
    var rotate: [String] = []

    @Option(name: .customLong("retire"), help: ArgumentHelp("End this node's key rotation: its parent accepts the new key alone.", valueName: "ID"))
    var retire: [String] = []

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: tree, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the tree file \(tree): \(error.localizedDescription)")
        }
        let report: TreeInit.Report
        do {
            let file = try TreeFile(parsing: text, file: tree)
            var initializer = TreeInit(tree: file, directory: URL(fileURLWithPath: out))
            initializer.rotate = Set(try rotate.map { try NodeID($0) })
            initializer.retire = Set(try retire.map { try NodeID($0) })
            report = try initializer.run()
            print("tree: \(file.nodes.count) nodes: provinces \(file.nodes.filter { $0.id.tier == .province }.count), cities \(file.nodes.filter { $0.id.tier == .city }.count)")
        } catch {
            throw ValidationError("\(error)")
        }
        print("wrote \(report.written.count) file(s) in \(out), \(report.unchanged.count) unchanged; \(report.keysCreated.count) new key(s)")
        for name in report.written { print("  wrote \(name)") }
        for node in report.rotated {
            let parent = node.parent.map { "\($0)" } ?? "?"
            print("  rotated \(node): install \(parent).conf at \(parent) first (it accepts both keys), then \(node).key at \(node); later run init --retire \(node)")
        }
        for node in report.retired {
            print("  retired the old key of \(node): install \(node.parent.map { "\($0)" } ?? "?").conf at its parent")
        }
        for node in report.stale {
            print("  \(node) is no longer in the tree: its files in \(out) are kept; remove them once its host is retired")
        }
        print("next: on each host, install its node's .conf and .key in /etc/tiersync and run its line of \(out)/instances.txt")
    }
}
