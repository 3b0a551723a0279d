import TierSyncModel

/// What an operator's choice for a recorded conflict makes of the row (SYNC.md 10.10), for
/// every backend: the backend reads the row's state, asks ``decide(_:choice:table:row:node:)``,
/// writes the answer as a local write (which supersedes both sides wherever it goes) and
/// closes the record, in one transaction.
public enum ConflictResolution {
    /// The row's state at this node, as the backend reads it after folding pending local writes.
    public struct RowState: Sendable, Equatable {
        /// The row's log metadata; nil when the node has no entry for it.
        public var meta: RowMeta?
        /// Whether the entry is a tombstone.
        public var deleted: Bool
        /// The row's values in the table, nil when the table does not hold it here.
        public var current: [SQLValue]?
        /// The row's last values kept with its entry (`tomb`), when the table does not hold it.
        public var tomb: [SQLValue]?

        /// Creates a state.
        public init(meta: RowMeta?, deleted: Bool, current: [SQLValue]?, tomb: [SQLValue]?) {
            self.meta = meta
            self.deleted = deleted
            self.current = current
            self.tomb = tomb
        }
    }

    /// What to write.
    public enum Write: Sendable, Equatable {
        /// A later write superseded a side: write nothing, close the record as `superseded`
        /// and tell the operator why.
        case superseded(reason: String)
        /// The row already is what was chosen: write nothing, close the record with the choice.
        case nothing
        /// Delete the row from the table.
        case delete
        /// Insert the row again with these values (every column, in the table's order).
        case insert([SQLValue])
        /// Set every column but the key to these values (every column, in the table's order).
        case updateRow([SQLValue])
        /// Set one column; its register then takes the write's own version with `priority`,
        /// so that the write supersedes both sides even when the value did not change.
        case updateColumn(name: String, value: SQLValue, priority: Int)
    }

    /// Decides what resolving `record` with `choice` writes, given the row's state here.
    /// - Throws: ``StoreError/cannotResolve(id:reason:)`` saying why and where it can be done
    ///   instead: the record is resolved already, the table is no longer synced, the chosen
    ///   side is unknown, the choice does not fit the register, or the row is not held here.
    public static func decide(_ record: ConflictRecord, choice: ConflictChoice, table: TableSchema?, row: RowState, node: NodeID) throws(StoreError) -> Write {
        func refuse(_ reason: String) -> StoreError { .cannotResolve(id: record.id, reason: reason) }
        guard record.status != .resolved else { throw refuse("it was resolved already (\(record.resolution ?? "?"))") }
        guard let table else { throw refuse("table \(record.table) is no longer synced here") }
        // Resolving a conflict that later writes have settled would overwrite them.
        let held = (record.register == Conflict.existence ? row.meta?.existence : row.meta?.registers[record.register]) ?? []
        let standing = Set(held.map { ConflictRecord.text($0.version) })
        guard standing.contains(record.localVersion), standing.contains(record.remoteVersion) else {
            return .superseded(reason: "a later write has superseded it, and writing either side now would overwrite that write; the conflict is closed")
        }
        func side() throws(StoreError) -> [SQLValue] {
            switch choice {
            case .local:
                guard let values = record.localValues else { throw refuse("the local value is not known") }
                return values
            case .remote:
                guard let values = record.remoteValues else { throw refuse("the remote value is not known") }
                return values
            case .value:
                throw refuse("--keep value=... chooses one column's value; for \(record.register == Conflict.existence ? "a delete against an update" : "a whole-row conflict") keep local or remote, or edit the row with SQL")
            }
        }
        switch record.register {
        case Conflict.existence:
            if try side() == [.integer(1)] {
                if row.current != nil { return .delete }
                guard row.deleted else { throw refuse("the row is live but not held here (outside this node's scope); resolve it where it is held") }
                return .nothing
            }
            guard row.current == nil else { return .nothing }
            guard let values = row.tomb, values.count == table.columns.count,
                  Routing.holds(node, table: table, scope: table.scopeIndex.flatMap { values[$0].textValue }.flatMap { try? NodeID($0) } ?? node) else {
                throw refuse("the row's last values are not held here; resolve it at a node that holds the row")
            }
            return .insert(values)
        case RowMeta.wholeRow:
            let values = try side()
            guard row.current != nil else { throw refuse("the row is not held here (deleted, or outside this node's scope); resolve it where it is held") }
            guard values.count == table.columns.count else { throw refuse("the recorded row does not match the table's \(table.columns.count) columns") }
            return .updateRow(values)
        default:
            let value: SQLValue
            if case let .value(given) = choice { value = given } else { value = try side().first ?? .null }
            guard let current = row.current else { throw refuse("the row is not held here (deleted, or outside this node's scope); resolve it where it is held") }
            let scope = table.scopeIndex.flatMap { current[$0].textValue }.flatMap { try? NodeID($0) }
            return .updateColumn(name: record.register, value: value, priority: table.rule(forRegister: record.register).priority(writer: node, scope: scope))
        }
    }
}
