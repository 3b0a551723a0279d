import Foundation
import TierSyncModel

/// The SQL of TierSync's own tables (the capture triggers are ``CaptureSQL``).
///
/// The change log keeps one entry per row, at the position of the row's latest write: a
/// write to a row already logged moves its entry to a new, higher `seq` (AUTOINCREMENT
/// never reuses one). A cursor is therefore a plain high-water mark, and a reader after it
/// sees every row changed since, once, with its current version. Local writes reach the
/// log through the capture log and its fold (``CaptureFold``), which gives each write its
/// own position in commit order.
enum ChangeLogSQL {
    /// TierSync's own tables as the first migration (``StoreMigrations/ownTables``) leaves
    /// them. Every statement is idempotent, so it also runs on a store made before
    /// migrations. Released: a change of the layout is a new migration, not an edit here.
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
    /// the first migration (``StoreMigrations/ownTables``) adds those a store made by an
    /// earlier TierSync lacks.
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

    /// SQL that is true when `node` holds a row of `table` whose scope is `scope` (an SQL
    /// expression): the model's rule (``Routing/reach(of:table:)``), each scope it reaches
    /// written as a test on the scope's text.
    /// A scope that is not a node id (``isNodeID(_:)``) is held by nobody.
    static func holds(_ node: NodeID, table: TableSchema, scope: String) -> String {
        let id = node.description
        let reach = Routing.reach(of: node, table: table)
        var cases: [String] = []
        if reach.contains(.own) { cases.append("\(scope) = '\(id)'") }
        if reach.contains(.below) { cases.append("substr(\(scope), 1, \(id.utf8.count + 1)) = '\(id).'") }
        if reach.contains(.above) { cases.append("substr('\(id)', 1, length(\(scope)) + 1) = \(scope) || '.'") }
        return cases.isEmpty ? "0" : "(\(isNodeID(scope)) AND (" + cases.joined(separator: " OR ") + "))"
    }

    /// SQL over a `_ts_log` row's `tbl`, `scope` and `source` that is true when `selection`
    /// wants the entry (``LogSelection/includes(_:table:)``), built from the same rules:
    /// who made the state (``NodeID/contains(_:)``), and who holds the row
    /// (``holds(_:table:scope:)``). Nil when the selection wants every entry.
    static func selects(_ selection: LogSelection, schema: SyncSchema) -> String? {
        switch selection {
        case .everything:
            return nil
        case let .pushedBy(node):
            guard let parent = node.parent else { return "0" }
            return "(\(within(node, "source")) AND \(byTable(schema) { holds(parent, table: $0, scope: "scope") }))"
        case let .pulledBy(child, _):
            return "(NOT \(within(child, "source")) AND \(byTable(schema) { holds(child, table: $0, scope: "scope") }))"
        }
    }

    /// SQL that is true when the node id `text` (an SQL expression) is `node` or lies below it.
    static func within(_ node: NodeID, _ text: String) -> String {
        let id = node.description
        return "(\(text) = '\(id)' OR substr(\(text), 1, \(id.utf8.count + 1)) = '\(id).')"
    }

    /// A `CASE` over `tbl` giving each synced table's condition; false for any other table.
    private static func byTable(_ schema: SyncSchema, _ condition: (TableSchema) -> String) -> String {
        "(CASE tbl " + schema.tables.map { "WHEN \(literal($0.name)) THEN \(condition($0)) " }.joined() + "ELSE 0 END)"
    }

    /// `text` as an SQL string literal.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// SQL that is true when `text` (an SQL expression) is a node id as ``NodeID`` parses
    /// one: text of one to three dot-separated segments of `a-z`, `0-9`, `-` and `_`.
    static func isNodeID(_ text: String) -> String {
        """
        (typeof(\(text)) = 'text' AND \(text) <> '' AND \(text) NOT GLOB '*[^a-z0-9._-]*' AND \(text) NOT GLOB '*..*' \
        AND \(text) NOT GLOB '.*' AND \(text) NOT GLOB '*.' AND length(\(text)) - length(replace(\(text), '.', '')) < \(Tier.allCases.count))
        """
    }
}
