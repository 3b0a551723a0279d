import Foundation
import TierSyncModel
import TierSyncStore

/// What a receiver makes of a received batch under its own schema (SYNC.md 2.1): the
/// changes that fit, in its column order, and the changes it keeps until it runs the
/// sender's newer schema.
///
/// Between nodes on different schema versions:
/// - a change from an **older** sender lacks the columns added since: each takes its fill
///   (``TableSchema/fills``), the value the column has in that sender's rows once it
///   upgrades, and the change has no conflict register for it;
/// - a change from a **newer** sender to a table this node does not sync, or with a column
///   or conflict rule its table does not have yet, is kept whole (``KeptChange``) and
///   applied once this node runs a schema it fits.
///
/// Between nodes on the same version, every difference is refused
/// (``WireError/schemaMismatch(_:)``): their files differ, and one of them is wrong.
public struct BatchIntake: Sendable {
    /// The changes that fit this node's schema, converted to its column order.
    public var changes: [Change]
    /// The changes kept until this node runs the sender's schema.
    public var kept: [KeptChange]
    /// The kept changes as the sender wrote them, in the sender's column order: read only
    /// for what does not depend on columns (their metadata and stamps).
    public var keptAsSent: [Change]

    /// Why a kept change cannot be right whatever the columns of its table
    /// (``ChangeShape/metadataProblem(_:)``), naming it; nil when every one can be.
    public var keptProblem: String? {
        for change in keptAsSent {
            if let problem = ChangeShape.metadataProblem(change) {
                return "change to \(change.table) \(change.key.map(\.description)), of a newer schema: \(problem)"
            }
        }
        return nil
    }

    /// Who sent a batch, for the changes a receiver keeps.
    public struct Sender: Sendable {
        /// The sending node.
        public var node: NodeID
        /// True when the batch is a child's push.
        public var isChild: Bool
        /// The schema version it runs (a batch without one: 1).
        public var schemaVersion: Int

        /// Creates a sender.
        public init(node: NodeID, isChild: Bool, schemaVersion: Int?) {
            self.node = node
            self.isChild = isChild
            self.schemaVersion = schemaVersion ?? 1
        }
    }

    /// Reads a received batch. With `sender` nil (a resync answer), nothing is kept and
    /// nothing filled: every difference is refused.
    /// - Throws: ``WireError/schemaMismatch(_:)`` for a difference this node cannot bridge,
    ///   ``WireError/invalid(_:)`` for a malformed change.
    public static func read(
        _ wire: [WireChange], columns: [String: [String]], rules: [String: String]?, from sender: Sender?, schema: SyncSchema
    ) throws(WireError) -> BatchIntake {
        let version = sender?.schemaVersion ?? schema.version
        var plans: [String: TablePlan] = [:]
        // Every table the header names is judged, whether or not a change follows.
        for name in Set(columns.keys).union(rules.map { Array($0.keys) } ?? []).sorted() {
            plans[name] = try TablePlan(table: name, columns: columns[name], rules: rules?[name], senderVersion: version, schema: schema)
        }
        var intake = BatchIntake(changes: [], kept: [], keptAsSent: [])
        intake.changes.reserveCapacity(wire.count)
        for item in wire {
            let plan: TablePlan
            if let known = plans[item.table] {
                plan = known
            } else {
                plan = try TablePlan(table: item.table, columns: nil, rules: nil, senderVersion: version, schema: schema)
                plans[item.table] = plan
            }
            var change = try item.change()
            try plan.checkWidth(change)
            // Kept: every change of a table planned for keeping, and a newer sender's change
            // that carries a conflict register this table does not have yet (a merge table's
            // new column, in a deletion that lists no columns).
            guard case let .convert(table, mapping) = plan.action,
                  version <= schema.version || change.meta.registers.keys.allSatisfy(table.registerNames.contains) else {
                intake.keptAsSent.append(change)
                intake.kept.append(try keep(item, plan: plan, sender: sender, localVersion: schema.version))
                continue
            }
            if change.meta.registers.isEmpty && !change.deleted {
                change.meta.registers = WireCoding.ownRegisters(change, table: table, sent: plan.sentColumns)
            }
            mapping?.convert(&change)
            intake.changes.append(change)
        }
        return intake
    }

    /// Splits a pull answer's evictions into those to apply now and those to keep: an
    /// eviction of a table this node keeps changes of (`keptTables`, from earlier answers
    /// or this one) waits with them, so that it still follows them when they are applied;
    /// so does one of a table only a newer sender has.
    public static func evictions(
        _ wire: [WireEviction], keptTables: Set<String>, from sender: Sender, schema: SyncSchema
    ) throws(WireError) -> (apply: [Eviction], kept: [KeptChange]) {
        var apply: [Eviction] = []
        var kept: [KeptChange] = []
        for item in wire {
            let eviction = try item.eviction(source: sender.node)
            let unknown = schema.table(named: item.table) == nil && sender.schemaVersion > schema.version
            guard keptTables.contains(item.table) || unknown else {
                apply.append(eviction)
                continue
            }
            let body = BatchCodec.encode(PullResponse(epoch: "", head: 0, through: 0, more: false, columns: [:], changes: [],
                                                      evictions: [item], schema: sender.schemaVersion))
            kept.append(KeptChange(source: sender.node, fromChild: sender.isChild, table: item.table, schemaVersion: sender.schemaVersion, body: body))
        }
        return (apply, kept)
    }

