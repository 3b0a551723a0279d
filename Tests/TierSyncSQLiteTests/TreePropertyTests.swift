import Foundation
import GRDB
import Testing
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncStore
import TierSyncWire

/// Random trees, random writes at random nodes, changes exchanged in random partial,
/// duplicated and reordered batches through the wire encoding, then a full sync. Every
/// node must end up holding exactly the rows its scope gives it, with the values the
/// rules prescribe (``ReferenceRow``), and every write must be known wherever its row is held.
///
/// `TIERSYNC_PROPERTY_CASES` (default 1000) and `TIERSYNC_PROPERTY_SEED` replay a run.
struct TreePropertyTests {
    static let schemaText = """
        [table.t_lww]
        sql = "CREATE TABLE t_lww(id TEXT PRIMARY KEY, v TEXT, n INTEGER, scope TEXT NOT NULL)"
        concentrate = group
        conflict = lww
        delete = later

        [table.t_tier]
        sql = "CREATE TABLE t_tier(id TEXT PRIMARY KEY, v TEXT, n INTEGER, scope TEXT NOT NULL)"
        concentrate = group
        down = true
        conflict = tier
        delete = delete

        [table.t_owner]
        sql = "CREATE TABLE t_owner(id TEXT PRIMARY KEY, v TEXT, n INTEGER, scope TEXT NOT NULL)"
        concentrate = province
        conflict = owner
        delete = update

        [table.t_manual]
        sql = "CREATE TABLE t_manual(id TEXT PRIMARY KEY, v TEXT, n INTEGER, scope TEXT NOT NULL)"
        concentrate = group
        conflict = manual

        [table.doc]
        sql = "CREATE TABLE doc(id TEXT PRIMARY KEY, a TEXT, b TEXT, c INTEGER, d TEXT, scope TEXT NOT NULL)"
        concentrate = group
        down = true
        conflict = merge
        conflict.b = tier
        conflict.c = owner
        conflict.d = manual
        """

    @Test func everyNodeConvergesToWhatTheRulesPrescribe() async throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["TIERSYNC_PROPERTY_CASES"].flatMap(Int.init) ?? 1000
        let seed = environment["TIERSYNC_PROPERTY_SEED"].flatMap(UInt64.init) ?? 20_261_123
        let schema = try SyncSchema(parsing: TreePropertyTests.schemaText, fileName: "property schema")
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        // Each worker runs every workers-th case on its own stores.
        let results = try await withThrowingTaskGroup(of: (conflicts: Int, failure: String?).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let pool = try StorePool(schema: schema)
                    var conflicts = 0
                    var used: [NodeID]?
                    for index in stride(from: worker, to: cases, by: workers) {
                        let caseSeed = seed &+ UInt64(index) &* 0x9E37_79B9
                        try pool.reset(used)
                        var run = TreeCase(seed: caseSeed, pool: pool)
                        do {
                            try await run.run()
                        } catch {
                            return (conflicts, "case \(index) of \(cases) failed; replay it with TIERSYNC_PROPERTY_SEED=\(caseSeed) TIERSYNC_PROPERTY_CASES=1\n\(error)")
                        }
                        used = run.nodes
                        conflicts += run.conflicts
                    }
                    return (conflicts, nil)
                }
            }
            return try await group.reduce(into: [(conflicts: Int, failure: String?)]()) { $0.append($1) }
        }
        for failure in results.compactMap(\.failure) { Issue.record(Comment(rawValue: failure)) }
        let conflicts = results.map(\.conflicts).reduce(0, +)
        print("tree property: \(cases) cases from seed \(seed), \(conflicts) conflicts met")
        #expect(cases < 50 || conflicts > cases / 10, "the cases rarely produce concurrent writes; the test proves little")
    }
}

/// Stores for the largest tree (a group, three provinces, three cities each), emptied
/// between cases.
final class StorePool {
    let directory: TemporaryDirectory
    let schema: SyncSchema
    var stores: [NodeID: SQLiteStore] = [:]
    var connections: [NodeID: DatabaseQueue] = [:]

