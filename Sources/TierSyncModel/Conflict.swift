/// Two writes made concurrently to the same register, as the node that merged them saw them.
public struct Conflict: Hashable, Sendable {
    /// Which side's value the rule chose.
    public enum Side: String, Sendable, Codable {
        /// The value this node held.
        case local
        /// The value that arrived.
        case remote
    }

    /// The table's name.
    public var table: String
    /// The row's primary-key values.
    public var key: [SQLValue]
    /// The register: a column name, ``RowMeta/wholeRow`` for the whole row, or
    /// ``Conflict/existence`` for a delete against an update.
    public var register: String
    /// The rule that decided, for example `lww`, `tier` or `delete=later`.
    public var rule: String
    /// True when the rule is `manual`: the winner is interim and an operator must choose.
    public var needsOperator: Bool
    /// The winning write this node held.
    public var local: Sibling
    /// The winning write that arrived.
    public var remote: Sibling
    /// The value both sides replaced, when known.
    public var base: RegisterBase?
    /// The side whose value the rule chose.
    public var winner: Side

    /// The register name of the existence register in conflicts.
    public static let existence = "(exists)"

    /// Creates a conflict record.
    public init(table: String, key: [SQLValue], register: String, rule: String, needsOperator: Bool, local: Sibling, remote: Sibling, base: RegisterBase?, winner: Side) {
        self.table = table
        self.key = key
        self.register = register
        self.rule = rule
        self.needsOperator = needsOperator
        self.local = local
        self.remote = remote
        self.base = base
        self.winner = winner
    }
}
