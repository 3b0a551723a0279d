import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

/// Repairs a child's rows against its parent's states inside the caller's transaction, as
/// ``RowRepair`` decides for each row. Table writes run with capture muted
/// (`_ts_node.applying = 1`): what must propagate is logged here, as the triggers would.
/// With `captureGap`, rows written while the triggers were missing are kept as local
/// writes (see ``RowRepair``).
struct ResyncRepairer {
    let db: Database
    let table: TableSchema
    let node: NodeID
    let parent: NodeID
    /// What the parent's purged tombstones of the table had seen.
    let parentPurged: PurgedHistory
    let captureGap: Bool
    let dryRun: Bool
    private var applier: ChangeApplier
    private(set) var counts = RepairCounts()
    private let order: [Int]

    init(db: Database, schema: SyncSchema, table: TableSchema, node: NodeID, parent: NodeID, parentPurged: PurgedHistory = PurgedHistory(),
         captureGap: Bool, dryRun: Bool) {
        self.db = db
        self.table = table
        self.node = node
        self.parent = parent
        self.parentPurged = parentPurged
        self.captureGap = captureGap
        self.dryRun = dryRun
        applier = ChangeApplier(db: db, schema: schema, node: node)
        order = table.digestOrder
    }

    /// Records the parent states refused and the conflicts met while taking them, and
    /// raises the clock past every state taken.
    func recordOutcome() throws {
        try applier.recordRejections(peer: parent)
        try applier.recordConflicts(peer: parent)
        try db.execute(sql: "UPDATE _ts_node SET hlc = max(hlc, ?) WHERE id = 1", arguments: [applier.highestStamp])
    }

    /// Repairs every key of `keys` and of `parentStates` whose state here differs from the
    /// parent's.
    mutating func repair(keys: [DigestKey], parentStates: [Change]) throws {
        var parentByKey: [[SQLValue]: Change] = [:]
        for state in parentStates where state.table == table.name { parentByKey[state.key] = state }
        var localHash: [[SQLValue]: UInt64] = [:]
        for key in keys { localHash[key.key] = key.hash }
        var all = Set(localHash.keys)
        all.formUnion(parentByKey.keys)
        for key in all.sorted(by: { MetaText.text($0) < MetaText.text($1) }) {
            counts.compared += 1
            let state = parentByKey[key]
            if (localHash[key] ?? 0) == parentHash(state) {
                counts.same += 1
                continue
            }
            try repair(key: key, parentState: state)
        }
    }

    /// The state hash the parent's digest gave its state: counted only when the parent
    /// holds the row in its table and the child holds it too.
    private func parentHash(_ state: Change?) -> UInt64 {
        guard let state, !state.deleted, let values = state.values,
              Routing.holds(parent, table: table, scope: state.scope), Routing.holds(node, table: table, scope: state.scope) else { return 0 }
        return RowDigest.stateHash(key: state.key, tableValues: values, loggedVersion: state.version, order: order)
    }

    private mutating func repair(key: [SQLValue], parentState: Change?) throws {
        let keyText = MetaText.text(key)
        let values = try SQLiteStore.currentValues(db, table: table, keyText: keyText)
        let lookup = try db.cachedStatement(sql: "SELECT \(LoggedEntry.columns) FROM _ts_log WHERE tbl = ? AND pk = ?")
        lookup.setUncheckedArguments([table.name, keyText])
        let entryRow = try LoggedEntry.read(lookup)
        let entry = entryRow.flatMap { try? $0.state(table: table, key: key) }
        let entryHeld = entryRow.map { !$0.deleted && $0.tomb == nil } ?? false
        let scope = values.flatMap { row in table.scopeIndex.flatMap { row[$0].textValue } }.flatMap { try? NodeID($0) }
        let local = RowRepair.Local(
            values: values, valuesInScope: scope.map { Routing.holds(node, table: table, scope: $0) } ?? false,
            entry: entry, entryHeld: entry != nil && entryHeld)
        let action = RowRepair.decide(local: local, parent: parentState, captureGap: captureGap, parentPurged: parentPurged)
        if dryRun {
            count(action, merged: nil)
            return
        }
        switch action {
        case .none:
            counts.same += 1
        case .takeParent:
            if entryRow != nil && entry == nil { try dropEntry(keyText) }
            guard try take(parentState!) else { return }
            // At the same version the merge changes nothing: the values must still be the parent's.
            if lastApplySkipped { try force(parentState!, keyText: keyText) }
            counts.pulled += 1
        case .merge:
            guard try take(parentState!) else { return }
            if lastApplySkipped { try repush(keyText) } else { counts.pulled += 1 }
        case .repush:
            try repush(keyText)
        case .adopt:
            if entryRow != nil && entry == nil { try dropEntry(keyText) }
            try logLocalWrite(key, operation: .insert)
            counts.adopted += 1
            counts.pushed += 1
        case .evict:
            if entryHeld {
                try db.execute(sql: "UPDATE _ts_log SET tomb = ? WHERE tbl = ? AND pk = ?", arguments: [MetaText.text(values!), table.name, keyText])
                try deleteRow(keyText)
                counts.evicted += 1
            } else {
                try quarantine(key, values: values!, keyText: keyText)
            }
        case .quarantine:
            try quarantine(key, values: values!, keyText: keyText)
        case .deleteLocally:
            try deleteLocally(entry!, keyText: keyText)
            counts.deleted += 1
            counts.pushed += 1
        case .dropDeleted:
            let before = applier.outcome.evicted
            try applier.evict(Eviction(table: table.name, key: key, scope: entry!.scope, context: entry!.meta.context, source: parent))
            if applier.outcome.evicted > before { counts.deleted += 1 }
        case .updateLocally:
            try logLocalWrite(key, operation: .update, replacing: parentState!.values!)
            counts.updated += 1
            counts.pushed += 1
        }
    }

