import TierSyncModel

/// The SQL of TierSync's own tables and of the capture triggers on each synced table.
///
/// The change log keeps one entry per row, at the position of the row's latest write: a
/// write to a row already logged moves its entry to a new, higher `seq` (AUTOINCREMENT
/// never reuses one). A cursor is therefore a plain high-water mark, and a reader after it
/// sees every row changed since, once, with its current version.
///
/// The triggers log with an upsert (`ON CONFLICT(tbl, pk) DO UPDATE`), not with
/// `INSERT OR REPLACE`: SQLite lets the conflict clause of the writer's statement override
/// the `OR` clause of every statement its triggers run, so an application's `INSERT OR
/// IGNORE`, `UPDATE OR IGNORE` or upsert would turn a replacing log write into one that
/// is skipped or fails. An upsert clause is not overridden.
enum ChangeLogSQL {
    /// TierSync's own tables. Created once; every statement is idempotent.
    static let internalTables = """
        CREATE TABLE IF NOT EXISTS _ts_node(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            node TEXT NOT NULL,
            hlc INTEGER NOT NULL DEFAULT 0,
            applying INTEGER NOT NULL DEFAULT 0,
            epoch TEXT NOT NULL,
            captured INTEGER NOT NULL DEFAULT 0,
            observing INTEGER NOT NULL DEFAULT 0,
            gap_since REAL,
            gap_found REAL,
            gap_triggers TEXT
        );
        CREATE TABLE IF NOT EXISTS _ts_log(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            hlc INTEGER NOT NULL,
            origin TEXT NOT NULL,
            source TEXT NOT NULL,
            scope TEXT NOT NULL,
            prev_scope TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            meta TEXT NOT NULL,
            tomb TEXT,
            born INTEGER,
            UNIQUE(tbl, pk)
        );
        CREATE TABLE IF NOT EXISTS _ts_evict(
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            scope TEXT NOT NULL,
            seq INTEGER NOT NULL,
            source TEXT NOT NULL,
            context TEXT NOT NULL,
            born INTEGER,
            PRIMARY KEY(tbl, pk, scope)
        );
        CREATE INDEX IF NOT EXISTS _ts_evict_seq ON _ts_evict(seq);
        CREATE TABLE IF NOT EXISTS _ts_peer(
            node TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            pushed INTEGER NOT NULL DEFAULT 0,
            pulled INTEGER NOT NULL DEFAULT 0,
            epoch TEXT,
            last_contact REAL,
            last_error TEXT,
            served INTEGER,
            resync INTEGER NOT NULL DEFAULT 0,
            newest_change INTEGER,
            summary TEXT,
            summary_at REAL
        );
        CREATE TABLE IF NOT EXISTS _ts_rejected(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            received_at REAL NOT NULL,
            peer TEXT,
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            version TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS _ts_conflict(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            detected_at REAL NOT NULL,
            peer TEXT,
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            register TEXT NOT NULL,
            rule TEXT NOT NULL,
            manual INTEGER NOT NULL,
            local_version TEXT NOT NULL,
            local_value TEXT,
            remote_version TEXT NOT NULL,
            remote_value TEXT,
            base_version TEXT,
            base_value TEXT,
            winner TEXT NOT NULL,
            status TEXT NOT NULL,
            resolution TEXT,
            resolved_at REAL
        );
        CREATE INDEX IF NOT EXISTS _ts_conflict_status ON _ts_conflict(status, id);
        CREATE INDEX IF NOT EXISTS _ts_rejected_row ON _ts_rejected(tbl, pk);
        """

    /// Columns added to TierSync's tables after their first version, with their declarations:
    /// a store made by an earlier TierSync gets them when it opens.
    static let addedColumns: [(table: String, column: String, declaration: String)] = [
        ("_ts_node", "captured", "INTEGER NOT NULL DEFAULT 0"),
        ("_ts_node", "observing", "INTEGER NOT NULL DEFAULT 0"),
        ("_ts_node", "gap_since", "REAL"),
        ("_ts_node", "gap_found", "REAL"),
        ("_ts_node", "gap_triggers", "TEXT"),
        ("_ts_peer", "newest_change", "INTEGER"),
        ("_ts_peer", "summary", "TEXT"),
        ("_ts_peer", "summary_at", "REAL"),
        ("_ts_log", "born", "INTEGER"),
    ]

