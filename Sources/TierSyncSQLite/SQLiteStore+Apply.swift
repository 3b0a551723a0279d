import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Applies remote changes in one immediate transaction. Local writes waiting in the
    /// capture log are folded first, so a remote change meets them as the row's state here.
    /// Each change is merged with the
    /// row's state here (``RowMerge``); a changed row is written with the capture triggers
    /// muted and logged with its merged registers; conflicts met here are recorded; then
    /// each eviction drops its row (``ChangeApplier/evict(_:)``); the changes to keep are
    /// stored, and the cursor advances, in the same transaction.
    public func apply(_ changes: [Change], evictions: [Eviction], keeping kept: [KeptChange], cursor: CursorAdvance) async throws -> ApplyOutcome {
        let schema = self.schema
        let node = self.node
        let observers = self.observers.withLock { $0 }
        return try await writeTransaction { db in
            try CaptureFold.foldPending(db, node: node, schema: schema)
            var applier = ChangeApplier(db: db, schema: schema, node: node, authority: cursor.pushingChild)
            applier.observations = try observers.map { ($0.tables, try $0.begin(db, changes: changes.count + evictions.count)) }
            try db.execute(sql: "UPDATE _ts_node SET applying = 1, observing = ? WHERE id = 1", arguments: [observers.isEmpty ? 0 : 1])
            for change in changes {
                try applier.apply(change)
            }
            for eviction in evictions {
                try applier.evict(eviction)
            }
            for (_, observation) in applier.observations { try observation.finish() }
            try db.execute(sql: "UPDATE _ts_node SET applying = 0, observing = 0, hlc = max(hlc, ?) WHERE id = 1", arguments: [applier.highestStamp])
            try applier.recordRejections(peer: cursor.peer)
            try applier.recordConflicts(peer: cursor.peer)
            try SQLiteStore.keep(db, kept)
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
        case let .released(kept, _, _):
            let remove = try db.cachedStatement(sql: "DELETE FROM _ts_kept WHERE id = ?")
            for id in kept {
                remove.setUncheckedArguments([id])
                try remove.execute()
            }
        case .none:
            break
        }
    }
}

extension CursorAdvance {
    /// The child whose push this is: its rows are checked against its rights.
    var pushingChild: NodeID? {
        switch self {
        case let .pushedBy(child, _, _): child
        case let .released(_, source, fromChild): fromChild ? source : nil
        case .pulledFrom, .none: nil
        }
    }

    /// The peer a cursor belongs to.
    var peer: NodeID? {
        switch self {
        case let .pushedBy(child, _, _): child
        case let .pulledFrom(parent, _, _): parent
        case let .released(_, source, _): source
        case .none: nil
        }
    }
}

/// Applies changes one by one inside the caller's transaction: reads each row's state,
/// asks ``ApplyRules`` what the change makes of it, and writes that, with prepared
/// statements cached per table.
struct ChangeApplier {
    let db: Database
    let rules: ApplyRules
    private(set) var outcome = ApplyOutcome()
    private(set) var highestStamp: Int64 = 0
    private(set) var conflicts: [Conflict] = []
    /// Each table's prepared statements, found once per batch rather than per row.
    private var statementsByTable: [String: TableStatements] = [:]
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

    /// The statements that apply a change to one table and log it.
    struct TableStatements {
        let lookup: Statement
        let upsert: Statement
        let delete: Statement
        let log: Statement
    }

