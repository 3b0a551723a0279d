import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Reads the log after `sequence` and the current values of the rows selected, in one
    /// transaction that sees every local write folded (``readFolded(unfoldedWhenFull:_:)``), so each
    /// change's values match its version; when the selection reads them, the eviction
    /// records too, in log order with the entries.
    public func changes(after sequence: Int64, limit: Int, scanLimit: Int, byteLimit: Int, selecting selection: LogSelection) async throws -> ChangeBatch {
        let schema = self.schema
        return try await readFolded { db in
            var reader = LogReader(db: db, schema: schema)
            return try reader.read(after: sequence, limit: limit, scanLimit: scanLimit, byteLimit: byteLimit, selecting: selection)
        }
    }

    /// Counts the log entries after `sequence` that `selection` wants, without reading rows,
    /// local writes waiting in the capture log folded first (not counted when the file
    /// cannot grow: a node out of space still reports its state). A read-only store, which
    /// cannot fold, counts each waiting write that `selection` wants as a local write of its
    /// row instead (two writes of one row count twice until the daemon folds them).
    public func countEntries(after sequence: Int64, selecting selection: LogSelection) async throws -> Int {
        let schema = self.schema, node = self.node, readOnly = self.readOnly
        return try await readFolded(unfoldedWhenFull: true) { db in
            var reader = LogReader(db: db, schema: schema)
            let logged = try reader.count(after: sequence, selecting: selection)
            guard readOnly else { return logged }
            var waiting = 0
            let captures = try Row.fetchCursor(db, sql: "SELECT pos, tbl, op, scope FROM _ts_capture ORDER BY pos")
            while let row = try captures.next() {
                guard let scope = try? NodeID(row[3] as String? ?? "") else { continue }
                let entry = LogEntry(sequence: row[0], table: row[1], keyText: "", version: Version(stamp: .zero, origin: node),
                                     scope: scope, previousScope: nil, deleted: (row[2] as String?) == "D", source: node)
                if let table = schema.table(named: entry.table), selection.includes(entry, table: table) { waiting += 1 }
            }
            return logged + waiting
        }
    }
}

/// Walks the change log inside one read transaction.
struct LogReader {
    let db: Database
    let schema: SyncSchema
    private var nodeCache: [String: NodeID] = [:]

    init(db: Database, schema: SyncSchema) {
        self.db = db
        self.schema = schema
    }

    /// The log entries after a position that `selection` wants (``ChangeLogSQL/selects(_:schema:)``),
    /// and, when it reads them, the eviction records after it, in log order. An eviction
    /// record shares its position with the entry of the move that made it, or has its own;
    /// its `prev_scope` column holds the row's scope here now (NULL without an entry). The
    /// query only narrows what the reader then checks against the model's rule itself.
    static func sql(selecting selection: LogSelection, schema: SyncSchema) -> String {
        let filter = ChangeLogSQL.selects(selection, schema: schema).map { " AND " + $0 } ?? ""
        let entries = "SELECT seq, tbl, pk, hlc, origin, scope, prev_scope, deleted, source, meta, tomb, 0 AS kind, NULL AS born FROM _ts_log WHERE seq > ?1" + filter
        guard selection.readsEvictions else { return entries + " ORDER BY seq LIMIT ?2" }
        return entries + """
             UNION ALL
            SELECT e.seq, e.tbl, e.pk, NULL, NULL, e.scope, l.scope, NULL, e.source, e.context, NULL, 1, e.born
              FROM _ts_evict e LEFT JOIN _ts_log l ON l.tbl = e.tbl AND l.pk = e.pk WHERE e.seq > ?1
             ORDER BY seq, kind LIMIT ?2
            """
    }

    /// The most items one log position holds: a row's entry and the eviction records the
    /// write that moved it there made. A scan may pass `scanLimit` by this much so as not to
    /// stop inside one position.
    static let itemsPerPosition = 4

    mutating func read(after sequence: Int64, limit: Int, scanLimit: Int, byteLimit: Int, selecting selection: LogSelection) throws -> ChangeBatch {
        var changes: [Change] = []
        changes.reserveCapacity(min(limit, 4096))
        var evictions: [Eviction] = []
        var scannedThrough = sequence
        var scanned = 0
        var bytes = 0
        // True until the read stops at a limit: then every position through the head of
        // this snapshot was considered, those the query left out included.
        var exhausted = true
        let rows = try Row.fetchCursor(db, sql: LogReader.sql(selecting: selection, schema: schema), arguments: [sequence, scanLimit + LogReader.itemsPerPosition])
        while let row = try rows.next() {
            let position: Int64 = row[0]
            // Stop between positions only, so that a cursor never passes half of one.
            if position > scannedThrough, scanned >= scanLimit || changes.count + evictions.count >= limit || bytes >= byteLimit {
                exhausted = false
                break
            }
            scanned += 1
            scannedThrough = position
            if (row[11] as Int64) == 1 {
                guard let entry = try? evictionEntry(row), let table = schema.table(named: entry.table), selection.includes(entry, table: table) else { continue }
                if let eviction = try eviction(for: entry, table: table, context: row[9]) { evictions.append(eviction) }
                continue
            }
            // An entry whose ids do not parse cannot be routed; it must not block the rest.
            guard let entry = try? logEntry(row) else { continue }
            if let table = schema.table(named: entry.table), selection.includes(entry, table: table), let change = try change(for: entry, table: table, meta: row[9], tomb: row[10]) {
                changes.append(change)
                bytes += change.estimatedBytes
            }
        }
        let head = try SQLiteStore.logHead(db)
        // A query that returned fewer rows than its LIMIT left nothing after them.
        if exhausted, scanned < scanLimit + LogReader.itemsPerPosition { scannedThrough = max(scannedThrough, head) }
        return ChangeBatch(changes: changes, evictions: evictions, scannedThrough: scannedThrough, more: scannedThrough < head && (scanned > 0))
    }

