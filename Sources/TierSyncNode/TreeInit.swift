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
///
/// A key rotation takes two runs. One with the node in ``rotate`` keeps its key as
/// `<id>.key.retiring` and gives it a new `<id>.key`; while the retiring key is there, the
/// parent's configuration accepts both (`"NEW, OLD"`), so the node signs with either
/// while its hosts are updated. One with the node in ``retire``, after that grace period,
/// deletes the retiring key, and the parent accepts the new key alone.
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
        /// Nodes given a new key, their old one now retiring.
        public var rotated: [NodeID] = []
        /// Nodes whose retiring key was deleted.
        public var retired: [NodeID] = []
    }

    /// A rotation or retirement that cannot be done, and why.
    public struct RotationError: Error, Sendable, CustomStringConvertible {
        /// What is wrong and what to do.
        public var description: String
    }

    /// The tree.
    public let tree: TreeFile
    /// The directory the files go to.
    public let directory: URL
    /// Nodes to give a new key, keeping the old one as retiring.
    public var rotate: Set<NodeID> = []
    /// Nodes whose retiring key to delete.
    public var retire: Set<NodeID> = []

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
        try checkRotations()
        for id in retire.sorted(by: { $0.description < $1.description }) {
            try FileManager.default.removeItem(atPath: file("\(id).key.retiring"))
            report.retired.append(id)
        }
        for id in rotate.sorted(by: { $0.description < $1.description }) {
            try FileManager.default.moveItem(atPath: file("\(id).key"), toPath: file("\(id).key.retiring"))
            report.rotated.append(id)
        }
        var keys: [NodeID: PublicKey] = [:]
        var retiring: [NodeID: PublicKey] = [:]
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
            let old = file("\(node.id).key.retiring")
            if FileManager.default.fileExists(atPath: old) {
                retiring[node.id] = try NodeKey(contentsOf: old).publicKey
            }
        }
        for node in tree.nodes {
            try write(configuration(node, keys: keys, retiring: retiring), to: "\(node.id).conf", report: &report)
        }
        try write(instances(), to: "instances.txt", report: &report)
        let listed = Set(tree.nodes.map(\.id))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        report.stale = names.filter { $0.hasSuffix(".conf") }.compactMap { try? NodeID(String($0.dropLast(5))) }
            .filter { !listed.contains($0) }.sorted { $0.description < $1.description }
        return report
    }

    /// Refuses a rotation of a node without a parent, not in the tree, without a key yet or
    /// already rotating, and a retirement of a node that is not rotating, before anything
    /// is written.
    private func checkRotations() throws {
        for id in rotate.union(retire) where tree.node(id) == nil {
            throw RotationError(description: "\(id) is not in the tree; check the id")
        }
        for id in rotate {
            guard id.parent != nil else {
                throw RotationError(description: "\(id) is the group: no parent accepts its key; to replace it, move \(id).key aside and run init again")
            }
            guard FileManager.default.fileExists(atPath: file("\(id).key")) else {
                throw RotationError(description: "\(id) has no key in \(directory.path) yet; run init without --rotate first")
            }
            guard !FileManager.default.fileExists(atPath: file("\(id).key.retiring")) || retire.contains(id) else {
                throw RotationError(description: "a rotation of \(id) is under way (\(id).key.retiring exists); retire its old key first (--retire \(id))")
            }
        }
        for id in retire where !FileManager.default.fileExists(atPath: file("\(id).key.retiring")) {
            throw RotationError(description: "\(id) has no retiring key: no rotation of it is under way")
        }
    }

    /// The configuration of `node`.
    func configuration(_ node: TreeFile.Node, keys: [NodeID: PublicKey], retiring: [NodeID: PublicKey] = [:]) -> String {
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
            // During a rotation the retiring key follows the new one.
            lines += children.compactMap { child in
                keys[child.id].map { key in "\(child.id) = \"\(key)\(retiring[child.id].map { ", \($0)" } ?? "")\"" }
            }
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