    /// A kept change's body: the change as received, in the batch form of a push of that
    /// one change, with its table's column list and rule signature from the batch header, so
    /// that it reads the same later.
    private static func keep(_ item: WireChange, plan: TablePlan, sender: Sender?, localVersion: Int) throws(WireError) -> KeptChange {
        guard let sender else {
            throw .schemaMismatch("table \(item.table) does not fit this node's schema version \(localVersion)")
        }
        let body = BatchCodec.encode(PushRequest(
            node: sender.node.description, after: 0, through: 0, columns: plan.sentColumns.map { [item.table: $0] } ?? [:],
            rules: plan.sentRules.map { [item.table: $0] }, changes: [item], schema: sender.schemaVersion))
        return KeptChange(source: sender.node, fromChild: sender.isChild, table: item.table, schemaVersion: sender.schemaVersion, body: body)
    }

    /// What a kept change is under this node's schema now.
    public enum Reread: Sendable {
        /// A change that fits: apply it.
        case change(Change)
        /// An eviction whose table this node syncs: apply it after what was kept before it.
        case eviction(Eviction)
        /// It still does not fit, or cannot be read: it stays kept, for this reason.
        case stays(String)
    }

    /// Reads a kept change again under this node's schema now.
    public static func reread(_ kept: KeptChange, schema: SyncSchema) -> Reread {
        let sender = Sender(node: kept.source, isChild: kept.fromChild, schemaVersion: kept.schemaVersion)
        do throws(WireError) {
            if kept.body.count > 4, kept.body[kept.body.startIndex + 4] == BatchCodec.Kind.pull.rawValue {
                let answer = try BatchCodec.decodePull(kept.body)
                guard let item = answer.evictions?.first, answer.evictions?.count == 1 else { return .stays("the kept body holds no one eviction") }
                guard schema.table(named: item.table) != nil else { return .stays("this node does not sync table \(item.table) yet") }
                return .eviction(try item.eviction(source: sender.node))
            }
            let request = try BatchCodec.decodePush(kept.body)
            let intake = try read(request.changes, columns: request.columns, rules: request.rules, from: sender, schema: schema)
            guard intake.kept.isEmpty, intake.changes.count == 1 else {
                return .stays("it still does not fit this node's schema version \(schema.version); it came from version \(kept.schemaVersion)")
            }
            return .change(intake.changes[0])
        } catch {
            return .stays(error.description)
        }
    }
}

/// What a receiver does with one table's changes in a batch.
struct TablePlan {
    enum Action {
        /// Keep every change of the table until this node runs the sender's schema.
        case keep
        /// Convert each change to this node's column order (nil: the orders are the same, or
        /// no change carries values).
        case convert(TableSchema, ColumnMapping?)
    }

    let action: Action
    let sentColumns: [String]?
    let sentRules: String?

    /// Refuses a change whose whole-row values (its values, the losing writes of its `*`
    /// register, its `*` base) do not have one value per column of the batch's list for
    /// its table, or that carries them without a list.
    func checkWidth(_ change: Change) throws(WireError) {
        let rowRegister = change.meta.registers[RowMeta.wholeRow] ?? []
        let rowBase = change.meta.bases[RowMeta.wholeRow]
        let carriesRows = change.values != nil || rowBase != nil || rowRegister.contains { $0.values != nil }
        guard carriesRows else { return }
        guard let width = sentColumns?.count else {
            throw .invalid("the batch has no column list for table '\(change.table)'")
        }
        guard (change.values?.count ?? width) == width, rowRegister.allSatisfy({ ($0.values?.count ?? width) == width }),
              (rowBase?.values.count ?? width) == width else {
            throw .invalid("change to \(change.table) \(change.key.map(\.description)): its values do not match the \(width) columns of the batch's column list")
        }
    }

    init(table name: String, columns sent: [String]?, rules signature: String?, senderVersion: Int, schema: SyncSchema) throws(WireError) {
        sentColumns = sent
        sentRules = signature
        let newer = senderVersion > schema.version
        let older = senderVersion < schema.version
        let versions = "the sender runs schema version \(senderVersion), this node \(schema.version)"
        guard let table = schema.table(named: name) else {
            guard newer else {
                throw .schemaMismatch("unknown table '\(name)'; this node syncs \(schema.tables.map(\.name).joined(separator: ", ")) (\(versions))")
            }
            action = .keep
            return
        }
        if let sent, newer, sent.contains(where: { !table.columns.contains($0) }) {
            action = .keep
            return
        }
        if let signature, signature != table.rulesSignature {
            switch RulesDifference(sent: signature, local: table.rulesSignature, sentColumns: sent, localColumns: table.columns) {
            case .senderLacksColumns where older:
                break
            case .senderHasMoreColumns where newer:
                action = .keep
                return
            default:
                throw .schemaMismatch("table \(name): the sender decides conflicts by '\(signature)', this node by '\(table.rulesSignature)' (\(versions)); every node of a tree must use the same schema rules")
            }
        }
        if let sent {
            action = .convert(table, try ColumnMapping(sent: sent, table: table, fill: older, versions: versions))
        } else {
            action = .convert(table, nil)
        }
    }
}

