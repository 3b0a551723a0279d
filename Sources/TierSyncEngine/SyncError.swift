import TierSyncModel
import TierSyncWire

/// Errors of the sync protocol, each with what the operator (or the peer) should do. The
/// HTTP server maps each to its status code.
public enum SyncError: Error, Sendable, CustomStringConvertible {
    /// The request does not follow the protocol; nothing was applied.
    case badRequest(String)
    /// Received input carries a stamp more than `limits.stamp_lead` ahead of this node's
    /// wall clock; nothing of it was applied and the clock did not move.
    case stampAhead(String)
    /// The caller is not a child of this node.
    case notAChild(caller: String, node: String)
    /// A push does not continue from what this node has applied for the child.
    case cursorGap(expected: Int64, message: String)
    /// The child's cursor refers to another log (the parent's database was replaced or restored).
    case epochChanged(expected: String, got: String)
    /// The parent could not be reached.
    case unreachable(url: String, message: String)
    /// The parent answered with an error.
    case refused(status: Int, body: ErrorBody)
    /// The parent's URL answered 404 without TierSync's error body for `path`: `node.parent`
    /// is not a node's API root (it has a path, or points at another server).
    case notAnAPIRoot(url: String, path: String)
    /// The node at the parent's URL, `answering`, is not this node's (`node`'s) parent.
    case wrongParent(url: String, answering: NodeID, node: NodeID)
    /// The two nodes' schema files differ in a way their versions cannot bridge (SYNC.md
    /// 2.1): a batch names tables or columns the receiver lacks though its sender is not
    /// newer, lacks columns the receiver cannot fill, or decides by other rules. Nothing of
    /// it was applied; the sender keeps it and sends it again once the files agree.
    case schemaMismatch(String)

    /// A message that says what is wrong and what to do.
    public var description: String {
        switch self {
        case let .badRequest(message):
            "bad request: \(message)"
        case let .stampAhead(message):
            message
        case let .notAChild(caller, node):
            "\(caller) is not a child of \(node); a node syncs only with its direct parent (check parent in the child's configuration)"
        case let .cursorGap(_, message):
            message
        case let .epochChanged(expected, got):
            "the cursor refers to change log \(got), but this node's log is \(expected) (its database was replaced or restored); the child must resync against it (tiersync resync), which repairs what the cursor missed and takes a new one"
        case let .unreachable(url, message):
            "cannot reach parent at \(url): \(message); check that its daemon runs and that parent in the configuration is right"
        case let .refused(status, body):
            "parent answered \(status) \(body.code): \(body.message)"
        case let .notAnAPIRoot(url, path):
            "\(url) is not a TierSync node's API root (got 404 for \(path)); node.parent must be the base URL, like http://host:port, without a path"
        case let .wrongParent(url, answering, node):
            "node.parent (\(url)) points at \(answering.withPlace); \(node.parentSentence): set node.parent to the URL of that node's daemon"
        case let .schemaMismatch(message):
            message
        }
    }
}