    init(schema: SyncSchema) throws {
        // Every apply commits with a sync; memory-backed files keep a thousand cases fast.
        let shm = URL(fileURLWithPath: "/dev/shm")
        directory = try TemporaryDirectory(base: FileManager.default.isWritableFile(atPath: shm.path) ? shm : nil)
        var nodes = [try NodeID("cn")]
        for province in 0..<3 {
            nodes.append(try NodeID("cn.p\(province)"))
            for city in 0..<3 { nodes.append(try NodeID("cn.p\(province).c\(city)")) }
        }
        for node in nodes {
            let store = try directory.store(node.description, schema: schema)
            stores[node] = store
            connections[node] = try directory.application(node.description)
        }
        self.schema = stores.values.first!.schema
    }

    /// Empties every table and TierSync's own tables at `nodes`, with capture muted.
    func reset(_ nodes: [NodeID]? = nil) throws {
        for connection in (nodes ?? Array(connections.keys)).compactMap({ connections[$0] }) {
            try connection.write { db in
                try db.execute(sql: "UPDATE _ts_node SET applying = 1 WHERE id = 1")
                for table in schema.tables { try db.execute(sql: "DELETE FROM \(table.name)") }
                try db.execute(sql: "DELETE FROM _ts_log; DELETE FROM _ts_capture; DELETE FROM _ts_evict; DELETE FROM _ts_conflict; DELETE FROM _ts_rejected; DELETE FROM _ts_peer")
                try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
            }
        }
    }
}

/// The failure of one case, with what was expected.
struct CaseFailure: Error, CustomStringConvertible {
    let description: String
}

/// One random case over a subset of the pool's tree.
struct TreeCase {
    var rng: SplitMix64
    let pool: StorePool
    var nodes: [NodeID] = []
    var scopes: [String: NodeID] = [:]
    var writes: [String: [RecordedWrite]] = [:]
    var log: [String] = []
    var conflicts = 0

    init(seed: UInt64, pool: StorePool) {
        rng = SplitMix64(seed: seed)
        self.pool = pool
    }

    mutating func run() async throws {
        nodes = [try NodeID("cn")]
        for province in 0..<Int.random(in: 1...3, using: &rng) {
            nodes.append(try NodeID("cn.p\(province)"))
            for city in 0..<Int.random(in: 1...3, using: &rng) { nodes.append(try NodeID("cn.p\(province).c\(city)")) }
        }
        for table in pool.schema.tables {
            for key in 0..<2 { scopes["\(table.name)/k\(key)"] = nodes.randomElement(using: &rng)! }
        }
        for _ in 0..<Int.random(in: 10...30, using: &rng) {
            if Int.random(in: 0..<10, using: &rng) < 6 {
                try await write()
            } else {
                try await exchange()
            }
        }
        try await syncFully()
        try await check()
    }

    // MARK: Writes

