import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Applies remote changes in one immediate transaction. For each row the higher version
    /// wins; a winner is written with the capture triggers muted and logged with its own
    /// origin and stamp; the cursor advances in the same transaction.
    public func apply(_ changes: [Change], cursor: CursorAdvance) async throws -> ApplyOutcome {
        let schema = self.schema
        let node = self.node
        return try await writeTransaction { db in
            var applier = ChangeApplier(db: db, schema: schema, node: node)
            try db.execute(sql: "UPDATE _ts_node SET applying = 1 WHERE id = 1")
            for change in changes {
                try applier.apply(change)
            }
            try db.execute(sql: "UPDATE _ts_node SET applying = 0, hlc = max(hlc, ?) WHERE id = 1", arguments: [applier.highestStamp])
            try applier.recordRejections(peer: cursor.peer)
            try SQLiteStore.advance(db, cursor: cursor)
            return applier.outcome
        }
    }

    static func advance(_ db: Database, cursor: CursorAdvance) throws {
        let now = Date().timeIntervalSince1970
        switch cursor {
        case let .pushedBy(child, after, through):
            try ensurePeer(db, node: child, role: .child)
            let applied = try Int64.fetchOne(db, sql: "SELECT pushed FROM _ts_peer WHERE node = ?", arguments: [child.description]) ?? 0
            guard after <= applied else {
                throw StoreError.cursorGap(child: child.description, expected: applied, got: after)
            }
            try db.execute(sql: "UPDATE _ts_peer SET pushed = max(pushed, ?), last_contact = ?, last_error = NULL WHERE node = ?",
                           arguments: [through, now, child.description])
        case let .pulledFrom(parent, epoch, through):
            try ensurePeer(db, node: parent, role: .parent)
            try db.execute(sql: "UPDATE _ts_peer SET pulled = ?, epoch = ?, last_contact = ?, last_error = NULL WHERE node = ?",
                           arguments: [through, epoch, now, parent.description])
        case .none:
            break
        }
    }
}

extension CursorAdvance {
    /// The peer a cursor belongs to.
    var peer: NodeID? {
        switch self {
        case let .pushedBy(child, _, _): child
        case let .pulledFrom(parent, _, _): parent
        case .none: nil
        }
    }
}

/// Applies changes one by one inside the caller's transaction, with prepared statements
/// cached per table.
struct ChangeApplier {
    let db: Database
    let schema: SyncSchema
    let node: NodeID
    private(set) var outcome = ApplyOutcome()
    private(set) var highestStamp: Int64 = 0

    init(db: Database, schema: SyncSchema, node: NodeID) {
        self.db = db
        self.schema = schema
        self.node = node
    }

    mutating func apply(_ change: Change) throws {
        guard let table = schema.table(named: change.table) else {
            return reject(change, "unknown table \(change.table); this node syncs \(schema.tables.map(\.name).joined(separator: ", "))")
        }
        if let problem = ChangeApplier.shapeProblem(change, table: table) {
            return reject(change, problem)
        }
        let keyArguments = StatementArguments(change.key.map(\.databaseValue))
        let lookup = try db.cachedStatement(sql: "SELECT hlc, origin FROM _ts_log WHERE tbl = ? AND pk = \(ChangeLogSQL.keyParameters(table))")
        lookup.setUncheckedArguments([table.name] + keyArguments)
        if let row = try Row.fetchOne(lookup) {
            let held = Version(stamp: HybridTimestamp(rawValue: row[0]), origin: (try? NodeID(row[1] as String)) ?? change.version.origin)
            guard change.version > held else {
                outcome.skipped += 1
                return
            }
        }
        var tombstone = change.isDelete
        do {
            if let values = change.values, Routing.holds(node, table: table, scope: change.scope) {
                let upsert = try db.cachedStatement(sql: ChangeApplier.upsertSQL(table))
                upsert.setUncheckedArguments(StatementArguments(values.map(\.databaseValue)))
                try upsert.execute()
            } else {
                let delete = try db.cachedStatement(sql: ChangeApplier.deleteSQL(table))
                delete.setUncheckedArguments(keyArguments)
                try delete.execute()
                if !change.isDelete {
                    outcome.evicted += 1
                    tombstone = true
                }
            }
        } catch let error as DatabaseError {
            return reject(change, "the row does not fit table \(table.name): \(error.message ?? "\(error)")")
        }
        let log = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO _ts_log(tbl, pk, hlc, origin, scope, prev_scope, deleted)
            VALUES (?, \(ChangeLogSQL.keyParameters(table)), ?, ?, ?, ?, ?)
            """)
        var arguments: StatementArguments = [table.name]
        arguments += keyArguments
        arguments += [change.version.stamp.rawValue, change.version.origin.description, change.scope.description,
                      change.previousScope?.description, tombstone ? 1 : 0]
        log.setUncheckedArguments(arguments)
        try log.execute()
        highestStamp = max(highestStamp, change.version.stamp.rawValue)
        if !tombstone || change.isDelete { outcome.applied += 1 }
    }

    /// Why a change cannot belong to `table`, or nil when its shape fits.
    static func shapeProblem(_ change: Change, table: TableSchema) -> String? {
        guard change.key.count == table.keyColumns.count else {
            return "table \(table.name) has \(table.keyColumns.count) key column(s) (\(table.keyColumns.joined(separator: ", "))), the change gives \(change.key.count)"
        }
        for value in change.key {
            switch value {
            case .integer, .text: continue
            default: return "key values must be INTEGER or TEXT, got \(value)"
            }
        }
        guard let values = change.values else { return nil }
        guard values.count == table.columns.count else {
            return "table \(table.name) has \(table.columns.count) columns, the change gives \(values.count)"
        }
        guard table.keyIndexes.map({ values[$0] }) == change.key else {
            return "the key does not match the row's key columns"
        }
        guard let scopeIndex = table.scopeIndex, values[scopeIndex] == .text(change.scope.description) else {
            return "the row's scope column does not match the change's scope \(change.scope)"
        }
        return nil
    }

    private mutating func reject(_ change: Change, _ reason: String) {
        outcome.rejected.append(RejectedChange(
            table: change.table, key: "[" + change.key.map(\.description).joined(separator: ", ") + "]",
            version: change.version.description, reason: reason))
    }

    func recordRejections(peer: NodeID?) throws {
        guard !outcome.rejected.isEmpty else { return }
        let insert = try db.cachedStatement(sql: "INSERT INTO _ts_rejected(received_at, peer, tbl, pk, version, reason) VALUES (?, ?, ?, ?, ?, ?)")
        let now = Date().timeIntervalSince1970
        for rejection in outcome.rejected {
            insert.setUncheckedArguments([now, peer?.description, rejection.table, rejection.key, rejection.version, rejection.reason])
            try insert.execute()
        }
    }

    static func upsertSQL(_ table: TableSchema) -> String {
        let columns = table.columns.map(quoted).joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let keys = table.keyColumns.map(quoted).joined(separator: ", ")
        let updates = table.columns.filter { !table.keyColumns.contains($0) }.map { "\(quoted($0)) = excluded.\(quoted($0))" }
        let action = updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", ")
        return "INSERT INTO \(quoted(table.name))(\(columns)) VALUES (\(placeholders)) ON CONFLICT(\(keys)) DO \(action)"
    }

    static func deleteSQL(_ table: TableSchema) -> String {
        "DELETE FROM \(quoted(table.name)) WHERE " + table.keyColumns.map { "\(quoted($0)) = ?" }.joined(separator: " AND ")
    }
}
