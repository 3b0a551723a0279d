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
    static func ownRegisters(_ change: Change, table: TableSchema) -> [String: [Sibling]] {
        var registers: [String: [Sibling]] = [:]
        for name in table.registerNames {
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

    /// Converts received changes to the receiver's column order.
    ///
    /// A table the receiver does not sync, or a column it does not have, makes the change
    /// invalid; a column the sender did not send is an error as well, since values would be lost.
    public static func changes(_ wire: [WireChange], columns: [String: [String]], rules: [String: String]? = nil, schema: SyncSchema) throws(WireError) -> [Change] {
        for (name, signature) in (rules ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let table = schema.table(named: name), table.rulesSignature != signature {
                throw .schemaMismatch("table \(name): the sender decides conflicts by '\(signature)', this node by '\(table.rulesSignature)'; every node of a tree must use the same schema rules")
            }
        }
        var mappings: [String: [Int]?] = [:]
        var result: [Change] = []
        result.reserveCapacity(wire.count)
        for item in wire {
            var change = try item.change()
            guard let table = schema.table(named: item.table) else {
                throw .schemaMismatch("unknown table '\(item.table)'; this node syncs \(schema.tables.map(\.name).joined(separator: ", "))")
            }
            if change.meta.registers.isEmpty && !change.deleted {
                change.meta.registers = ownRegisters(change, table: table)
            }
            let rowRegister = change.meta.registers[RowMeta.wholeRow] ?? []
            let rowBase = change.meta.bases[RowMeta.wholeRow]
            let carriesRows = change.values != nil || rowBase != nil || rowRegister.contains { $0.values != nil }
            if carriesRows, mappings[item.table] == nil {
                mappings[item.table] = .some(try mapping(sent: columns[item.table], table: table))
            }
            if carriesRows, let order = mappings[item.table] ?? nil {
                guard (change.values?.count ?? order.count) == order.count,
                      rowRegister.allSatisfy({ ($0.values?.count ?? order.count) == order.count }),
                      (rowBase?.values.count ?? order.count) == order.count else {
                    throw .invalid("change to \(item.table): values do not match the \(order.count) columns of the batch's column list")
                }
                // The values, and whole-row values inside the registers, are in the sender's order.
                change.values = change.values.map { reorder($0, order) }
                if !rowRegister.isEmpty {
                    change.meta.registers[RowMeta.wholeRow] = rowRegister.map { sibling in
                        var sibling = sibling
                        sibling.values = sibling.values.map { reorder($0, order) }
                        return sibling
                    }
                }
                if var base = rowBase {
                    base.values = reorder(base.values, order)
                    change.meta.bases[RowMeta.wholeRow] = base
                }
            }
            result.append(change)
        }
        return result
    }

    private static func reorder(_ values: [SQLValue], _ order: [Int]) -> [SQLValue] {
        var reordered = [SQLValue](repeating: .null, count: order.count)
        for (sentIndex, localIndex) in order.enumerated() { reordered[localIndex] = values[sentIndex] }
        return reordered
    }

    /// Where each sent column goes in the local order, or nil when the orders are the same.
    private static func mapping(sent: [String]?, table: TableSchema) throws(WireError) -> [Int]? {
        guard let sent else { throw .invalid("the batch has no column list for table '\(table.name)'") }
        if sent == table.columns { return nil }
        var order: [Int] = []
        for name in sent {
            guard let index = table.columns.firstIndex(of: name) else {
                throw .schemaMismatch("table \(table.name) has no column '\(name)'; its columns are \(table.columns.joined(separator: ", "))")
            }
            order.append(index)
        }
        guard Set(order).count == table.columns.count else {
            let missing = Set(table.columns).subtracting(sent).sorted().joined(separator: ", ")
            throw .schemaMismatch("the batch lacks column(s) \(missing) of table \(table.name)")
        }
        return order
    }
}
