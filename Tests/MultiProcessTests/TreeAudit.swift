import Foundation

/// Compares every node of a running test tree with an ``ExpectedTree``: its rows (exact
/// scope, exact values), the version of each row it logs against the writer's, its
/// conflict records and error queue (both must stay empty, since every row has one
/// writer), its queues to and from its parent, and at the group and provinces the report
/// aggregates against the rows (a change applied twice would count twice there).
struct TreeAudit: CustomStringConvertible {
    /// Rows a node should hold and does not.
    var lost = 0
    /// Rows a node holds with values other than the last write's.
    var stale = 0
    /// Rows a node holds and should not: a deleted row back, or one outside its scope.
    var extra = 0
    /// Log entries whose version differs from the writer's for that row.
    var versionMismatches = 0
    /// Conflict records and error-queue entries, summed over the nodes.
    var conflicts = 0
    var rejected = 0
    /// Changes a child has not pushed yet, or parent positions it has not pulled yet.
    var queued = 0
    /// Report aggregates that disagree with the rows they sum.
    var aggregateMismatches = 0
    /// The first problems found, for the failure message.
    var problems: [String] = []

    /// True when every node holds exactly what it should and every queue is empty.
    var isClean: Bool {
        lost + stale + extra + versionMismatches + conflicts + rejected + queued + aggregateMismatches == 0
    }

    /// Rows lost: missing, or holding an older write's values.
    var rowsLost: Int { lost + stale }
    /// Rows duplicated or resurrected, and changes applied twice (an extra conflict, a
    /// version that is not the writer's, an aggregate that counts a change twice).
    var rowsDuplicated: Int { extra + versionMismatches + conflicts + aggregateMismatches }

    var description: String {
        "lost \(lost), stale \(stale), extra \(extra), version mismatches \(versionMismatches), conflicts \(conflicts), "
            + "rejected \(rejected), queued \(queued), aggregate mismatches \(aggregateMismatches)"
            + (problems.isEmpty ? "" : "; first problems:\n  " + problems.prefix(12).joined(separator: "\n  "))
    }

    private mutating func note(_ problem: String) {
        if problems.count < 40 { problems.append(problem) }
    }

    /// Audits every node of `tree` (whose daemons must all run, for their queues).
    static func audit(_ tree: TestTree, against model: ExpectedTree) throws -> TreeAudit {
        var audit = TreeAudit()
        let ids = tree.nodes.keys.sorted()
        var logs: [String: [String: (scope: String, version: String)]] = [:]
        for id in ids { logs[id] = try versions(at: tree.database(id)) }
        var statuses: [String: [String: Any]] = [:]
        for id in ids { statuses[id] = status(tree, id) }
        for id in ids {
            try audit.compareRows(at: id, database: tree.database(id), model: model)
            audit.compareVersions(at: id, logs: logs)
            try audit.countQueues(at: id, database: tree.database(id))
            try audit.compareAggregates(at: id, database: tree.database(id))
            audit.checkCursors(at: id, parent: tree.nodes[id]?.parent, statuses: statuses)
        }
        return audit
    }