    mutating func count(after sequence: Int64, selecting selection: LogSelection) throws -> Int {
        var count = 0
        let filter = ChangeLogSQL.selects(selection, schema: schema).map { " AND " + $0 } ?? ""
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, tbl, pk, hlc, origin, scope, prev_scope, deleted, source FROM _ts_log WHERE seq > ?1\(filter) ORDER BY seq", arguments: [sequence])
        while let row = try rows.next() {
            if let entry = try? logEntry(row), let table = schema.table(named: entry.table), selection.includes(entry, table: table) { count += 1 }
        }
        return count
    }

    mutating func node(_ text: String) throws -> NodeID {
        if let known = nodeCache[text] { return known }
        let parsed = try NodeID(text)
        nodeCache[text] = parsed
        return parsed
    }

    mutating func logEntry(_ row: Row) throws -> LogEntry {
        let previous: String? = row[6]
        return LogEntry(
            sequence: row[0], table: row[1], keyText: row[2],
            version: Version(stamp: HybridTimestamp(rawValue: row[3]), origin: try node(row[4])),
            scope: try node(row[5]), previousScope: try previous.map { try node($0) }, deleted: (row[7] as Int64) != 0,
            source: try node(row[8]))
    }

    /// The routing facts of an eviction record, read as ``entriesAndEvictionsSQL`` lists it.
    mutating func evictionEntry(_ row: Row) throws -> EvictionEntry {
        let current: String? = row[6]
        let context: String = row[9]
        return EvictionEntry(
            sequence: row[0], table: row[1], keyText: row[2], scope: try node(row[5]),
            currentScope: try current.map { try node($0) }, source: try node(row[8]), born: row[12] as Int64?,
            writers: Array(try MetaText.context(context).stamps.keys))
    }

    /// The eviction an eviction record sends: the key, the scope left and the context;
    /// nil when its context does not parse.
    func eviction(for entry: EvictionEntry, table: TableSchema, context: String) throws -> Eviction? {
        guard let context = try? MetaText.context(context) else { return nil }
        return Eviction(table: table.name, key: try keyValues(entry.keyText, table: table), scope: entry.scope, context: context, source: entry.source)
    }

    /// The change for a log entry, with the row's values (from the table, or from the
    /// entry for a row not held here); nil when the row is gone although the log says it
    /// exists (a write made while the triggers were off), or its metadata does not parse.
    func change(for entry: LogEntry, table: TableSchema, meta metaText: String, tomb: String?) throws -> Change? {
        guard let meta = try? MetaText.meta(metaText) else { return nil }
        let values: [SQLValue]?
        if let tomb {
            // An unreadable entry cannot be sent faithfully; like an unroutable one, it is skipped.
            guard let stored = try? MetaText.values(tomb), stored.count == table.columns.count else { return nil }
            values = stored
        } else if entry.deleted {
            values = nil
        } else {
            guard let row = try SQLiteStore.currentValues(db, table: table, keyText: entry.keyText) else { return nil }
            values = row
        }
        let key = try values.map { row in table.keyIndexes.map { row[$0] } } ?? keyValues(entry.keyText, table: table)
        return Change(table: table.name, key: key, values: values, deleted: entry.deleted, version: entry.version,
                      scope: entry.scope, previousScope: entry.previousScope, source: entry.source, meta: meta)
    }

    private func keyValues(_ keyText: String, table: TableSchema) throws -> [SQLValue] {
        let columns = (0..<table.keyColumns.count).map { "json_extract(?1, '$[\($0)]')" }.joined(separator: ", ")
        let statement = try db.cachedStatement(sql: "SELECT \(columns)")
        statement.setUncheckedArguments([keyText])
        guard let row = try Row.fetchOne(statement) else { return [] }
        return (0..<table.keyColumns.count).map { SQLValue(row[$0] as DatabaseValue) }
    }
}

extension SQLiteStore {
    /// The current values of a row in column order, by its key text, or nil when absent.
    static func currentValues(_ db: Database, table: TableSchema, keyText: String) throws -> [SQLValue]? {
        let statement = try db.cachedStatement(sql: CurrentValuesSQL.text(for: table))
        statement.setUncheckedArguments([keyText])
        guard let row = try Row.fetchOne(statement) else { return nil }
        var values: [SQLValue] = []
        values.reserveCapacity(table.columns.count)
        for index in 0..<table.columns.count {
            values.append(SQLValue(row[index] as DatabaseValue))
        }
        return values
    }
}