    /// The log head: the highest position issued. `sqlite_sequence` holds it, except after
    /// a statement that failed part-way under `OR FAIL`, whose entries stay but whose
    /// positions SQLite records there only when a later statement ends.
    static let head = """
        SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
                   coalesce((SELECT max(seq) FROM _ts_log), 0))
        """

    /// The position a new entry gets: one past the log head, as AUTOINCREMENT issues it.
    /// A lower bound when evaluated inside a statement that inserts several entries.
    static let nextPosition = "((\(head)) + 1)"

    /// Issues the next log position without an entry in `_ts_log`, for an eviction record
    /// (`_ts_evict`), by raising `sqlite_sequence` past it. Run outside any statement that
    /// inserts into `_ts_log`; read the position with ``issuedPosition``.
    static let issuePosition = """
        INSERT INTO sqlite_sequence(name, seq) SELECT '_ts_log', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '_ts_log');
        UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(seq) FROM _ts_log), 0)) + 1 WHERE name = '_ts_log';
        """

    /// The position ``issuePosition`` issued.
    static let issuedPosition = "SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'"

    /// Records that the row (`tbl`, `pk`) left `scope`, at log position `seq`: the nodes
    /// that held it there are sent a key-only eviction. Parameters: tbl, pk, scope, seq,
    /// source, context (the JSON object of the causal context), born.
    static let recordEviction = """
        INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born) VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
            context = excluded.context, born = excluded.born
        """

    /// Forgets the eviction of a row from a scope it is owned by again. Parameters: tbl, pk, scope.
    static let forgetEviction = "DELETE FROM _ts_evict WHERE tbl = ? AND pk = ? AND scope = ?"

    /// Brings `sqlite_sequence` up to the highest entry, so that deleting that entry cannot
    /// let its position be issued again. Run before any deletion from the log.
    static let recordHead = """
        UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM _ts_log)
          WHERE name = '_ts_log' AND seq < (SELECT max(seq) FROM _ts_log);
        INSERT INTO sqlite_sequence(name, seq) SELECT '_ts_log', (SELECT max(seq) FROM _ts_log)
          WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '_ts_log') AND EXISTS (SELECT 1 FROM _ts_log);
        """

    /// The next stamp, computed in SQL by any writer process: `max(last + 1, now_ms << 16)`.
    static let nextStamp = "max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536)"

    /// The key text of a row, as SQLite's `json_array` renders the key columns.
    static func keyExpression(_ table: TableSchema, row: String) -> String {
        "json_array(" + table.keyColumns.map { "\(row).\(quoted($0))" }.joined(separator: ", ") + ")"
    }

    /// The key text built from bound parameters, one per key column.
    static func keyParameters(_ table: TableSchema) -> String {
        "json_array(" + Array(repeating: "?", count: table.keyColumns.count).joined(separator: ", ") + ")"
    }

    /// The names of the three capture triggers of a table.
    static func triggerNames(_ table: TableSchema) -> [String] {
        ["insert", "update", "delete"].map { "_ts_\(table.name)_\($0)" }
    }

    /// A value as the change log's JSON holds it: reals with 17 significant digits, blobs
    /// in hex, so both come back exactly (see ``MetaText``).
    static func encodedValue(_ expression: String) -> String {
        "CASE typeof(\(expression)) WHEN 'real' THEN json_object('real', printf('%!.17g', \(expression))) WHEN 'blob' THEN json_object('hex', hex(\(expression))) ELSE \(expression) END"
    }