    mutating func write() async throws {
        let table = pool.schema.tables.randomElement(using: &rng)!
        let key = "k\(Int.random(in: 0..<2, using: &rng))"
        let scope = scopes["\(table.name)/\(key)"]!
        let holders = nodes.filter { Routing.holds($0, table: table, scope: scope) }
        let node = holders.randomElement(using: &rng)!
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

    // MARK: Exchanges

    /// Sends a random part of what one side of a random edge would send, duplicated and
    /// reordered, in a few batches.
    mutating func exchange() async throws {
        guard let child = nodes.filter({ $0.parent != nil }).randomElement(using: &rng), let parent = child.parent else { return }
        let up = Bool.random(using: &rng)
        var changes = try await routed(up: up, child: child).changes
        changes = changes.filter { _ in Int.random(in: 0..<10, using: &rng) < 7 }
        changes += changes.filter { _ in Int.random(in: 0..<10, using: &rng) < 3 }
        changes.shuffle(using: &rng)
        let cut = changes.isEmpty ? 0 : Int.random(in: 0...changes.count, using: &rng)
        for batch in [Array(changes[..<cut]), Array(changes[cut...])] where !batch.isEmpty {
            try await deliver(batch, to: up ? parent : child, sender: child)
        }
        log.append("\(up ? "\(child) -> \(parent)" : "\(parent) -> \(child)"): \(changes.count) changes")
    }

    /// What one side of the edge above `child` sends: the log after `after` as routed,
    /// and the position read through.
    func routed(up: Bool, child: NodeID, after: Int64 = 0) async throws -> (changes: [Change], through: Int64) {
        let source = pool.stores[up ? child : child.parent!]!
        let schema = pool.schema
        let batch = try await source.changes(after: after, limit: 100_000, scanLimit: 100_000) { entry in
            guard let table = schema.table(named: entry.table) else { return false }
            return up ? Routing.shouldPush(entry, from: child, table: table) : Routing.shouldSend(entry, to: child, table: table)
        }
        return (batch.changes, batch.scannedThrough)
    }

    /// Applies a batch at `node` after a round trip through the wire encoding.
    @discardableResult
    mutating func deliver(_ batch: [Change], to node: NodeID, sender: NodeID) async throws -> ApplyOutcome {
        let request = PushRequest(node: sender.description, after: 0, through: 0,
                                  columns: WireCoding.columns(for: batch, schema: pool.schema), changes: WireCoding.wireChanges(batch, schema: pool.schema))
        let decoded = try WireCoding.decode(PushRequest.self, from: try WireCoding.encode(request))
        let changes = try WireCoding.changes(decoded.changes, columns: decoded.columns, schema: pool.schema)
        let outcome = try await pool.stores[node]!.apply(changes, cursor: .none)
        guard outcome.rejected.isEmpty else {
            throw CaseFailure(description: "\(node) rejected \(outcome.rejected)\n" + log.joined(separator: "\n"))
        }
        conflicts += outcome.conflicts
        return outcome
    }

    /// Pushes everything up, then pulls everything down, with a cursor per edge and
    /// direction as the daemons keep them, until a round moves nothing.
    mutating func syncFully() async throws {
        let upward = nodes.filter { $0.parent != nil }.sorted { $0.depth > $1.depth }
        var pushed: [NodeID: Int64] = [:]
        var pulled: [NodeID: Int64] = [:]
        for _ in 0..<8 {
            var moved = 0
            for child in upward {
                let (changes, through) = try await routed(up: true, child: child, after: pushed[child] ?? 0)
                pushed[child] = through
                if !changes.isEmpty {
                    let outcome = try await deliver(changes, to: child.parent!, sender: child)
                    moved += outcome.applied + outcome.evicted
                }
            }
            for child in upward.reversed() {
                let (changes, through) = try await routed(up: false, child: child, after: pulled[child] ?? 0)
                pulled[child] = through
                if !changes.isEmpty {
                    let outcome = try await deliver(changes, to: child, sender: child)
                    moved += outcome.applied + outcome.evicted
                }
            }
            if moved == 0 { return }
        }
        throw CaseFailure(description: "the tree did not settle after 8 full rounds\n" + log.joined(separator: "\n"))
    }

    // MARK: Checks

    func check() async throws {
        for table in pool.schema.tables {
            for key in ["k0", "k1"] {
                let name = "\(table.name)/\(key)"
                let scope = scopes[name]!
                let made = writes[name] ?? []
                let expected = made.isEmpty ? nil : ReferenceRow.expected(made, table: table, scope: scope)
                for node in nodes {
                    let holds = Routing.holds(node, table: table, scope: scope)
                    let actual = try row(table, key: key, at: node)
                    let wanted = holds ? expected : nil
                    guard actual == wanted else {
                        throw CaseFailure(description: "\(name) (scope \(scope)) at \(node): expected \(wanted.map { "\($0)" } ?? "no row"), found \(actual.map { "\($0)" } ?? "no row")\n" + log.joined(separator: "\n"))
                    }
                    guard holds, !made.isEmpty else { continue }
                    let context = try await pool.connections[node]!.read { db in
                        try String.fetchOne(db, sql: "SELECT meta FROM _ts_log WHERE tbl = ? AND pk = json_array(?)", arguments: [table.name, key])
                    }.map { try MetaText.meta($0).context }
                    for write in made where context?.covers(write.version) != true {
                        throw CaseFailure(description: "\(name) at \(node) never learned of the write \(write.version)\n" + log.joined(separator: "\n"))
                    }
                }
            }
        }
    }
}