    /// Removes an unreadable log entry, after recording the log head so that its position
    /// is never issued again.
    private func dropEntry(_ keyText: String) throws {
        try db.execute(sql: ChangeLogSQL.recordHead)
        try db.execute(sql: "DELETE FROM _ts_log WHERE tbl = ? AND pk = ?", arguments: [table.name, keyText])
    }

    private var lastApplySkipped = false

    /// Merges a parent state through the ordinary apply; false when it was rejected.
    private mutating func take(_ state: Change) throws -> Bool {
        let before = applier.outcome
        try applier.apply(state)
        let after = applier.outcome
        lastApplySkipped = after.skipped > before.skipped
        if after.rejected.count > before.rejected.count {
            counts.rejected += 1
            return false
        }
        return true
    }

    /// Makes the table hold what the log entry now says: the row's values when it is live
    /// and held here, no row otherwise. Used when the table was edited behind the back at
    /// the parent's version, where the merge itself changes nothing.
    private func force(_ state: Change, keyText: String) throws {
        if applier.rules.holds(state, table: table), let values = state.values {
            try db.execute(sql: ChangeApplier.upsertSQL(table), arguments: StatementArguments(values.map(\.databaseValue)))
            try db.execute(sql: "UPDATE _ts_log SET tomb = NULL WHERE tbl = ? AND pk = ?", arguments: [table.name, keyText])
        } else {
            try deleteRow(keyText)
        }
    }

    /// Moves the row's log entry to a new position, sourced here, so the next push sends it.
    private mutating func repush(_ keyText: String) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
              SELECT tbl, pk, hlc, origin, ?, scope, prev_scope, deleted, meta, tomb, born FROM _ts_log WHERE tbl = ? AND pk = ?
            """, arguments: [node.description, table.name, keyText])
        counts.pushed += 1
    }

    /// Logs the table row as a new local write, folded as a captured one would be
    /// (``CaptureFold``): an insert keeps the context of any earlier entry; an update also
    /// keeps its registers that did not change, and records as their bases the values it
    /// is `replacing`, those of the entry's version. No eviction record is made.
    private func logLocalWrite(_ key: [SQLValue], operation: Capture.Operation, replacing old: [SQLValue] = []) throws {
        guard let row = try SQLiteStore.currentValues(db, table: table, keyText: MetaText.text(key)) else { return }
        var image = operation == .update ? old : [SQLValue](repeating: .null, count: table.columns.count)
        for (position, index) in table.keyIndexes.enumerated() where operation != .update { image[index] = key[position] }
        var changed: Int64 = 0
        for (bit, name) in table.registerNames.enumerated() {
            if let index = table.columns.firstIndex(of: name), operation == .update, image[index] != row[index] { changed |= 1 << Int64(bit % 64) }
        }
        let capture = Capture(table: table, operation: operation, at: Int64(Date().timeIntervalSince1970 * 1000),
                              scope: table.scopeIndex.map { row[$0] } ?? .null, changed: table.isColumnwise ? changed : nil, image: image,
                              recordsMove: false)
        try CaptureFold.record(db, node: node, captures: [capture])
    }

    /// Logs a deletion, as a new local write, of a row whose values are lost: the entry's
    /// context gains the write, its existence register becomes the deletion, and its
    /// content registers are kept.
    private func deleteLocally(_ entry: Change, keyText: String) throws {
        let version = try CaptureFold.nextVersion(db, node: node)
        let stamp = version.stamp.rawValue
        var meta = entry.meta
        meta.context.record(version)
        meta.existence = [Sibling(version: version, priority: table.deletes.priority(deleted: true), values: [.integer(1)])]
        try db.execute(sql: """
            INSERT OR REPLACE INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, (SELECT born FROM _ts_log WHERE tbl = ?1 AND pk = ?2))
            """, arguments: [table.name, keyText, stamp, node.description, node.description, entry.scope.description,
                             entry.previousScope?.description, MetaText.text(meta)])
        try deleteRow(keyText)
    }

    /// Removes a row that is neither in scope nor logged, keeping its values in the error queue.
    private mutating func quarantine(_ key: [SQLValue], values: [SQLValue], keyText: String) throws {
        try db.execute(sql: """
            INSERT INTO _ts_rejected(received_at, peer, tbl, pk, version, reason) VALUES (?, ?, ?, ?, 'none', ?)
            """, arguments: [Date().timeIntervalSince1970, parent.description, table.name, keyText,
                             "resync removed this row from the table: it is not in \(node)'s scope and has no log entry (written while the triggers were off); its values were \(MetaText.text(values))"])
        try deleteRow(keyText)
        counts.quarantined += 1
    }

    private func deleteRow(_ keyText: String) throws {
        let match = table.keyColumns.enumerated().map { "\(quoted($1)) = json_extract(?1, '$[\($0)]')" }.joined(separator: " AND ")
        try db.execute(sql: "DELETE FROM \(quoted(table.name)) WHERE \(match)", arguments: [keyText])
    }

    /// Counts what an action would do, for a dry run.
    private mutating func count(_ action: RowRepair, merged: Change?) {
        switch action {
        case .none: counts.same += 1
        case .takeParent, .merge: counts.pulled += 1
        case .repush: counts.pushed += 1
        case .adopt: counts.adopted += 1; counts.pushed += 1
        case .evict: counts.evicted += 1
        case .quarantine: counts.quarantined += 1
        case .deleteLocally: counts.deleted += 1; counts.pushed += 1
        case .dropDeleted: counts.deleted += 1
        case .updateLocally: counts.updated += 1; counts.pushed += 1
        }
    }
}