    /// The JSON array of a row's values, in column order.
    static func rowValues(_ table: TableSchema, row: String) -> String {
        "json_array(" + table.columns.map { encodedValue("\(row).\(quoted($0))") }.joined(separator: ", ") + ")"
    }

    /// A JSON path to a member named `name` under `parent`, quoted so dots in node ids and
    /// column names are not taken as steps.
    static func path(_ parent: String, _ name: String, _ suffix: String = "") -> String {
        "'\(parent).\"\(name)\"\(suffix)'"
    }

    /// SQL that is true when `node` holds a row of `table` whose scope is `scope` (an SQL
    /// expression), as ``Routing/holds(_:table:scope:)`` decides.
    static func holds(_ node: NodeID, table: TableSchema, scope: String) -> String {
        let id = node.description
        var cases = ["\(scope) = '\(id)'"]
        if node.tier >= table.concentration { cases.append("substr(\(scope), 1, \(id.utf8.count + 1)) = '\(id).'") }
        if table.flowsDown { cases.append("(typeof(\(scope)) = 'text' AND \(scope) <> '' AND substr('\(id)', 1, length(\(scope)) + 1) = \(scope) || '.')") }
        return "(" + cases.joined(separator: " OR ") + ")"
    }

    /// The SQL priority of a write made here to a register with `rule`, for the row `row`.
    static func priority(_ rule: ConflictRule, node: NodeID, row: String) -> String {
        switch rule {
        case .owner: "(\(row).scope = '\(node)')"
        default: String(rule.priority(writer: node, scope: nil))
        }
    }

    /// How a write changes a row's log entry.
    enum WriteForm {
        /// A new row (an INSERT, or a row adopted from before TierSync).
        case insert
        /// An UPDATE that keeps the key: only changed columns of a merge table get the write.
        case update
        /// A DELETE.
        case delete
    }

    /// The statement that logs a write of `row` (NEW, OLD, or a table alias with `from`).
    /// It reads the row's current entry once, for the previous scope and the metadata.
    static func logWrite(_ table: TableSchema, node: NodeID, row: String, form: WriteForm, from: String = "", condition: String = "") -> String {
        let literal = "'" + table.name + "'"
        let key = keyExpression(table, row: row)
        let dot = "n.hlc, n.node"
        var sets: [String] = [path("$.v", node.description), "n.hlc"]
        let deleted = form == .delete
        sets += ["'$.e'", "json_array(json_array(\(dot), \(table.deletes.priority(deleted: deleted)), \(deleted ? 1 : 0)))"]
        for name in table.registerNames {
            let register = path("$.c", name)
            let stored = "json_extract(l.meta, \(register))"
            let fresh = "json_array(json_array(\(dot), \(priority(table.rule(forRegister: name), node: node, row: row))))"
            switch form {
            case .insert:
                sets += [register, fresh]
            case .update where table.isColumnwise:
                // Compared as bytes: a case-only edit of a NOCASE column is an edit too.
                let changed = "(OLD.\(quoted(name)) IS NOT NEW.\(quoted(name)) COLLATE BINARY OR typeof(OLD.\(quoted(name))) <> typeof(NEW.\(quoted(name))))"
                sets += [register, "CASE WHEN \(changed) OR \(stored) IS NULL THEN \(fresh) ELSE json(\(stored)) END"]
                let base = "json_array(json_extract(l.meta, \(path("$.c", name, "[0][0]"))), json_extract(l.meta, \(path("$.c", name, "[0][1]"))), json_array(\(encodedValue("OLD.\(quoted(name))"))))"
                sets += [path("$.b", name), "CASE WHEN \(changed) THEN \(base) ELSE json(json_extract(l.meta, \(path("$.b", name)))) END"]
            case .update:
                sets += [register, fresh]
                let base = "json_array(json_extract(l.meta, \(path("$.c", name, "[0][0]"))), json_extract(l.meta, \(path("$.c", name, "[0][1]"))), \(rowValues(table, row: "OLD")))"
                sets += [path("$.b", name), base]
            case .delete:
                sets += [register, "coalesce(json(\(stored)), \(fresh))"]
            }
        }
        if form == .insert { sets += ["'$.b'", "json('{}')"] }
        let meta = "json_set(coalesce(l.meta, '\(MetaText.empty)'), " + sets.joined(separator: ", ") + ")"
        return """
            INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
              SELECT \(literal), \(key), \(dot), n.node, \(row).scope,
                CASE WHEN l.scope IS NOT \(row).scope THEN l.scope ELSE l.prev_scope END,
                \(deleted ? 1 : 0), \(meta), \(deleted ? rowValues(table, row: row) : "NULL"), CASE WHEN l.seq IS NULL THEN \(nextPosition) ELSE l.born END
              FROM \(from) _ts_node n LEFT JOIN _ts_log l ON l.tbl = \(literal) AND l.pk = \(key)
              WHERE n.id = 1\(condition)
              \(moveEntry);
            """
    }