    private mutating func compareRows(at id: String, database: String, model: ExpectedTree) throws {
        let expected = model.expected(at: id)
        let sql = ExpectedTree.tables.values.sorted { $0.name < $1.name }.map { table in
            "SELECT '\(table.name)' || char(9) || (\(table.keyExpression)) || char(9) || \(table.valuesExpression) FROM \(table.name)"
        }.joined(separator: " UNION ALL ") + ";"
        var held: [String: [String: String]] = [:]
        for line in try SQLiteShell.run(database, sql).split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            held[fields[0], default: [:]][fields[1]] = fields[2]
        }
        for table in ExpectedTree.tables.keys.sorted() {
            let want = expected[table] ?? [:]
            let have = held[table] ?? [:]
            for (key, values) in want {
                if let got = have[key] {
                    if got != values {
                        stale += 1
                        note("\(id) \(table) \(key): holds \(got), the last write was \(values)")
                    }
                } else {
                    lost += 1
                    note("\(id) \(table) \(key): missing (\(values))")
                }
            }
            for (key, values) in have where want[key] == nil {
                extra += 1
                note("\(id) \(table) \(key): should not be here (\(values))")
            }
        }
    }

    /// A node's log: table and key to the row's scope and version (stamp, origin, deleted).
    private static func versions(at database: String) throws -> [String: (scope: String, version: String)] {
        let output = try SQLiteShell.run(database, "SELECT tbl || char(9) || pk || char(9) || scope || char(9) || hlc || ':' || origin || ':' || deleted FROM _ts_log;")
        var entries: [String: (scope: String, version: String)] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            entries[fields[0] + "\t" + fields[1]] = (fields[2], fields[3])
        }
        return entries
    }

    /// Every log entry of a row in `id`'s scope carries the version of the writer's entry
    /// (the writer being the node of the row's scope).
    private mutating func compareVersions(at id: String, logs: [String: [String: (scope: String, version: String)]]) {
        for (row, entry) in logs[id] ?? [:] {
            let table = String(row.prefix { $0 != "\t" })
            guard ExpectedTree.holds(id, table: table, scope: entry.scope), id != entry.scope else { continue }
            let writer = logs[entry.scope]?[row]?.version
            if writer != entry.version {
                versionMismatches += 1
                note("\(id) logs \(row.replacingOccurrences(of: "\t", with: " ")) at version \(entry.version), its writer \(entry.scope) at \(writer ?? "none")")
            }
        }
    }

    private mutating func countQueues(at id: String, database: String) throws {
        let counts = try SQLiteShell.run(database, "SELECT (SELECT count(*) FROM _ts_conflict) || ' ' || (SELECT count(*) FROM _ts_rejected);")
            .split(separator: " ").map { Int($0) ?? 0 }
        if counts.count == 2 {
            conflicts += counts[0]
            rejected += counts[1]
            if counts[0] + counts[1] > 0 { note("\(id): \(counts[0]) conflicts, \(counts[1]) rejected changes") }
        }
    }

    /// At a node that keeps report aggregates (group, provinces), they add up to its rows.
    private mutating func compareAggregates(at id: String, database: String) throws {
        guard try SQLiteShell.value(database, "SELECT count(*) FROM sqlite_master WHERE name = '_ts_rpt_revenue_customer'") == "1" else { return }
        let sql = """
            SELECT (SELECT coalesce(sum(amount), 0) || '/' || coalesce(sum(lines), 0) FROM _ts_rpt_revenue_customer) || ' '
              || (SELECT coalesce(sum(amount_fen), 0) || '/' || count(*) FROM revenue) || ' '
              || (SELECT coalesce(sum(customers), 0) FROM _ts_rpt_customer) || ' ' || (SELECT count(*) FROM customer);
            """
        let fields = try SQLiteShell.run(database, sql).split(separator: " ").map(String.init)
        guard fields.count == 4 else { return }
        if fields[0] != fields[1] {
            aggregateMismatches += 1
            note("\(id): revenue aggregates \(fields[0]) (amount/lines), rows \(fields[1])")
        }
        if fields[2] != fields[3] {
            aggregateMismatches += 1
            note("\(id): customer aggregates count \(fields[2]), rows \(fields[3])")
        }
    }

    /// A node's `GET /v1/status`, or nil when it does not answer.
    private static func status(_ tree: TestTree, _ id: String) -> [String: Any]? {
        guard let body = try? TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "10", tree.url(id, "/v1/status")]).output else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// A child has pushed its whole backlog, and has pulled up to its parent's log head.
    private mutating func checkCursors(at id: String, parent: String?, statuses: [String: [String: Any]]) {
        guard let parent else { return }
        guard let mine = statuses[id], let theirs = statuses[parent] else {
            queued += 1
            note("\(id) or \(parent) does not answer /v1/status")
            return
        }
        let backlog = mine["backlog"] as? Int ?? -1
        let peers = mine["peers"] as? [[String: Any]] ?? []
        let pulled = peers.first { $0["node"] as? String == parent }?["pulled"] as? Int ?? -1
        let head = theirs["logHead"] as? Int ?? -2
        if backlog != 0 || pulled != head {
            queued += 1
            note("\(id): backlog \(backlog), pulled \(pulled) of \(parent)'s head \(head)")
        }
    }
}
