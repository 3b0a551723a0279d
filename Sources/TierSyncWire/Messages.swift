import Foundation
import TierSyncModel
import TierSyncStore

/// `POST /v1/push`: a child sends the changes from its log in `(after, through]`.
public struct PushRequest: Codable, Sendable {
    /// The sending child's id.
    public var node: String
    /// The child's log position the batch continues from (exclusive). It must not lie beyond
    /// what the parent has applied for this child.
    public var after: Int64
    /// The child's log position the batch covers through (inclusive).
    public var through: Int64
    /// For each table in the batch, its column names in the order `values` uses.
    public var columns: [String: [String]]
    /// For each table in the batch, the sender's ``TableSchema/rulesSignature``. A receiver
    /// whose rules differ refuses the batch. Absent: not checked.
    public var rules: [String: String]?
    /// The changes, in the child's log order.
    public var changes: [WireChange]
    /// The schema version the child runs (SYNC.md 2.1); absent means 1.
    public var schema: Int?

    /// Creates a push request.
    public init(node: String, after: Int64, through: Int64, columns: [String: [String]], rules: [String: String]? = nil, changes: [WireChange],
                schema: Int? = nil) {
        self.schema = schema
        self.node = node
        self.after = after
        self.through = through
        self.columns = columns
        self.rules = rules
        self.changes = changes
    }
}

/// The answer to a push, sent only after the batch is committed.
public struct PushResponse: Codable, Sendable {
    /// The child's log position the parent has now applied through.
    public var acknowledged: Int64
    /// What the apply did.
    public var outcome: ApplyOutcome

    /// Creates a push response.
    public init(acknowledged: Int64, outcome: ApplyOutcome) {
        self.acknowledged = acknowledged
        self.outcome = outcome
    }
}

/// The answer to `GET /v1/pull`: changes from the parent's log for one child.
public struct PullResponse: Codable, Sendable {
    /// The parent's log epoch. The child keeps it with its cursor.
    public var epoch: String
    /// The parent's highest log position when the batch was read.
    public var head: Int64
    /// The parent's log position the batch covers through; the child's next `after`.
    public var through: Int64
    /// True when more changes may follow after `through`.
    public var more: Bool
    /// For each table in the batch, its column names in the order `values` uses.
    public var columns: [String: [String]]
    /// For each table in the batch, the sender's ``TableSchema/rulesSignature``.
    public var rules: [String: String]?
    /// The changes, in the parent's log order.
    public var changes: [WireChange]
    /// True when an operator at the parent asked this child to resync (`tiersync resync
    /// --node`); absent otherwise.
    public var resync: Bool?
    /// Rows that left a scope the child holds, by key only, in the parent's log order;
    /// absent when there are none.
    public var evictions: [WireEviction]?
    /// The schema version the parent runs (SYNC.md 2.1); absent means 1.
    public var schema: Int?

    /// Creates a pull response.
    public init(
        epoch: String, head: Int64, through: Int64, more: Bool, columns: [String: [String]], rules: [String: String]? = nil,
        changes: [WireChange], resync: Bool? = nil, evictions: [WireEviction]? = nil, schema: Int? = nil
    ) {
        self.schema = schema
        self.epoch = epoch
        self.head = head
        self.through = through
        self.more = more
        self.columns = columns
        self.rules = rules
        self.changes = changes
        self.resync = resync
        self.evictions = evictions
    }
}

/// The body of every error answer.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// A stable machine-readable code, for example `cursor_gap` or `bad_request`.
    public var code: String
    /// What is wrong and what to do about it.
    public var message: String
    /// For `cursor_gap`: the position to resend from.
    public var expected: Int64?
    /// For `not_a_child`: the id of the node that answered, so that a caller whose
    /// `node.parent` points at the wrong node can say which node it reached.
    public var node: String?

    /// Creates an error body.
    public init(code: String, message: String, expected: Int64? = nil, node: String? = nil) {
        self.code = code
        self.message = message
        self.expected = expected
        self.node = node
    }
}

/// Errors in decoding or validating protocol messages.
public enum WireError: Error, Sendable, CustomStringConvertible {
    /// A message that does not follow the protocol.
    case invalid(String)
    /// A well-formed message for tables or columns this node's schema does not have, or
    /// without columns it has, or deciding by other rules: the two nodes run different
    /// schema files (SYNC.md 2.1).
    case schemaMismatch(String)

    /// What is wrong.
    public var description: String {
        switch self {
        case let .invalid(message): message
        case let .schemaMismatch(message): message
        }
    }
}
