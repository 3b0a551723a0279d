import TierSyncModel

/// The SQL of TierSync's own tables and of the capture triggers on each synced table.
///
/// The change log keeps one entry per row, at the position of the row's latest write:
/// `INSERT OR REPLACE` on the unique `(tbl, pk)` moves the entry to a new, higher `seq`
/// (AUTOINCREMENT never reuses one). A cursor is therefore a plain high-water mark, and a
/// reader after it sees every row changed since, once, with its current version.
enum ChangeLogSQL {
    /// TierSync's own tables. Created once; every statement is idempotent.
    static let internalTables = """
        CREATE TABLE IF NOT EXISTS _ts_node(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            node TEXT NOT NULL,
            hlc INTEGER NOT NULL DEFAULT 0,
            applying INTEGER NOT NULL DEFAULT 0,
            epoch TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS _ts_log(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            hlc INTEGER NOT NULL,
            origin TEXT NOT NULL,
            scope TEXT NOT NULL,
            prev_scope TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            UNIQUE(tbl, pk)
        );
        CREATE TABLE IF NOT EXISTS _ts_peer(
            node TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            pushed INTEGER NOT NULL DEFAULT 0,
            pulled INTEGER NOT NULL DEFAULT 0,
            epoch TEXT,
            last_contact REAL,
            last_error TEXT
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

    /// The capture triggers of a table. They record nothing while the daemon applies remote
    /// changes (`_ts_node.applying = 1`), which only the transaction holding SQLite's write
    /// lock can see set.
    static func triggers(_ table: TableSchema) -> [String] {
        let name = quoted(table.name)
        let literal = "'" + table.name + "'"
        let guardClause = "WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0"
        let tick = "UPDATE _ts_node SET hlc = \(nextStamp) WHERE id = 1;"
        // A scope that is not a node id would make the row unroutable: refuse the write.
        let checkScope = """
            SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
              WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
                 OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.';
            """
        func logRow(_ row: String, deleted: Bool) -> String {
            let key = keyExpression(table, row: row)
            return """
                INSERT OR REPLACE INTO _ts_log(tbl, pk, hlc, origin, scope, prev_scope, deleted)
                  SELECT \(literal), \(key), n.hlc, n.node, \(row).scope,
                    (SELECT CASE WHEN l.scope IS NOT \(row).scope THEN l.scope ELSE l.prev_scope END
                       FROM _ts_log l WHERE l.tbl = \(literal) AND l.pk = \(key)),
                    \(deleted ? 1 : 0)
                  FROM _ts_node n WHERE n.id = 1;
                """
        }
        let names = triggerNames(table)
        let keyChanged = "\(keyExpression(table, row: "OLD")) IS NOT \(keyExpression(table, row: "NEW"))"
        return [
            "CREATE TRIGGER \(names[0]) AFTER INSERT ON \(name) \(guardClause) BEGIN \(checkScope) \(tick) \(logRow("NEW", deleted: false)) END",
            """
            CREATE TRIGGER \(names[1]) AFTER UPDATE ON \(name) \(guardClause) BEGIN \(checkScope) \(tick)
              \(logRow("OLD", deleted: true).replacingOccurrences(of: "WHERE n.id = 1;", with: "WHERE n.id = 1 AND \(keyChanged);"))
              \(logRow("NEW", deleted: false)) END
            """,
            "CREATE TRIGGER \(names[2]) AFTER DELETE ON \(name) \(guardClause) BEGIN \(tick) \(logRow("OLD", deleted: true)) END",
        ]
    }
}
