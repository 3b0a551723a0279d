import Foundation
import TierSyncModel

/// Keys for a tree of nodes set up in one directory (the demo, tests, benchmarks): one key
/// file per node, and for each node the configuration lines naming its key file and
/// accepting its children.
public struct LocalTreeKeys: Sendable {
    /// Each node's key.
    public let keys: [NodeID: NodeKey]

    /// Creates a key for each node and writes it to `<id>.key` in `directory`.
    /// - Throws: ``AuthError/keyFile(path:message:)`` when a key file exists or cannot be written.
    public init(nodes: [NodeID], directory: URL) throws {
        var keys: [NodeID: NodeKey] = [:]
        for node in nodes {
            let key = NodeKey(generatingFor: node)
            try key.write(to: directory.appendingPathComponent("\(node).key").path)
            keys[node] = key
        }
        self.keys = keys
    }

    /// The `[auth]` section naming the node's key file (relative to its configuration) and
    /// the `[children]` section with the public key of each of its children in the tree.
    public func configurationLines(for node: NodeID) -> String {
        var text = "[auth]\nkey = \"\(node).key\"\n"
        let children = keys.keys.filter { $0.parent == node }.sorted { $0.description < $1.description }
        if !children.isEmpty {
            text += "[children]\n" + children.map { "\($0) = \"\(keys[$0]!.publicKey)\"\n" }.joined()
        }
        return text
    }
}
