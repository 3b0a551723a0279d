import TierSyncModel

/// The capture log (`_ts_capture`) and the thin capture triggers that fill it.
///
/// A trigger records only what cannot be known later, in the writer's transaction: the
/// table, the operation, the writer's wall-clock time, the row's scope and, where a rule
/// needs it, the row's previous image. The row of `_ts_capture` is its position: SQLite
/// gives each new row the next rowid, so positions follow commit order. No clock, no
/// metadata and no change-log entry are written here: ``CaptureFold`` turns the captures
/// into `_ts_log` entries when the store next reads or writes the log.
///
/// Columns: `pos`; `tbl`; `op` (`I` insert, `U` update, `D` delete, and for an update that
/// changes the key `K`, the old key's deletion, followed by an `I` of the new key); `at`,
/// the wall-clock time of the write in milliseconds; `scope`, the row's scope (the new one
/// for `I` and `U`); `changed`, for an update of a `merge` table, a bit per register that
/// the update changed (bit `i % 64` for the `i`-th register); and `o0`, `o1`, …, the row's
/// previous image in column order (for `I`, the new key's values at the key's columns).
/// The image columns have no type, so every value is kept as written.
///
/// The table has no constraint: an application's conflict clause (`INSERT OR IGNORE`,
/// `UPDATE OR REPLACE`), which SQLite applies to every statement its triggers run, finds
/// nothing in it to skip or replace.
enum CaptureSQL {
    /// The name of the image column of a table's column at `index`.
    static func imageColumn(_ index: Int) -> String { "o\(index)" }

    /// Creates the capture log with `width` image columns.
    static func table(width: Int) -> String {
        let images = (0..<width).map { ", \(imageColumn($0))" }.joined()
        return "CREATE TABLE IF NOT EXISTS _ts_capture(pos INTEGER PRIMARY KEY, tbl TEXT, op TEXT, at INTEGER, scope, changed INTEGER\(images))"
    }

    /// The number of writes waiting in the capture log. Positions are contiguous: new
    /// captures take the next rowid, and the fold removes a prefix.
    static let pending = "SELECT coalesce(max(pos) - min(pos) + 1, 0) FROM _ts_capture"

    /// The number of application writes waiting: an update that changed a key is one write
    /// captured twice.
    static let pendingWrites = "SELECT count(*) FROM _ts_capture WHERE op <> 'K'"

    /// The writer's wall-clock time in milliseconds, as the hybrid clock reads it.
    static let wallClockMillis = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

    /// SQL that is true when the column `name` of `table` differs between OLD and NEW, as
    /// bytes or as a type: a case-only edit of a NOCASE column is an edit, and so is 1
    /// becoming 1.0 in a column that keeps both (``TableSchema/keepsType(_:)``); elsewhere
    /// SQLite's comparison alone tells, and the trigger spares two function calls per column.
    static func changed(_ name: String, in table: TableSchema) -> String {
        let old = "OLD.\(quoted(name))", new = "NEW.\(quoted(name))"
        guard table.keepsType(name) else { return "(\(old) IS NOT \(new) COLLATE BINARY)" }
        return "(\(old) IS NOT \(new) COLLATE BINARY OR typeof(\(old)) <> typeof(\(new)))"
    }

    /// The `changed` bits of an update of `table`: NULL unless it merges column by column.
    static func changedRegisters(_ table: TableSchema) -> String {
        guard table.isColumnwise else { return "NULL" }
        return table.registerNames.enumerated().map { "(\(changed($1, in: table)) << \($0 % 64))" }.joined(separator: " | ")
    }

    /// The capture triggers of a table at `node`. They record nothing while the daemon
    /// applies remote changes (`_ts_node.applying = 1`), which only the transaction holding
    /// SQLite's write lock can see set.
    static func triggers(_ table: TableSchema, node: NodeID) -> [String] {
        let name = quoted(table.name)
        let literal = "'" + table.name.replacingOccurrences(of: "'", with: "''") + "'"
        let guardClause = "WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0"
        // A scope that is not a node id would make the row unroutable: refuse the write.
        // The node's own id, the usual scope, is known to be one and skips the pattern tests.
        let checkScope = """
            SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in at most \(Tier.allCases.count) dot-separated segments)')
              WHERE NEW.scope IS NOT '\(node)' AND NOT \(ChangeLogSQL.isNodeID("NEW.scope"));
            """
        let keyImage = table.keyIndexes.map { imageColumn($0) }.joined(separator: ", ")
        let newKey = table.keyColumns.map { "NEW.\(quoted($0))" }.joined(separator: ", ")
        let images = table.columns.indices.map { imageColumn($0) }.joined(separator: ", ")
        let old = table.columns.map { "OLD.\(quoted($0))" }.joined(separator: ", ")
        let keyChanged = "(" + table.keyColumns.map { changed($0, in: table) }.joined(separator: " OR ") + ")"
        let now = wallClockMillis
        let insertNew = "INSERT INTO _ts_capture(tbl, op, at, scope, \(keyImage))"
        let names = ChangeLogSQL.triggerNames(table)
        return [
            "CREATE TRIGGER \(names[0]) AFTER INSERT ON \(name) \(guardClause) BEGIN \(checkScope) \(insertNew) VALUES (\(literal), 'I', \(now), NEW.scope, \(newKey)); END",
            """
            CREATE TRIGGER \(names[1]) AFTER UPDATE ON \(name) \(guardClause) BEGIN \(checkScope)
              INSERT INTO _ts_capture(tbl, op, at, scope, changed, \(images))
                VALUES (\(literal), CASE WHEN \(keyChanged) THEN 'K' ELSE 'U' END, \(now), NEW.scope, \(changedRegisters(table)), \(old));
              \(insertNew) SELECT \(literal), 'I', \(now), NEW.scope, \(newKey) WHERE \(keyChanged); END
            """,
            "CREATE TRIGGER \(names[2]) AFTER DELETE ON \(name) \(guardClause) BEGIN INSERT INTO _ts_capture(tbl, op, at, scope, \(images)) VALUES (\(literal), 'D', \(now), OLD.scope, \(old)); END",
        ]
    }
}
