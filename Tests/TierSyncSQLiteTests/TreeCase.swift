import Foundation
import GRDB
import TierSyncEngine
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncStore
import TierSyncTesting

/// The failure of one case, with what was expected.
struct CaseFailure: Error, CustomStringConvertible {
    let description: String
}

/// One random case over a subset of the pool's tree: random writes, faulty sync rounds
/// and crashes, then a heal and the checks against ``ReferenceRow``.
struct TreeCase {
    var rng: SplitMix64
    let pool: StorePool
    var nodes: [NodeID] = []
    var scopes: [String: NodeID] = [:]
    var writes: [String: [RecordedWrite]] = [:]
    var log: [String] = []
    var tally = CaseTally()
    /// Where each parent answers: restarted (a new service over its reopened store) when it crashes.
    var endpoints: [NodeID: ParentEndpoint] = [:]
    /// The faults of each child's link to its parent, which outlive the child's restarts.
    var faults: [NodeID: LinkFaults] = [:]
    /// Each child's running replicator, thrown away when the child crashes.
    var replicators: [NodeID: ChildReplicator] = [:]

    init(seed: UInt64, pool: StorePool) {
        rng = SplitMix64(seed: seed)
        self.pool = pool
    }

    mutating func run() async throws {
        nodes = [try NodeID("cn")]
        for province in 0..<Int.random(in: 1...2, using: &rng) {
            nodes.append(try NodeID("cn.p\(province)"))
            for city in 0..<Int.random(in: 1...2, using: &rng) { nodes.append(try NodeID("cn.p\(province).c\(city)")) }
        }
        for table in pool.schema.tables {
            for key in 0..<2 { scopes["\(table.name)/k\(key)"] = nodes.randomElement(using: &rng)! }
        }
        for node in nodes where nodes.contains(where: { $0.parent == node }) {
            endpoints[node] = ParentEndpoint(service(node))
        }
        for _ in 0..<Int.random(in: 5...10, using: &rng) {
            switch Int.random(in: 0..<20, using: &rng) {
            case 0..<12: try await write()
            case 12..<19: try await exchange()
            default: try crash()
            }
        }
        try await heal()
        try await check()
        for node in nodes { tally.conflicts += try await pool.stores[node]!.conflictCount() }
        for linkFaults in faults.values { tally.faults.merge(linkFaults.applied, uniquingKeysWith: +) }
    }

    // MARK: Writes

    mutating func write() async throws {
        let table = pool.schema.tables.randomElement(using: &rng)!
        let key = "k\(Int.random(in: 0..<2, using: &rng))"
        let scope = scopes["\(table.name)/\(key)"]!
        // A node writes rows it holds and owns, itself or through a node below it: a parent
        // refuses a child's push of a row owned above the child.
        let writers = nodes.filter { Routing.holds($0, table: table, scope: scope) && $0.contains(scope) }
        let node = writers.randomElement(using: &rng)!
        let connection = pool.connections[node]!
        let current = try row(table, key: key, at: node)
        var values: [SQLValue]
        var deleted = false
        var columns = Set(table.columns.filter { !table.keyColumns.contains($0) })
        if let current, Int.random(in: 0..<10, using: &rng) < 3 {
            deleted = true
            values = current
            try await connection.write { db in try db.execute(sql: "DELETE FROM \(table.name) WHERE id = ?", arguments: [key]) }
            log.append("\(node) deletes \(table.name)/\(key)")
        } else {
            values = current ?? table.columns.map { $0 == "id" ? .text(key) : $0 == "scope" ? .text(scope.description) : .null }
            for (index, column) in table.columns.enumerated() where column != "id" && column != "scope" {
                if current == nil || Bool.random(using: &rng) {
                    values[index] = column == "n" || column == "c" ? .integer(Int64.random(in: 0..<1000, using: &rng)) : .text("\(node):\(Int.random(in: 0..<1000, using: &rng))")
                }
            }
            if let current {
                columns = Set(table.columns.indices.filter { current[$0] != values[$0] }.map { table.columns[$0] })
                let sets = table.columns.filter { $0 != "id" }.map { "\($0) = ?" }.joined(separator: ", ")
                let arguments = StatementArguments(table.columns.indices.filter { table.columns[$0] != "id" }.map { values[$0].databaseValue } + [DatabaseValue(value: key)!])
                try await connection.write { db in try db.execute(sql: "UPDATE \(table.name) SET \(sets) WHERE id = ?", arguments: arguments) }
                log.append("\(node) updates \(table.name)/\(key) \(columns.sorted()) -> \(values)")
            } else {
                let placeholders = table.columns.map { _ in "?" }.joined(separator: ", ")
                let arguments = StatementArguments(values.map(\.databaseValue))
                try await connection.write { db in try db.execute(sql: "INSERT INTO \(table.name) VALUES (\(placeholders))", arguments: arguments) }
                log.append("\(node) inserts \(table.name)/\(key) -> \(values)")
            }
        }
        // The write's version is given when the store folds the capture into the log.
        try await pool.stores[node]!.foldCaptures()
        let entry = try await connection.read { db in
            try Row.fetchOne(db, sql: "SELECT hlc, origin, meta FROM _ts_log WHERE tbl = ? AND pk = json_array(?)", arguments: [table.name, key])
                .map { row -> (hlc: Int64, origin: String, meta: String) in (row[0], row[1], row[2]) }
        }
        guard let entry else { throw CaseFailure(description: "the write at \(node) left no log entry") }
        let meta = try MetaText.meta(entry.meta)
        let version = Version(stamp: HybridTimestamp(rawValue: entry.hlc), origin: try NodeID(entry.origin))
        guard version.origin == node else { throw CaseFailure(description: "the write at \(node) was logged with origin \(version.origin)") }
        writes["\(table.name)/\(key)", default: []].append(RecordedWrite(
            node: node, version: version, context: meta.context, deleted: deleted, values: values, columns: columns))
    }

