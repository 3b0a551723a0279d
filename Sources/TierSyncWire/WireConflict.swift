import Foundation
import TierSyncModel
import TierSyncStore

/// The JSON form of a conflict record, as `GET /v1/conflicts` and
/// `tiersync conflicts list --json` give it.
public struct WireConflict: Codable, Sendable, Equatable {
    /// The record's id at this node.
    public var id: Int64
    /// When this node met the conflict.
    public var detectedAt: Date
    /// The peer whose change brought the concurrent write.
    public var peer: String?
    /// The table.
    public var table: String
    /// The row's primary-key values.
    public var key: [WireValue]
    /// A column, `*` for the whole row, or `(exists)` for a delete against an update.
    public var register: String
    /// The rule that decided, for example `tier` or `delete=later`.
    public var rule: String
    /// `open` (an operator must choose), `decided` (by the rule) or `resolved`.
    public var status: String
    /// The side the rule chose: `local` or `remote`.
    public var winner: String
    /// The write this node held: version (`millis.counter@origin`) and values.
    public var local: WireConflictSide
    /// The write that arrived.
    public var remote: WireConflictSide
    /// The write both replaced, when known.
    public var base: WireConflictSide?
    /// The operator's choice, once resolved.
    public var resolution: String?

    /// Converts a record.
    public init(_ record: ConflictRecord) {
        id = record.id
        detectedAt = record.detectedAt
        peer = record.peer
        table = record.table
        key = record.key.map(WireValue.init)
        register = record.register
        rule = record.rule
        status = record.status.rawValue
        winner = record.winner
        local = WireConflictSide(version: record.localVersion, values: record.localValues)
        remote = WireConflictSide(version: record.remoteVersion, values: record.remoteValues)
        base = record.baseVersion.map { WireConflictSide(version: $0, values: record.baseValues) }
        resolution = record.resolution
    }
}

/// One side of a conflict.
public struct WireConflictSide: Codable, Sendable, Equatable {
    /// The write's version, `millis.counter@origin`.
    public var version: String
    /// Its values: the whole row in column order, one column's value, or `[1]` for a
    /// deletion and `[0]` for a live row.
    public var values: [WireValue]?

    /// Creates a side from a record's packed version text.
    public init(version: String, values: [SQLValue]?) {
        self.version = ConflictRecord.readable(version)
        self.values = values?.map(WireValue.init)
    }
}

/// `POST /v1/conflicts/{id}/resolve`: the operator's choice.
public struct ResolveRequest: Codable, Sendable {
    /// `local`, `remote` or `value`.
    public var keep: String
    /// The value to write, with `keep = value`.
    public var value: WireValue?

    /// Creates a request.
    public init(keep: String, value: WireValue? = nil) {
        self.keep = keep
        self.value = value
    }

    private enum Key: String, CodingKey {
        case keep, value
    }

    /// Decodes a request; `"value": null` is the value NULL, not an absent value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        keep = try container.decode(String.self, forKey: .keep)
        value = container.contains(.value) ? try container.decode(WireValue.self, forKey: .value) : nil
    }

    /// The choice it asks for.
    /// - Throws: ``WireError/invalid(_:)`` for anything but local, remote or value with a value.
    public func choice() throws(WireError) -> ConflictChoice {
        switch keep {
        case "local": return .local
        case "remote": return .remote
        case "value":
            guard let value else { throw .invalid("keep = value needs a value, for example {\"keep\": \"value\", \"value\": \"gold\"}") }
            return .value(value.value)
        default:
            throw .invalid("keep must be local, remote or value, got '\(keep)'")
        }
    }

    /// Parses the command line's `local`, `remote` or `value=TEXT`. The text is read as a
    /// JSON value when it is one (`42`, `null`, `"42"`, `{"real": 1.5}`), and as text otherwise.
    public static func parse(_ text: String) throws(WireError) -> ConflictChoice {
        if text == "local" { return .local }
        if text == "remote" { return .remote }
        guard text.hasPrefix("value=") else {
            throw .invalid("--keep takes local, remote or value=TEXT, got '\(text)'")
        }
        let raw = String(text.dropFirst("value=".count))
        if let parsed = try? WireCoding.decode(WireValue.self, from: Data(raw.utf8)) { return .value(parsed.value) }
        return .value(.text(raw))
    }
}
