import Foundation
import GRDB
import GRDBSQLite
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// The digest trees of `tables`, from one read snapshot: each table row adds its row
    /// hash, and each log entry of a row held in a table (live, without `tomb`) its version
    /// hash, to the leaf of its key. Only rows whose scope `include` keeps count.
    public func digests(of tables: [String], include: @escaping @Sendable (TableSchema, String) -> Bool) async throws -> [String: TableDigest] {
        let schemas = try tables.map { try resolvedTable($0) }
        return try await pool.read { db in
            var scan = DigestScan(tables: schemas, include: include)
            try scan.run(db)
            var result: [String: TableDigest] = [:]
            for (index, table) in schemas.enumerated() {
                result[table.name] = TableDigest(tree: scan.trees[index], rows: scan.rows[index])
            }
            return result
        }
    }

    /// The keys of `table` in the leaves `buckets` whose scope `include` keeps, with their
    /// state hashes here.
    public func digestKeys(of table: String, buckets: Set<Int>, include: @escaping @Sendable (TableSchema, String) -> Bool) async throws -> [DigestKey] {
        let schema = try resolvedTable(table)
        return try await pool.read { db in
            var scan = DigestScan(tables: [schema], include: include)
            scan.wanted = Self.bitmap(buckets)
            try scan.run(db)
            return scan.keys.map { DigestKey(bucket: $0.value.bucket, key: $0.key, hash: $0.value.hash) }
        }
    }

    /// The states in the log of the rows of `table` in the leaves `buckets` that `include`
    /// keeps, with their values, from one snapshot.
    public func states(of table: String, buckets: Set<Int>, include: @escaping @Sendable (LogEntry) -> Bool) async throws -> [Change] {
        let schema = try resolvedTable(table)
        let wanted = Self.bitmap(buckets)
        let fullSchema = self.schema
        return try await pool.read { db in
            let keyColumns = (0..<schema.keyColumns.count).map { "json_extract(pk, '$[\($0)]')" }.joined(separator: ", ")
            let statement = try db.makeStatement(sql: "SELECT seq, \(keyColumns) FROM _ts_log WHERE tbl = ?")
            statement.setUncheckedArguments([schema.name])
            let raw = RawColumns(statement: statement.sqliteStatement)
            var sequences: [Int64] = []
            while true {
                let code = sqlite3_step(statement.sqliteStatement)
                guard code == SQLITE_ROW else {
                    guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "digest scan of the log failed") }
                    break
                }
                var hasher = StableHasher(seed: RowDigest.keySeed)
                for column in 0..<schema.keyColumns.count { raw.absorb(Int32(column + 1), into: &hasher) }
                if wanted[DigestTree.bucket(ofKeyHash: hasher.finalize())] {
                    sequences.append(sqlite3_column_int64(statement.sqliteStatement, 0))
                }
            }
            var reader = LogReader(db: db, schema: fullSchema)
            return try reader.read(sequences: sequences, include: include)
        }
    }

    /// The schema of a synced table, or a clear error.
    func resolvedTable(_ name: String) throws -> TableSchema {
        guard let table = schema.table(named: name) else {
            throw StoreError.unusableTable(table: name, reason: "it is not synced here; this node syncs \(schema.tables.map(\.name).joined(separator: ", "))")
        }
        return table
    }

    static func bitmap(_ buckets: Set<Int>) -> [Bool] {
        var wanted = [Bool](repeating: false, count: DigestTree.leafCount)
        for bucket in buckets where (0..<DigestTree.leafCount).contains(bucket) { wanted[bucket] = true }
        return wanted
    }
}

/// One pass over the tables and one over the log, adding each counted row to its table's
/// tree or, for wanted leaves, collecting its key with its state hash.
struct DigestScan {
    let tables: [TableSchema]
    let filters: [ScopeFilter]
    private(set) var trees: [DigestTree]
    private(set) var rows: [Int64]
    /// When set, only these leaves are visited, and their keys collected in ``keys``.
    var wanted: [Bool]?
    /// The keys found in wanted leaves, with their leaf and state hash.
    private(set) var keys: [[SQLValue]: (bucket: Int, hash: UInt64)] = [:]

    init(tables: [TableSchema], include: @escaping @Sendable (TableSchema, String) -> Bool) {
        self.tables = tables
        filters = tables.map { table in ScopeFilter { include(table, $0) } }
        trees = Array(repeating: DigestTree(), count: tables.count)
        rows = Array(repeating: 0, count: tables.count)
    }

    mutating func run(_ db: Database) throws {
        for index in tables.indices { try scanTable(db, index) }
        try scanLog(db)
    }

