import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Applies remote changes in one immediate transaction. Each change is merged with the
    /// row's state here (``RowMerge``); a changed row is written with the capture triggers
    /// muted and logged with its merged registers; conflicts met here are recorded; the
    /// cursor advances in the same transaction.
    public func apply(_ changes: [Change], cursor: CursorAdvance) async throws -> ApplyOutcome {
        let schema = self.schema
        let node = self.node
        let observers = self.observers.withLock { $0 }
        return try await writeTransaction { db in
            var applier = ChangeApplier(db: db, schema: schema, node: node, authority: cursor.pushingChild)
            applier.observations = try observers.map { ($0.tables, try $0.begin(db, changes: changes.count)) }
            try db.execute(sql: "UPDATE _ts_node SET applying = 1, observing = ? WHERE id = 1", arguments: [observers.isEmpty ? 0 : 1])
            for change in changes {
                try applier.apply(change)
            }
            for (_, observation) in applier.observations { try observation.finish() }
            try db.execute(sql: "UPDATE _ts_node SET applying = 0, observing = 0, hlc = max(hlc, ?) WHERE id = 1", arguments: [applier.highestStamp])
            try applier.recordRejections(peer: cursor.peer)
            try applier.recordConflicts(peer: cursor.peer)
            try SQLiteStore.advance(db, cursor: cursor, newest: changes.lazy.map(\.version.stamp.rawValue).max())
            return applier.outcome
        }
    }

    /// Adds changes to the error queue, each once: a change already queued from the same
    /// peer at the same version (a batch sent again after its answer was lost) is not
    /// added again.
    static func insertRejections(_ db: Database, _ rejections: [RejectedChange], peer: NodeID?) throws {
        guard !rejections.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO _ts_rejected(received_at, peer, tbl, pk, version, reason) SELECT ?1, ?2, ?3, ?4, ?5, ?6
            WHERE NOT EXISTS (SELECT 1 FROM _ts_rejected WHERE tbl = ?3 AND pk = ?4 AND version = ?5 AND peer IS ?2)
            """)
        let now = Date().timeIntervalSince1970
        for rejection in rejections {
            insert.setUncheckedArguments([now, peer?.description, rejection.table, rejection.key, rejection.version, rejection.reason])
            try insert.execute()
        }
    }

    /// Records in this node's error queue the changes its parent refused from a push, so
    /// that the node's operator sees them too.
    public func recordRefusals(_ rejections: [RejectedChange], by parent: NodeID) async throws {
        guard !rejections.isEmpty else { return }
        let refused = rejections.map { rejection in
            var refused = rejection
            refused.reason = "refused by \(parent): \(rejection.reason)"
            return refused
        }
        try await writeTransaction { db in try SQLiteStore.insertRejections(db, refused, peer: parent) }
    }

    /// Advances `cursor`; for a push, also raises the child's newest-change stamp to `newest`.
    static func advance(_ db: Database, cursor: CursorAdvance, newest: Int64? = nil) throws {
        let now = Date().timeIntervalSince1970
        switch cursor {
        case let .pushedBy(child, after, through):
            try ensurePeer(db, node: child, role: .child)
            let applied = try Int64.fetchOne(db, sql: "SELECT pushed FROM _ts_peer WHERE node = ?", arguments: [child.description]) ?? 0
            guard after <= applied else {
                throw StoreError.cursorGap(child: child.description, expected: applied, got: after)
            }
            try db.execute(sql: """
                UPDATE _ts_peer SET pushed = max(pushed, ?), last_contact = ?, last_error = NULL,
                  newest_change = max(coalesce(newest_change, 0), coalesce(?, 0)) WHERE node = ?
                """, arguments: [through, now, newest, child.description])
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
    /// The child whose push this is: its rows are checked against its rights.
    var pushingChild: NodeID? {
        if case let .pushedBy(child, _, _) = self { return child }
        return nil
    }

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
    /// The child whose push is applied, whose rows must stay within its rights; nil for a pull.
    let authority: NodeID?
    private(set) var outcome = ApplyOutcome()
    private(set) var highestStamp: Int64 = 0
    private(set) var conflicts: [Conflict] = []
    /// The SQL text of each table's statements, built once per batch rather than per row.
    private var sqlByTable: [String: TableSQL] = [:]
    /// The observers following this apply, with the tables each sees.
    var observations: [(tables: Set<String>, observation: any ApplyObservation)] = []
    /// The observers of each table, found once per batch.
    private var watchersByTable: [String: [any ApplyObservation]] = [:]

    private mutating func watchers(of table: TableSchema) throws -> [any ApplyObservation] {
        if let known = watchersByTable[table.name] { return known }
        let found = observations.filter { $0.tables.contains(table.name) }.map(\.observation)
        watchersByTable[table.name] = found
        return found
    }

    struct TableSQL {
        let lookup: String
        let upsert: String
        let delete: String
        let log: String
    }

    private mutating func statements(for table: TableSchema) -> TableSQL {
        if let known = sqlByTable[table.name] { return known }
        let sql = TableSQL(
            lookup: """
                SELECT hlc, origin, source, scope, prev_scope, deleted, meta, tomb, pk FROM _ts_log
                WHERE tbl = ? AND pk = \(ChangeLogSQL.keyParameters(table))
                """,
            upsert: ChangeApplier.upsertSQL(table), delete: ChangeApplier.deleteSQL(table),
            log: """
                INSERT OR REPLACE INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb)
                VALUES (?, \(ChangeLogSQL.keyParameters(table)), ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        sqlByTable[table.name] = sql
        return sql
    }

    init(db: Database, schema: SyncSchema, node: NodeID, authority: NodeID? = nil) {
        self.db = db
        self.schema = schema
        self.node = node
        self.authority = authority
    }

    mutating func apply(_ change: Change) throws {
        guard let table = schema.table(named: change.table) else {
            return reject(change, "unknown table \(change.table); this node syncs \(schema.tables.map(\.name).joined(separator: ", "))")
        }
        if let problem = ChangeShape.problem(change, table: table) {
            return reject(change, problem)
        }
        if let authority, let problem = PushAuthorization.problem(change, from: authority, table: table) {
            return reject(change, problem)
        }
        let change = ChangeApplier.normalized(change)
        highestStamp = max(highestStamp, change.meta.context.stamps.values.map(\.rawValue).max() ?? 0)
        let keyArguments = StatementArguments(change.key.map(\.databaseValue))
        let sql = statements(for: table)
        let lookup = try db.cachedStatement(sql: sql.lookup)
        lookup.setUncheckedArguments([table.name] + keyArguments)
        var merged = change
        var met: [Conflict] = []
        let watchers = try watchers(of: table)
        var before: [SQLValue]?
        let row = try Row.fetchOne(lookup)
        if row == nil, let authority, let problem = PushAuthorization.historyProblem(change, local: nil, from: authority, table: table) {
            return reject(change, problem)
        }
        if let row {
            let keyText: String = row[8]
            guard let local = try? ChangeApplier.localChange(row, table: table, key: change.key) else {
                return reject(change, "this node's log entry for the row is unreadable; its file needs repair before this row can sync")
            }
            if let authority, let problem = PushAuthorization.historyProblem(change, local: local, from: authority, table: table) {
                return reject(change, problem)
            }
            let result: RowMerge.Outcome
            do {
                result = try RowMerge.merge(table: table, local: local, incoming: change) {
                    try SQLiteStore.currentValues(db, table: table, keyText: keyText)
                }
            } catch let failure as RowMerge.Failure {
                return reject(change, failure.description)
            }
            guard result.changed else {
                if result.contextChanged {
                    let update = try db.cachedStatement(sql: "UPDATE _ts_log SET meta = ? WHERE tbl = ? AND pk = ?")
                    update.setUncheckedArguments([MetaText.text(result.merged.meta), table.name, keyText])
                    try update.execute()
                }
                outcome.skipped += 1
                return
            }
            merged = result.merged
            merged.source = result.sameAsIncoming ? change.source : node
            met = result.conflicts
            if !watchers.isEmpty { before = try SQLiteStore.currentValues(db, table: table, keyText: keyText) }
        }
        let held = !merged.deleted && Routing.holds(node, table: table, scope: merged.scope)
        do {
            if held, let values = merged.values {
                let upsert = try db.cachedStatement(sql: sql.upsert)
                upsert.setUncheckedArguments(StatementArguments(values.map(\.databaseValue)))
                try upsert.execute()
            } else {
                let delete = try db.cachedStatement(sql: sql.delete)
                delete.setUncheckedArguments(keyArguments)
                try delete.execute()
                if !merged.deleted { outcome.evicted += 1 }
            }
        } catch let error as DatabaseError {
            return reject(change, "the row does not fit table \(table.name): \(error.message ?? "\(error)")")
        }
        let log = try db.cachedStatement(sql: sql.log)
        var arguments: StatementArguments = [table.name]
        arguments += keyArguments
        arguments += [merged.version.stamp.rawValue, merged.version.origin.description, merged.source.description,
                      merged.scope.description, merged.previousScope?.description, merged.deleted ? 1 : 0,
                      MetaText.text(merged.meta), held ? nil : merged.values.map(MetaText.text)]
        log.setUncheckedArguments(arguments)
        try log.execute()
        for watcher in watchers { try watcher.rowWritten(table, before: before, after: held ? merged.values : nil) }
        if held || merged.deleted { outcome.applied += 1 }
        conflicts += met
        outcome.conflicts += met.count
    }

    /// The state held here, from its log entry; the row's values are read only if the
    /// merge needs them.
    static func localChange(_ row: Row, table: TableSchema, key: [SQLValue]) throws -> Change {
        let tomb: String? = row[7]
        var values = try tomb.map(MetaText.values)
        if let count = values?.count, count != table.columns.count { values = nil }
        let meta = try MetaText.meta(row[6])
        let origin = try NodeID(row[1] as String)
        return Change(
            table: table.name, key: key, values: values, deleted: (row[5] as Int64) != 0,
            version: Version(stamp: HybridTimestamp(rawValue: row[0]), origin: origin),
            scope: try NodeID(row[3] as String), previousScope: try (row[4] as String?).map { try NodeID($0) },
            source: try NodeID(row[2] as String), meta: meta)
    }

    /// The change with each register ranked winner first and the winner's values dropped:
    /// they are the row's `values`, whatever the sender put beside them.
    static func normalized(_ change: Change) -> Change {
        var change = change
        for (name, siblings) in change.meta.registers {
            var ranked = siblings.ranked()
            if !ranked.isEmpty { ranked[0].values = nil }
            change.meta.registers[name] = ranked
        }
        change.meta.existence = change.meta.existence.ranked()
        return change
    }

    private mutating func reject(_ change: Change, _ reason: String) {
        outcome.rejected.append(RejectedChange(
            table: change.table, key: "[" + change.key.map(\.description).joined(separator: ", ") + "]",
            version: change.version.description, reason: reason))
    }

    func recordRejections(peer: NodeID?) throws {
        try SQLiteStore.insertRejections(db, outcome.rejected, peer: peer)
    }

    func recordConflicts(peer: NodeID?) throws {
        guard !conflicts.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO _ts_conflict(detected_at, peer, tbl, pk, register, rule, manual, local_version, local_value,
              remote_version, remote_value, base_version, base_value, winner, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let now = Date().timeIntervalSince1970
        for conflict in conflicts {
            insert.setUncheckedArguments([
                now, peer?.description, conflict.table, MetaText.text(conflict.key), conflict.register, conflict.rule,
                conflict.needsOperator ? 1 : 0, ConflictRecord.text(conflict.local.version), conflict.local.values.map(MetaText.text),
                ConflictRecord.text(conflict.remote.version), conflict.remote.values.map(MetaText.text),
                conflict.base.map { ConflictRecord.text($0.version) }, conflict.base.map { MetaText.text($0.values) },
                conflict.winner.rawValue, conflict.needsOperator ? "open" : "decided",
            ])
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
