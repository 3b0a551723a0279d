/// One local write: recorded by a capture trigger in a backend's capture table (SQLite: `_ts_capture`), or made
/// by the store itself (an adopted row, a resync's repair). The metadata it gives the row
/// (SYNC.md 10.5) is decided here, so every backend folds captures alike.
public struct Capture: Sendable {
    /// What the write did to the row.
    public enum Operation: String, Sendable {
        /// A new row (an INSERT, the new key of an update that changed it, an adopted row).
        case insert = "I"
        /// An UPDATE that kept the key.
        case update = "U"
        /// A DELETE.
        case delete = "D"
        /// The old key of an UPDATE that changed it: logged as a deletion.
        case keyChange = "K"
    }

    /// The row's table.
    public var table: TableSchema
    /// What the write did.
    public var operation: Operation
    /// The writer's wall-clock time, in milliseconds.
    public var at: Int64
    /// The row's scope: the new one for an insert or update, the old one for a deletion.
    public var scope: SQLValue
    /// For an update of a `merge` table, a bit per register the update changed.
    public var changed: Int64?
    /// The row's previous image in column order; for an insert, only the key's values.
    public var image: [SQLValue]
    /// Whether an update that changed the row's scope leaves an eviction record of the old
    /// one (a write captured by a trigger does; a resync's repair does not).
    public var recordsMove = true

    /// Creates a capture.
    public init(table: TableSchema, operation: Operation, at: Int64, scope: SQLValue, changed: Int64?, image: [SQLValue], recordsMove: Bool = true) {
        self.table = table
        self.operation = operation
        self.at = at
        self.scope = scope
        self.changed = changed
        self.image = image
        self.recordsMove = recordsMove
    }

    /// The row's key: unchanged by an update, the new key for an insert.
    public var key: [SQLValue] { table.keyIndexes.map { image[$0] } }

    /// True when the write deleted the row.
    public var deletes: Bool { operation == .delete || operation == .keyChange }

    /// True when the update changed register number `index` of a `merge` table.
    public func changed(register index: Int) -> Bool {
        guard let changed else { return true }
        return (UInt64(bitPattern: changed) >> UInt64(index % 64)) & 1 == 1
    }

    /// The scope the row's entry is logged under: the write's, or for a deletion the one
    /// the deleted row had.
    public var loggedScope: SQLValue {
        deletes ? table.scopeIndex.map { image[$0] } ?? scope : scope
    }

    /// The row's metadata after this write, made at `version` by its origin, given the
    /// metadata its entry held before (nil for a row never logged here), as section 10.5
    /// of SYNC.md gives it: the context gains the write; the existence register becomes it;
    /// an insert replaces every register and forgets the bases; an update replaces the
    /// registers it changed (every one under a row-level rule) and records as their bases
    /// the replaced writes with the values of the previous image; a deletion keeps the
    /// content registers. A row never logged here (no earlier write in its existence
    /// register) gets the write in every register it lacks; a row logged before keeps
    /// without a register each column added since (SYNC.md 2.1) that this write does not set.
    public func meta(after earlier: RowMeta?, version: Version) -> RowMeta {
        let neverLogged = earlier?.existence.isEmpty ?? true
        var meta = earlier ?? RowMeta()
        meta.context = CausalContext(meta.context.stamps.merging([version.origin: version.stamp]) { $1 })
        meta.existence = [Sibling(version: version, priority: table.deletes.priority(deleted: deletes), values: [.integer(deletes ? 1 : 0)])]
        let owner = loggedScope.textValue.flatMap { try? NodeID($0) }
        for (index, name) in table.registerNames.enumerated() {
            let fresh = [Sibling(version: version, priority: table.rule(forRegister: name).priority(writer: version.origin, scope: owner), values: nil)]
            let stored = meta.registers[name]
            // The base of a register an update replaces: the replaced write and its values.
            let base = { (values: [SQLValue]) in stored?.first.map { RegisterBase(version: $0.version, values: values) } }
            switch operation {
            case .insert:
                meta.registers[name] = fresh
            case .update where table.isColumnwise:
                let changed = changed(register: index)
                if changed || (stored == nil && neverLogged) { meta.registers[name] = fresh }
                if changed { meta.bases[name] = base(table.columns.firstIndex(of: name).map { [image[$0]] } ?? []) }
            case .update:
                meta.registers[name] = fresh
                meta.bases[name] = base(image)
            case .delete, .keyChange:
                if stored == nil && neverLogged { meta.registers[name] = fresh }
            }
        }
        if operation == .insert { meta.bases = [:] }
        return meta
    }
}