    private mutating func statements(for table: TableSchema) throws -> TableStatements {
        if let known = statementsByTable[table.name] { return known }
        let statements = TableStatements(
            lookup: try db.cachedStatement(sql: "SELECT \(LoggedEntry.columns) FROM _ts_log WHERE tbl = ? AND pk = \(ChangeLogSQL.keyParameters(table))"),
            upsert: try db.cachedStatement(sql: ChangeApplier.upsertSQL(table)),
            delete: try db.cachedStatement(sql: ChangeApplier.deleteSQL(table)),
            log: try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
                VALUES (?, \(ChangeLogSQL.keyParameters(table)), ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN ? ELSE \(ChangeLogSQL.nextPosition) END)
                """))
        statementsByTable[table.name] = statements
        return statements
    }

    init(db: Database, schema: SyncSchema, node: NodeID, authority: NodeID? = nil) {
        self.db = db
        rules = ApplyRules(schema: schema, node: node, authority: authority)
    }

    /// Reads the log entry of the row `key` of `table` with its lookup statement.
    private mutating func entry(table: TableSchema, key: [SQLValue]) throws -> (entry: LoggedEntry?, local: ApplyRules.Local) {
        let lookup = try statements(for: table).lookup
        lookup.clearValues()
        lookup.bindValue(.text(table.name), at: 1)
        lookup.bindValues(key, from: 2)
        guard let row = try LoggedEntry.read(lookup) else { return (nil, .none) }
        guard let state = try? row.state(table: table, key: key) else { return (row, .unreadable) }
        return (row, .state(state))
    }

    mutating func apply(_ change: Change) throws {
        do {
            try applyAdmitted(change)
        } catch let refusal as ApplyRules.Refusal {
            reject(change, refusal.reason)
        }
    }

    private mutating func applyAdmitted(_ received: Change) throws {
        let (table, change) = try rules.admit(received)
        let (row, local) = try entry(table: table, key: change.key)
        let keyText = row?.keyText
        let decision = try rules.decide(
            change, table: table, local: local,
            evicted: { try evictedContext(table: table, key: change.key) },
            localValues: { try keyText.flatMap { try SQLiteStore.currentValues(db, table: table, keyText: $0) } })
        let write: ApplyRules.Write
        switch decision {
        case let .skip(context):
            observe(change)
            if let context, let keyText {
                let update = try db.cachedStatement(sql: "UPDATE _ts_log SET meta = ? WHERE tbl = ? AND pk = ?")
                update.setUncheckedArguments([MetaText.text(context), table.name, keyText])
                try update.execute()
            }
            outcome.skipped += 1
            return
        case let .write(decided):
            write = decided
        }
        let merged = write.state
        let watchers = try watchers(of: table)
        let before = try watchers.isEmpty ? nil : keyText.flatMap { try SQLiteStore.currentValues(db, table: table, keyText: $0) }
        let statements = try statements(for: table)
        do {
            if write.held, let values = merged.values {
                let upsert = statements.upsert
                upsert.clearValues()
                upsert.bindValues(values)
                try upsert.execute()
            } else {
                let delete = statements.delete
                delete.clearValues()
                delete.bindValues(change.key)
                try delete.execute()
                if write.evicted { outcome.evicted += 1 }
            }
        } catch let error as DatabaseError where ChangeApplier.doesNotFit(error) {
            return reject(change, "the row does not fit table \(table.name): \(error.message ?? "\(error)")")
        }
        observe(change)
        let log = statements.log
        log.clearValues()
        log.bindValue(.text(table.name), at: 1)
        log.bindValues(change.key, from: 2)
        let text: (String?) -> SQLValue = { $0.map(SQLValue.text) ?? .null }
        // A row logged here before keeps its birth, known or not; a new one is born now.
        let born = row?.born
        log.bindValues([
            .integer(merged.version.stamp.rawValue), .text(merged.version.origin.description), .text(merged.source.description),
            .text(merged.scope.description), text(merged.previousScope?.description), .integer(merged.deleted ? 1 : 0),
            .text(MetaText.text(merged.meta)), text(write.held ? nil : merged.values.map(MetaText.text)),
            .integer(row != nil ? 1 : 0), born.map(SQLValue.integer) ?? .null,
        ], from: Int32(2 + change.key.count))
        try log.execute()
        if !write.left.isEmpty {
            try recordMove(table: table, key: change.key, from: write.left, to: merged)
        }
        for watcher in watchers { try watcher.rowWritten(table, before: before, after: write.held ? merged.values : nil) }
        if write.held || merged.deleted { outcome.applied += 1 }
        conflicts += write.conflicts
        outcome.conflicts += write.conflicts.count
    }

    /// True when `error` says that the row itself does not fit its table (a constraint, a
    /// type or a size): the change alone is rejected. Any other failure (a full disk, an I/O
    /// error) fails the whole batch, which the sender keeps and sends again.
    static func doesNotFit(_ error: DatabaseError) -> Bool {
        [.SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_TOOBIG].contains(error.resultCode)
    }

    /// Records that the row just logged left the scopes `left` (the scope it had here, or the
    /// one the sender gave it), at the position its entry moved to: the nodes that held it
    /// there are sent an eviction. A scope it is owned by again needs none.
    private func recordMove(table: TableSchema, key: [SQLValue], from left: Set<NodeID>, to merged: Change) throws {
        let entry = try Row.fetchOne(db, sql: "SELECT seq, pk, born FROM _ts_log WHERE tbl = ? AND pk = \(ChangeLogSQL.keyParameters(table))",
                                     arguments: StatementArguments([table.name] + key.map(\.databaseValue)))
        guard let entry else { return }
        let keyText: String = entry[1]
        let record = try db.cachedStatement(sql: ChangeLogSQL.recordEviction)
        for scope in left {
            record.setUncheckedArguments([table.name, keyText, scope.description, entry[0] as Int64, merged.source.description,
                                          MetaText.text(merged.meta.context), entry[2] as Int64?])
            try record.execute()
        }
        try db.execute(sql: ChangeLogSQL.forgetEviction, arguments: [table.name, keyText, merged.scope.description])
    }

    /// What this node had seen of a row it no longer holds an entry for: the contexts of
    /// the evictions it applied to it; nil when it has none.
    private func evictedContext(table: TableSchema, key: [SQLValue]) throws -> CausalContext? {
        let texts = try String.fetchAll(db, sql: "SELECT context FROM _ts_evict WHERE tbl = ? AND pk = \(ChangeLogSQL.keyParameters(table))",
                                        arguments: StatementArguments([table.name] + key.map(\.databaseValue)))
        guard !texts.isEmpty else { return nil }
        return try texts.reduce(CausalContext()) { $0.union(try MetaText.context($1)) }
    }

    /// Applies an eviction received from the parent: the row left a scope this node holds.
    ///
    /// When the parent has seen every write this node's state of the row holds, the row
    /// leaves the table and its entry leaves the log, without logging a deletion (nothing
    /// propagates as a delete), and an eviction record at a new log position tells this
    /// node's children to drop it too. Otherwise this node holds writes its parent has not
    /// seen: the eviction is skipped, the writes go up with the next push, and the node that
    /// merges them sends a new eviction.
    mutating func evict(_ eviction: Eviction) throws {
        do {
            try evictAdmitted(eviction)
        } catch let refusal as ApplyRules.Refusal {
            rejectEviction(eviction, refusal.reason)
        }
    }

    private mutating func evictAdmitted(_ eviction: Eviction) throws {
        let table = try rules.admit(eviction)
        let (row, local) = try entry(table: table, key: eviction.key)
        guard case let .drop(context) = try rules.decide(eviction, local: local), let row else {
            outcome.skipped += 1
            return
        }
        let keyText = row.keyText
        let watchers = try watchers(of: table)
        let before = watchers.isEmpty ? nil : try SQLiteStore.currentValues(db, table: table, keyText: keyText)
        let delete = try statements(for: table).delete
        delete.setUncheckedArguments(StatementArguments(eviction.key.map(\.databaseValue)))
        try delete.execute()
        try db.execute(sql: ChangeLogSQL.issuePosition)
        let position = try Int64.fetchOne(db, sql: ChangeLogSQL.issuedPosition) ?? 0
        try db.execute(sql: "DELETE FROM _ts_log WHERE tbl = ? AND pk = ?", arguments: [table.name, keyText])
        try db.execute(sql: ChangeLogSQL.recordEviction, arguments: [
            table.name, keyText, eviction.scope.description, position, eviction.source.description,
            MetaText.text(context), row.born,
        ])
        for watcher in watchers { try watcher.rowWritten(table, before: before, after: nil) }
        outcome.evicted += 1
    }

    private mutating func rejectEviction(_ eviction: Eviction, _ reason: String) {
        outcome.rejected.append(RejectedChange(
            table: eviction.table, key: "[" + eviction.key.map(\.description).joined(separator: ", ") + "]",
            version: "eviction from \(eviction.scope)", reason: reason))
    }

    /// Takes in the stamps of a change that was merged: only those raise the clock, so a
    /// refused change leaves it where it was.
    private mutating func observe(_ change: Change) {
        highestStamp = max(highestStamp, ApplyRules.highestStamp(of: change))
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