    /// The statements of an update trigger that record a move: when the update changes the
    /// row's scope (and keeps its key), an eviction record of the old scope at the position
    /// the row's entry just moved to, and no eviction of the new one.
    static func logMove(_ table: TableSchema) -> String {
        let literal = "'" + table.name + "'"
        let key = keyExpression(table, row: "NEW")
        let moved = "OLD.scope IS NOT NEW.scope AND NOT (\(keyExpression(table, row: "OLD")) IS NOT \(key))"
        return """
            INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
              SELECT \(literal), \(key), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
              FROM _ts_log l WHERE l.tbl = \(literal) AND l.pk = \(key) AND typeof(OLD.scope) = 'text' AND \(moved)
              ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
                context = excluded.context, born = excluded.born;
            DELETE FROM _ts_evict WHERE tbl = \(literal) AND pk = \(key) AND scope = NEW.scope AND \(moved);
            """
    }

    /// The upsert clause that moves a row's existing entry to the `seq` just issued (the
    /// rowid of the insert it replaces, which SQLite also records in `sqlite_sequence`) and
    /// gives it the new contents.
    static let moveEntry = "ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, " +
        ["hlc", "origin", "source", "scope", "prev_scope", "deleted", "meta", "tomb"].map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    /// The capture triggers of a table at `node`. They record nothing while the daemon
    /// applies remote changes (`_ts_node.applying = 1`), which only the transaction holding
    /// SQLite's write lock can see set.
    static func triggers(_ table: TableSchema, node: NodeID) -> [String] {
        let name = quoted(table.name)
        let guardClause = "WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0"
        let tick = "UPDATE _ts_node SET hlc = \(nextStamp), captured = captured + 1 WHERE id = 1;"
        // A scope that is not a node id would make the row unroutable: refuse the write.
        let checkScope = """
            SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
              WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
                 OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.';
            """
        let names = triggerNames(table)
        let keyChanged = "\(keyExpression(table, row: "OLD")) IS NOT \(keyExpression(table, row: "NEW"))"
        return [
            "CREATE TRIGGER \(names[0]) AFTER INSERT ON \(name) \(guardClause) BEGIN \(checkScope) \(tick) \(logWrite(table, node: node, row: "NEW", form: .insert)) END",
            """
            CREATE TRIGGER \(names[1]) AFTER UPDATE ON \(name) \(guardClause) BEGIN \(checkScope) \(tick)
              \(logWrite(table, node: node, row: "OLD", form: .delete, condition: " AND \(keyChanged)"))
              \(logWrite(table, node: node, row: "NEW", form: .insert, condition: " AND \(keyChanged)"))
              \(logWrite(table, node: node, row: "NEW", form: .update, condition: " AND NOT (\(keyChanged))"))
              \(logMove(table)) END
            """,
            "CREATE TRIGGER \(names[2]) AFTER DELETE ON \(name) \(guardClause) BEGIN \(tick) \(logWrite(table, node: node, row: "OLD", form: .delete)) END",
        ]
    }
}