/// How two rule signatures of a table (``TableSchema/rulesSignature``) differ.
enum RulesDifference {
    /// The sender's rules are the receiver's without the rules of some columns, none of
    /// which the sender has.
    case senderLacksColumns
    /// The sender's rules are the receiver's with rules for more columns, none of which the
    /// receiver has.
    case senderHasMoreColumns
    /// Any other difference.
    case other

    init(sent: String, local: String, sentColumns: [String]?, localColumns: [String]) {
        func entries(_ signature: String) -> [String: String] {
            var entries: [String: String] = [:]
            for part in signature.split(separator: " ") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { entries[pair[0]] = pair[1] }
            }
            return entries
        }
        let sentEntries = entries(sent)
        let localEntries = entries(local)
        let fixed = ["conflict", "delete"]
        guard fixed.allSatisfy({ sentEntries[$0] == localEntries[$0] }) else {
            self = .other
            return
        }
        let sentOnly = Set(sentEntries.keys).subtracting(localEntries.keys)
        let localOnly = Set(localEntries.keys).subtracting(sentEntries.keys)
        let shared = Set(sentEntries.keys).intersection(localEntries.keys)
        guard shared.allSatisfy({ sentEntries[$0] == localEntries[$0] }) else {
            self = .other
            return
        }
        if sentOnly.isEmpty, !localOnly.isEmpty, localOnly.allSatisfy({ !(sentColumns ?? []).contains($0) }) {
            self = .senderLacksColumns
        } else if localOnly.isEmpty, !sentOnly.isEmpty, sentOnly.allSatisfy({ !localColumns.contains($0) }) {
            self = .senderHasMoreColumns
        } else {
            self = .other
        }
    }
}

/// Where each column a sender listed goes in the receiver's order, and what fills the
/// columns it did not list.
struct ColumnMapping {
    /// The local index of each sent column, in the sender's order.
    let order: [Int]
    /// The local columns the sender did not list, each with its fill.
    let fills: [(index: Int, value: SQLValue)]
    /// The receiver's number of columns.
    let width: Int

    /// The mapping, or nil when the sender's order is the receiver's.
    /// - Throws: ``WireError/schemaMismatch(_:)`` for a column the receiver does not have,
    ///   or one it has that the sender did not list and `fill` does not allow filling.
    init?(sent: [String], table: TableSchema, fill: Bool, versions: String) throws(WireError) {
        if sent == table.columns { return nil }
        var order: [Int] = []
        for name in sent {
            guard let index = table.columns.firstIndex(of: name) else {
                throw .schemaMismatch("table \(table.name) has no column '\(name)'; its columns are \(table.columns.joined(separator: ", ")) (\(versions))")
            }
            order.append(index)
        }
        let listed = Set(order)
        guard listed.count == order.count else {
            throw .invalid("the column list of table \(table.name) names a column twice")
        }
        var fills: [(index: Int, value: SQLValue)] = []
        for (index, name) in table.columns.enumerated() where !listed.contains(index) {
            guard fill, let value = table.fills[name] else {
                let reason = fill ? "; it has no constant DEFAULT and is NOT NULL, so no value can stand for it" : ""
                throw .schemaMismatch("the batch lacks column \(name) of table \(table.name)\(reason) (\(versions))")
            }
            fills.append((index, value))
        }
        self.order = order
        self.fills = fills
        self.width = table.columns.count
    }

    /// Puts a change's values, and the whole-row values in its registers and base, in the
    /// receiver's order, with the fills. The widths were checked (``TablePlan/checkWidth(_:)``).
    func convert(_ change: inout Change) {
        let rowRegister = change.meta.registers[RowMeta.wholeRow] ?? []
        let rowBase = change.meta.bases[RowMeta.wholeRow]
        change.values = change.values.map(reorder)
        if !rowRegister.isEmpty {
            change.meta.registers[RowMeta.wholeRow] = rowRegister.map { sibling in
                var sibling = sibling
                sibling.values = sibling.values.map(reorder)
                return sibling
            }
        }
        if var base = rowBase {
            base.values = reorder(base.values)
            change.meta.bases[RowMeta.wholeRow] = base
        }
    }

    private func reorder(_ values: [SQLValue]) -> [SQLValue] {
        var reordered = [SQLValue](repeating: .null, count: width)
        for (index, value) in fills { reordered[index] = value }
        for (sentIndex, localIndex) in order.enumerated() { reordered[localIndex] = values[sentIndex] }
        return reordered
    }
}