    private mutating func add(_ index: Int, keyHash: UInt64, hash: UInt64, rows count: Int64, key: () -> [SQLValue]) {
        let bucket = DigestTree.bucket(ofKeyHash: keyHash)
        if let wanted {
            guard wanted[bucket] else { return }
            keys[key(), default: (bucket, 0)].hash &+= hash
            return
        }
        trees[index].add(bucket: bucket, hash: hash, rows: count)
        rows[index] += count
    }

    /// Table rows: all columns in digest order; the key hash from the key columns.
    private mutating func scanTable(_ db: Database, _ index: Int) throws {
        let table = tables[index]
        let order = table.digestOrder
        let names = order.map { quoted(table.columns[$0]) }.joined(separator: ", ")
        let statement = try db.makeStatement(sql: "SELECT \(names) FROM \(quoted(table.name))")
        let raw = RawColumns(statement: statement.sqliteStatement)
        let keyPositions = table.keyIndexes.map { Int32(order.firstIndex(of: $0)!) }
        let scopePosition = Int32(order.firstIndex(of: table.scopeIndex!)!)
        let filter = filters[index]
        while true {
            let code = sqlite3_step(statement.sqliteStatement)
            guard code == SQLITE_ROW else {
                guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "digest scan of \(table.name) failed") }
                return
            }
            guard filter.includes(raw.textBytes(scopePosition)) else { continue }
            var keyHasher = StableHasher(seed: RowDigest.keySeed)
            for position in keyPositions { raw.absorb(position, into: &keyHasher) }
            var rowHasher = StableHasher(seed: RowDigest.rowSeed)
            for position in 0..<Int32(order.count) { raw.absorb(position, into: &rowHasher) }
            add(index, keyHash: keyHasher.finalize(), hash: rowHasher.finalize(), rows: 1) {
                keyPositions.map { raw.value($0) }
            }
        }
    }

    /// Log entries of rows held in the tables: the key from the entry's key text, the
    /// version from its stamp and origin.
    private mutating func scanLog(_ db: Database) throws {
        let width = tables.map(\.keyColumns.count).max() ?? 1
        let keyColumns = (0..<width).map { "json_extract(pk, '$[\($0)]')" }.joined(separator: ", ")
        let names = tables.map { "'" + $0.name + "'" }.joined(separator: ", ")
        let statement = try db.makeStatement(sql: """
            SELECT tbl, scope, hlc, origin, \(keyColumns) FROM _ts_log
            WHERE deleted = 0 AND tomb IS NULL AND tbl IN (\(names))
            """)
        let raw = RawColumns(statement: statement.sqliteStatement)
        let tableBytes = tables.map { Array($0.name.utf8) }
        var index = 0
        while true {
            let code = sqlite3_step(statement.sqliteStatement)
            guard code == SQLITE_ROW else {
                guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "digest scan of the change log failed") }
                return
            }
            let name = raw.textBytes(0)
            if !tableBytes[index].withUnsafeBytes({ $0.elementsEqual(name) }) {
                guard let found = tableBytes.firstIndex(where: { $0.withUnsafeBytes { $0.elementsEqual(name) } }) else { continue }
                index = found
            }
            guard filters[index].includes(raw.textBytes(1)) else { continue }
            let keyCount = Int32(tables[index].keyColumns.count)
            var keyHasher = StableHasher(seed: RowDigest.keySeed)
            var versionHasher = StableHasher(seed: RowDigest.versionSeed)
            for column in 4..<(4 + keyCount) {
                raw.absorb(column, into: &keyHasher)
                raw.absorb(column, into: &versionHasher)
            }
            versionHasher.absorb(UInt64(bitPattern: sqlite3_column_int64(statement.sqliteStatement, 2)))
            versionHasher.absorb(bytes: raw.textBytes(3), tag: SQLValueTag.text)
            add(index, keyHash: keyHasher.finalize(), hash: versionHasher.finalize(), rows: 0) {
                (4..<(4 + keyCount)).map { raw.value($0) }
            }
        }
    }
}

extension LogReader {
    /// The changes of the log entries at `sequences` that `include` keeps, with their values.
    mutating func read(sequences: [Int64], include: (LogEntry) -> Bool) throws -> [Change] {
        let statement = try db.cachedStatement(sql: """
            SELECT seq, tbl, pk, hlc, origin, scope, prev_scope, deleted, source, meta, tomb FROM _ts_log WHERE seq = ?
            """)
        var changes: [Change] = []
        for sequence in sequences {
            statement.setUncheckedArguments([sequence])
            guard let row = try Row.fetchOne(statement), let entry = try? logEntry(row),
                  let table = schema.table(named: entry.table), include(entry),
                  let change = try change(for: entry, table: table, meta: row[9], tomb: row[10]) else { continue }
            changes.append(change)
        }
        return changes
    }
}
