import Foundation
import TierSyncAuth
import TierSyncModel

/// Writes every node's files for a whole tree (`tiersync init`): for each node of a
/// ``TreeFile``, its configuration (`<id>.conf`) and its key (`<id>.key`, mode 0600), and
/// for the tree, the systemd instances to enable (`instances.txt`). Each parent's
/// configuration accepts exactly its children's keys and expects exactly those children.
///
/// Run again on the same directory with nodes added or removed, it writes only the files
/// whose content changes, creates keys only for new nodes and never replaces a key; the
/// files of a node no longer in the tree are left for the operator, and reported.
public struct TreeInit {
    /// What one run did.
    public struct Report: Sendable, Equatable {
        /// Files written (new or changed), by name.
        public var written: [String] = []
        /// Files whose content was already right.
        public var unchanged: [String] = []
        /// Keys created, by node.
        public var keysCreated: [NodeID] = []
        /// Nodes with files in the directory that the tree no longer lists.
        public var stale: [NodeID] = []
    }

    /// The tree.
    public let tree: TreeFile
    /// The directory the files go to.
    public let directory: URL

    /// Prepares to write `tree`'s files into `directory`.
    public init(tree: TreeFile, directory: URL) {
        self.tree = tree
        self.directory = directory
    }

    /// Writes the files.
    /// - Throws: ``AuthError`` for a key file that cannot be read or created, or a
    ///   `CocoaError` for a directory or file that cannot be written.
    public func run() throws -> Report {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var report = Report()
        var keys: [NodeID: PublicKey] = [:]
        for node in tree.nodes {
            let path = file("\(node.id).key")
            if FileManager.default.fileExists(atPath: path) {
                let key = try NodeKey(contentsOf: path)
                guard key.node == node.id else {
                    throw AuthError.keyFile(path: path, message: "belongs to \(key.node), not to \(node.id); move it aside and run init again")
                }
                keys[node.id] = key.publicKey
            } else {
                let key = NodeKey(generatingFor: node.id)
                try key.write(to: path)
                keys[node.id] = key.publicKey
                report.keysCreated.append(node.id)
                report.written.append("\(node.id).key")
            }
        }
        for node in tree.nodes {
            try write(configuration(node, keys: keys), to: "\(node.id).conf", report: &report)
        }
        try write(instances(), to: "instances.txt", report: &report)
        let listed = Set(tree.nodes.map(\.id))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        report.stale = names.filter { $0.hasSuffix(".conf") }.compactMap { try? NodeID(String($0.dropLast(5))) }
            .filter { !listed.contains($0) }.sorted { $0.description < $1.description }
        return report
    }

    /// The configuration of `node`.
    func configuration(_ node: TreeFile.Node, keys: [NodeID: PublicKey]) -> String {
        let children = tree.children(of: node.id)
        var lines = [
            "# TierSync node \(node.id) (\(node.id.tier)), written by `tiersync init` from the tree file.",
            "# Running init again rewrites this file: change the tree file, not this one; put",
            "# settings of this node alone in /etc/tiersync/\(node.id).env (TIERSYNC_* variables).",
            "",
            "[node]",
            "id = \"\(node.id)\"",
            "listen = \"\(node.host):\(node.port)\"",
        ]
        if let parent = node.id.parent, let up = tree.node(parent) {
            lines.append("parent = \"http://\(Self.urlHost(up.host)):\(up.port)\"")
        }
        if let database = node.database { lines.append("database = \"\(database)\"") }
        if !children.isEmpty { lines.append("children = \"\(children.map { "\($0.id)" }.joined(separator: ", "))\"") }
        lines += ["", "[auth]", "key = \"\(node.id).key\""]
        if !children.isEmpty {
            lines += ["", "[children]"]
            lines += children.compactMap { child in keys[child.id].map { "\(child.id) = \"\($0)\"" } }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The systemd instances to enable, one node a line, with the host it runs on.
    func instances() -> String {
        var lines = ["# On each host: install its node's .conf and .key in /etc/tiersync, then run the command."]
        for node in tree.nodes {
            lines.append("\(node.host)\tsystemctl enable --now tiersync@\(node.id).service")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An IPv6 host in brackets, as a URL needs it.
    static func urlHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    private func file(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    private func write(_ text: String, to name: String, report: inout Report) throws {
        let path = file(name)
        if let present = try? String(contentsOfFile: path, encoding: .utf8), present == text {
            report.unchanged.append(name)
            return
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        report.written.append(name)
    }
}