    func row(_ table: TableSchema, key: String, at node: NodeID) throws -> [SQLValue]? {
        try pool.connections[node]!.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM \(table.name) WHERE id = ?", arguments: [key]).map { row in
                (0..<table.columns.count).map { SQLValue(row[$0] as DatabaseValue) }
            }
        }
    }

    // MARK: Checks

    /// What a node holds, read in one transaction: each table's rows and each logged row's
    /// causal context, by "table/key".
    func holdings(at node: NodeID) async throws -> (rows: [String: [SQLValue]], contexts: [String: CausalContext]) {
        let tables = pool.schema.tables
        let (rows, metas) = try await pool.connections[node]!.read { db in
            var rows: [String: [SQLValue]] = [:]
            for table in tables {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table.name)") {
                    rows["\(table.name)/\(row["id"] as String)"] = (0..<table.columns.count).map { SQLValue(row[$0] as DatabaseValue) }
                }
            }
            let metas = try Row.fetchAll(db, sql: "SELECT tbl, json_extract(pk, '$[0]') AS id, meta FROM _ts_log")
                .map { row -> (String, String) in ("\(row["tbl"] as String)/\(row["id"] as String)", row["meta"]) }
            return (rows, metas)
        }
        var contexts: [String: CausalContext] = [:]
        for (name, meta) in metas { contexts[name] = try MetaText.meta(meta).context }
        return (rows, contexts)
    }

    func check() async throws {
        for node in nodes {
            let rejected = try await pool.stores[node]!.rejectedCount()
            guard rejected == 0 else {
                let queue = try await pool.stores[node]!.rejections(limit: 5)
                throw CaseFailure(description: "\(node) refused \(rejected) changes: \(queue)\n" + log.joined(separator: "\n"))
            }
            let held = try await holdings(at: node)
            for table in pool.schema.tables {
                for key in ["k0", "k1"] {
                    let name = "\(table.name)/\(key)"
                    let scope = scopes[name]!
                    let made = writes[name] ?? []
                    let holds = Routing.holds(node, table: table, scope: scope)
                    let wanted = holds && !made.isEmpty ? ReferenceRow.expected(made, table: table, scope: scope) : nil
                    let actual = held.rows[name]
                    guard actual == wanted else {
                        throw CaseFailure(description: "\(name) (scope \(scope)) at \(node): expected \(wanted.map { "\($0)" } ?? "no row"), found \(actual.map { "\($0)" } ?? "no row")\n" + log.joined(separator: "\n"))
                    }
                    guard holds else { continue }
                    for write in made where held.contexts[name]?.covers(write.version) != true {
                        throw CaseFailure(description: "\(name) at \(node) never learned of the write \(write.version)\n" + log.joined(separator: "\n"))
                    }
                }
            }
        }
    }
}
