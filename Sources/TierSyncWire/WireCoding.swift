import Foundation
import TierSyncModel

/// The JSON encoder and decoder every TierSync message goes through.
public enum WireCoding {
    /// Encodes a message as compact JSON with ISO 8601 dates.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// Decodes a message, turning decoding failures into a message that names the field.
    /// - Throws: ``WireError/invalid(_:)``.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(WireError) -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw .invalid(describe(error))
        } catch {
            throw .invalid("the body is not valid JSON: \(error)")
        }
    }

    /// Describes a decoding error by the path of the field at fault.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return text.isEmpty ? "the body" : String(text.drop { $0 == "." })
        }
        switch error {
        case let .typeMismatch(type, context):
            return "\(path(context)): expected \(type); \(context.debugDescription)"
        case let .valueNotFound(type, context):
            return "\(path(context)): a \(type) is required"
        case let .keyNotFound(key, context):
            return "\(path(context)): missing field '\(key.stringValue)'"
        case let .dataCorrupted(context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// The column lists of the tables that `changes` touch, as a batch header carries them.
    public static func columns(for changes: [Change], schema: SyncSchema) -> [String: [String]] {
        var columns: [String: [String]] = [:]
        for change in changes where columns[change.table] == nil {
            columns[change.table] = schema.table(named: change.table)?.columns ?? []
        }
        return columns
    }

    /// The schema version a batch names (`schema`): absent for version 1, so that a tree on
    /// its first schema sends the batches it always sent.
    public static func schemaField(_ schema: SyncSchema) -> Int? {
        schema.version > 1 ? schema.version : nil
    }

    /// The rule signatures of the tables that `changes` touch, as a batch header carries them.
    public static func rules(for changes: [Change], schema: SyncSchema) -> [String: String] {
        var rules: [String: String] = [:]
        for change in changes where rules[change.table] == nil {
            if let table = schema.table(named: change.table) { rules[change.table] = table.rulesSignature }
        }
        return rules
    }

    /// The wire form of changes to send, leaving out the registers of every row whose
    /// registers hold only its own latest write (``WireMeta``).
    public static func wireChanges(_ changes: [Change], schema: SyncSchema) -> [WireChange] {
        changes.map { change in
            guard let table = schema.table(named: change.table), holdsOnlyItsVersion(change, table: table) else { return WireChange(change) }
            var compact = change
            compact.meta.registers = [:]
            return WireChange(compact)
        }
    }

    /// The registers a row holds when each holds only the row's own latest write.
    ///
    /// With `sent`, the sender's column list, a column register is made only for a column
    /// the sender has: a column it lacks (an older schema) was not written (SYNC.md 2.1).
    static func ownRegisters(_ change: Change, table: TableSchema, sent: [String]? = nil) -> [String: [Sibling]] {
        var registers: [String: [Sibling]] = [:]
        for name in table.registerNames where name == RowMeta.wholeRow || sent?.contains(name) ?? true {
            let priority = table.rule(forRegister: name).priority(writer: change.version.origin, scope: change.scope)
            registers[name] = [Sibling(version: change.version, priority: priority, values: nil)]
        }
        return registers
    }

    private static func holdsOnlyItsVersion(_ change: Change, table: TableSchema) -> Bool {
        guard !change.deleted, change.meta.registers.count == table.registerNames.count else { return false }
        return change.meta.registers.allSatisfy { name, siblings in
            siblings.count == 1 && siblings[0].version == change.version
                && siblings[0].priority == table.rule(forRegister: name).priority(writer: change.version.origin, scope: change.scope)
        }
    }

    /// Converts received changes to the receiver's column order, refusing every schema
    /// difference (``BatchIntake`` without a sender): a resync's answer.
    public static func changes(_ wire: [WireChange], columns: [String: [String]], rules: [String: String]? = nil, schema: SyncSchema) throws(WireError) -> [Change] {
        try BatchIntake.read(wire, columns: columns, rules: rules, from: nil, schema: schema).changes
    }
}
