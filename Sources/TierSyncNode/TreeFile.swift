import Foundation
import TierSyncModel

/// The whole tree in one file, as `tiersync init --tree` reads it: one node per line, its
/// id, the `host:port` it listens on and its children reach it at, and optionally its
/// database path. Blank lines and `#` comments are ignored.
///
/// ```
/// # id        address            database (optional)
/// cn          10.0.0.1:7400
/// cn.gd       10.19.0.1:7400
/// cn.gd.sz    10.19.3.1:7400     /srv/tiersync/sz.sqlite
/// ```
///
/// The tree must have one group node, and every other node's parent must be in it.
public struct TreeFile: Sendable, Equatable {
    /// One node of the tree.
    public struct Node: Sendable, Equatable {
        /// The node's id.
        public var id: NodeID
        /// The host the node listens on and its children reach it at.
        public var host: String
        /// The port on that host.
        public var port: Int
        /// The database path, when the file gives one.
        public var database: String?
    }

    /// The nodes, in the file's order.
    public var nodes: [Node]

    /// A mistake in a tree file, with the line it is on.
    public struct Mistake: Error, Sendable, CustomStringConvertible {
        /// The file's name, as given.
        public var file: String
        /// The line, counting from 1; 0 for a mistake of the whole file.
        public var line: Int
        /// What is wrong and how to fix it.
        public var message: String

        /// The file, the line and the message.
        public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
    }

    /// The children of `id` in the tree, in the file's order.
    public func children(of id: NodeID) -> [Node] {
        nodes.filter { $0.id.parent == id }
    }

    /// The node `id`, if the tree has it.
    public func node(_ id: NodeID) -> Node? {
        nodes.first { $0.id == id }
    }

    /// Parses a tree file's text; `file` names it in mistakes.
    /// - Throws: ``Mistake`` for the first line that is wrong, or a tree without a group
    ///   or with a node whose parent it lacks.
    public init(parsing text: String, file: String) throws {
        var nodes: [Node] = []
        var lines: [NodeID: Int] = [:]
        var addresses: [String: NodeID] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard !fields.isEmpty else { continue }
            func mistake(_ message: String) -> Mistake { Mistake(file: file, line: number, message: message) }
            guard fields.count <= 3 else {
                throw mistake("expected 'id host:port [database]', found \(fields.count) fields")
            }
            guard fields.count >= 2 else { throw mistake("node \(fields[0]) has no address; write 'id host:port [database]'") }
            let id: NodeID
            do {
                id = try NodeID(fields[0])
            } catch {
                throw mistake("\(error)")
            }
            if let first = lines[id] { throw mistake("\(id) is listed twice (first on line \(first))") }
            guard let colon = fields[1].lastIndex(of: ":"), let port = Int(fields[1][fields[1].index(after: colon)...]),
                  (1...65535).contains(port), colon != fields[1].startIndex else {
                throw mistake("address '\(fields[1])' of \(id) is not host:port (for example 10.19.3.1:7400)")
            }
            let host = String(fields[1][..<colon])
            if let other = addresses[fields[1]] { throw mistake("\(id) and \(other) share the address \(fields[1])") }
            lines[id] = number
            addresses[fields[1]] = id
            nodes.append(Node(id: id, host: host, port: port, database: fields.count == 3 ? fields[2] : nil))
        }
        let groups = nodes.filter { $0.id.tier == .group }
        guard groups.count == 1 else {
            throw Mistake(file: file, line: groups.dropFirst().first.flatMap { lines[$0.id] } ?? 0,
                          message: groups.isEmpty ? "the tree has no group node (an id of one segment, such as cn)" : "the tree has more than one group node: \(groups.map { "\($0.id)" }.joined(separator: ", "))")
        }
        for node in nodes {
            if let parent = node.id.parent, lines[parent] == nil {
                throw Mistake(file: file, line: lines[node.id] ?? 0, message: "the parent \(parent) of \(node.id) is not in the tree; add a line for it")
            }
        }
        self.nodes = nodes
    }
}
