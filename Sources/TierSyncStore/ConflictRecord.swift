import Foundation
import TierSyncModel

/// A conflict as this node recorded it in `_ts_conflict`, for the listing and for an
/// operator's resolution.
public struct ConflictRecord: Sendable, Hashable {
    /// Where a conflict stands.
    public enum Status: String, Sendable {
        /// Decided by a `manual` rule's interim winner: an operator must choose.
        case open
        /// Decided by the table's rule; listed for the record.
        case decided
        /// An operator chose a value, which now propagates as a new write.
        case resolved
    }

    /// The record's id at this node.
    public var id: Int64
    /// When this node met the conflict.
    public var detectedAt: Date
    /// The peer whose change brought the concurrent write.
    public var peer: String?
    /// The table's name.
    public var table: String
    /// The row's primary-key values.
    public var key: [SQLValue]
    /// The register: a column, `*` for the whole row, or `(exists)` for a delete against an update.
    public var register: String
    /// The rule that decided.
    public var rule: String
    /// The write this node held, as `stamp@origin`.
    public var localVersion: String
    /// Its values (the whole row, or the column's value).
    public var localValues: [SQLValue]?
    /// The write that arrived.
    public var remoteVersion: String
    /// Its values.
    public var remoteValues: [SQLValue]?
    /// The write both replaced, when known.
    public var baseVersion: String?
    /// Its values.
    public var baseValues: [SQLValue]?
    /// The side the rule chose: `local` or `remote`.
    public var winner: String
    /// Where the conflict stands.
    public var status: Status
    /// The operator's choice, once resolved.
    public var resolution: String?

    /// Creates a record.
    public init(
        id: Int64, detectedAt: Date, peer: String?, table: String, key: [SQLValue], register: String, rule: String,
        localVersion: String, localValues: [SQLValue]?, remoteVersion: String, remoteValues: [SQLValue]?,
        baseVersion: String?, baseValues: [SQLValue]?, winner: String, status: Status, resolution: String?
    ) {
        self.id = id
        self.detectedAt = detectedAt
        self.peer = peer
        self.table = table
        self.key = key
        self.register = register
        self.rule = rule
        self.localVersion = localVersion
        self.localValues = localValues
        self.remoteVersion = remoteVersion
        self.remoteValues = remoteValues
        self.baseVersion = baseVersion
        self.baseValues = baseValues
        self.winner = winner
        self.status = status
        self.resolution = resolution
    }

    /// The text form of a version in records: the packed stamp, `@`, the origin.
    public static func text(_ version: Version) -> String {
        "\(version.stamp.rawValue)@\(version.origin)"
    }

    /// A version's readable form: `millis.counter@origin`.
    public static func readable(_ text: String) -> String {
        let parts = text.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let raw = Int64(parts[0]) else { return text }
        return "\(HybridTimestamp(rawValue: raw))@\(parts[1])"
    }
}

/// An operator's choice for a conflict.
public enum ConflictChoice: Sendable, Hashable {
    /// Keep the value this node held when it met the conflict.
    case local
    /// Keep the value that arrived.
    case remote
    /// Write this value instead (a column's conflict only).
    case value(SQLValue)

    /// `local`, `remote` or `value=...`, as the record keeps it.
    public var description: String {
        switch self {
        case .local: "local"
        case .remote: "remote"
        case let .value(value): "value=\(value)"
        }
    }
}
