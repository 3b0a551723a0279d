import Foundation
import GRDB
import GRDBSQLite
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// The digest trees of `tables`, from one read snapshot: each table row adds its row
    /// hash, and each log entry of a row held in a table (live, without `tomb`) its version
    /// hash, to the leaf of its key. Only rows whose scope `scopes` selects count. Each
    /// digest carries where its rows and entries are, for ``digestKeys`` and ``states``.
    /// Local writes waiting in the capture log are folded first (``readFolded(unfoldedWhenFull:_:)``).
    public func digests(of tables: [String], scopes: ScopeSelection) async throws -> [String: TableDigest] {
        let schemas = try tables.map { try resolvedTable($0) }
        return try await readFolded { db in
            var scan = DigestScan(tables: schemas, scopes: scopes)
            try scan.run(db)
            return scan.digests
        }
    }

    /// The keys of `table` in the leaves `buckets` whose scope `scopes` selects, with their
    /// state hashes here.
    public func digestKeys(of table: String, buckets: Set<Int>, locations: DigestLocations?, scopes: ScopeSelection) async throws -> [DigestKey] {
        let schema = try resolvedTable(table)
        return try await readFolded { db in
            var scan = DigestScan(tables: [schema], scopes: scopes)
            scan.wanted = Self.bitmap(buckets)
            scan.only = locations
            try scan.run(db)
            return scan.keys.map { DigestKey(bucket: $0.value.bucket, key: $0.key, hash: $0.value.hash) }
        }
    }

    /// The states in the log of the rows of `table` in the leaves `buckets` whose scope here
    /// `scopes` selects, with their values, from one snapshot.
    public func states(of table: String, buckets: Set<Int>, locations: DigestLocations?, scopes: ScopeSelection) async throws -> [Change] {
        let schema = try resolvedTable(table)
        let wanted = Self.bitmap(buckets)
        let fullSchema = self.schema
        return try await readFolded { db in
            var sequences: [Int64] = []
            if let locations {
                sequences = DigestLocations.locators(locations.entries, wanted: wanted)
            } else {
                let statement = try db.makeStatement(sql: "SELECT seq, pk FROM _ts_log NOT INDEXED WHERE tbl = ?")
                statement.setUncheckedArguments([schema.name])
                let raw = RawColumns(statement: statement.sqliteStatement)
                while try DigestScan.step(statement) {
                    if wanted[DigestTree.bucket(ofKeyHash: raw.keyHash(ofText: 1))] {
                        sequences.append(sqlite3_column_int64(statement.sqliteStatement, 0))
                    }
                }
            }
            var reader = LogReader(db: db, schema: fullSchema)
            return try reader.read(sequences: sequences, scopes: scopes)
                .filter { wanted[DigestTree.bucket(ofKeyHash: RowDigest.keyHash($0.key))] }
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
/// tree and noting where it is; or, for wanted leaves, collecting each key with its state
/// hash (reading only the rows located there when ``only`` is set).
struct DigestScan {
    let tables: [TableSchema]
    let filters: [ScopeFilter]
    /// The leaves of each table's tree, filled in place (one flat array per table).
    private var leaves: [[DigestTree.Node]]
    private var rows: [Int64]
    private var rowLocations: [[UInt64]?]
    private var entryLocations: [[UInt64]]
    /// When set, only these leaves are visited, and their keys collected in ``keys``.
    var wanted: [Bool]?
    /// With ``wanted``: read only the rows and entries an earlier scan located.
    var only: DigestLocations?
    /// The keys found in wanted leaves, with their leaf and state hash.
    private(set) var keys: [[SQLValue]: (bucket: Int, hash: UInt64)] = [:]

    init(tables: [TableSchema], scopes: ScopeSelection) {
        self.tables = tables
        filters = tables.map { table in ScopeFilter { scopes.includes(table: table, scopeText: $0) } }
        leaves = Array(repeating: Array(repeating: DigestTree.Node(), count: DigestTree.leafCount), count: tables.count)
        rows = Array(repeating: 0, count: tables.count)
        rowLocations = Array(repeating: [], count: tables.count)
        entryLocations = Array(repeating: [], count: tables.count)
    }

    /// Each table's digest, with the locations of its rows and entries.
    var digests: [String: TableDigest] {
        var result: [String: TableDigest] = [:]
        for (index, table) in tables.enumerated() {
            result[table.name] = TableDigest(tree: DigestTree(leaves: leaves[index]), rows: rows[index],
                                             locations: DigestLocations(rows: rowLocations[index], entries: entryLocations[index]))
        }
        return result
    }

    mutating func run(_ db: Database) throws {
        for index in tables.indices { try scanTable(db, index) }
        try scanLog(db)
    }

    @inline(__always)
    private mutating func add(_ index: Int, keyHash: UInt64, hash: UInt64, rows count: Int64, key: () -> [SQLValue]) {
        let bucket = DigestTree.bucket(ofKeyHash: keyHash)
        if let wanted {
            guard wanted[bucket] else { return }
            keys[key(), default: (bucket, 0)].hash &+= hash
            return
        }
        leaves[index][bucket].rows &+= count
        leaves[index][bucket].hash &+= hash
        rows[index] += count
    }

    /// Table rows: all columns in digest order, then the rowid when the table has one.
    private mutating func scanTable(_ db: Database, _ index: Int) throws {
        let table = tables[index]
        let order = table.digestOrder
        let names = order.map { quoted(table.columns[$0]) }.joined(separator: ", ")
        let hasRowID = (try? db.makeStatement(sql: "SELECT rowid FROM \(quoted(table.name)) LIMIT 0")) != nil
        if !hasRowID { rowLocations[index] = nil }
        let located = only.flatMap { only in only.rows.map { DigestLocations.locators($0, wanted: wanted!) } }
        let sql = "SELECT \(names)\(hasRowID ? ", rowid" : "") FROM \(quoted(table.name))" + (located != nil && hasRowID ? " WHERE rowid = ?" : "")
        let statement = try db.makeStatement(sql: sql)
        let raw = RawColumns(statement: statement.sqliteStatement)
        let keyPositions = table.keyIndexes.map { Int32(order.firstIndex(of: $0)!) }
        let scopePosition = Int32(order.firstIndex(of: table.scopeIndex!)!)
        let rowIDPosition = Int32(order.count)
        let filter = filters[index]
        var keyText: [UInt8] = []
        keyText.reserveCapacity(64)
        var pending = located.map { $0[...] }
        while true {
            if var queue = pending {
                guard let rowID = queue.popFirst() else { break }
                pending = queue
                sqlite3_reset(statement.sqliteStatement)
                sqlite3_bind_int64(statement.sqliteStatement, 1, rowID)
                guard try Self.step(statement) else { continue }
            } else if try !Self.step(statement) {
                break
            }
            guard filter.includes(raw.textBytes(scopePosition)) else { continue }
            keyText.removeAll(keepingCapacity: true)
            keyText.append(UInt8(ascii: "["))
            for (offset, position) in keyPositions.enumerated() {
                if offset > 0 { keyText.append(UInt8(ascii: ",")) }
                raw.appendKeyText(position, to: &keyText)
            }
            keyText.append(UInt8(ascii: "]"))
            var keyHasher = StableHasher(seed: RowDigest.keySeed)
            keyText.withUnsafeBytes { keyHasher.absorb(bytes: $0, tag: SQLValueTag.text) }
            let keyHash = keyHasher.finalize()
            if wanted == nil, hasRowID, rowLocations[index] != nil {
                if let packed = DigestLocations.pack(bucket: DigestTree.bucket(ofKeyHash: keyHash), sqlite3_column_int64(statement.sqliteStatement, rowIDPosition)) {
                    rowLocations[index]!.append(packed)
                } else {
                    rowLocations[index] = nil
                }
            }
            var rowHasher = StableHasher(seed: RowDigest.rowSeed)
            for position in 0..<Int32(order.count) { raw.absorb(position, into: &rowHasher) }
            add(index, keyHash: keyHash, hash: rowHasher.finalize(), rows: 1) {
                keyPositions.map { raw.value($0) }
            }
        }
    }

    /// Steps a statement: true on a row, false when done.
    static func step(_ statement: Statement) throws -> Bool {
        let code = sqlite3_step(statement.sqliteStatement)
        if code == SQLITE_ROW { return true }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "digest scan failed: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(statement.sqliteStatement))))")
        }
        return false
    }

    /// Log entries: each is located; those of rows held in the tables add their version
    /// hash (the key hash, stamp and origin).
    private mutating func scanLog(_ db: Database) throws {
        let columns = "tbl, scope, hlc, origin, pk, seq, deleted = 0 AND tomb IS NULL FROM _ts_log"
        let statement: Statement
        var pending: ArraySlice<Int64>?
        if let only, let wanted {
            // A full scan reads the log in storage order, faster than the (tbl, pk) index
            // for a big table; with locations, only the entries located in wanted leaves.
            statement = try db.makeStatement(sql: "SELECT \(columns) WHERE seq = ?")
            pending = DigestLocations.locators(only.entries, wanted: wanted)[...]
        } else {
            statement = try db.makeStatement(sql: "SELECT \(columns) NOT INDEXED")
        }
        let raw = RawColumns(statement: statement.sqliteStatement)
        let tableBytes = tables.map { Array($0.name.utf8) }
        var index = 0
        while true {
            if var queue = pending {
                guard let sequence = queue.popFirst() else { break }
                pending = queue
                sqlite3_reset(statement.sqliteStatement)
                sqlite3_bind_int64(statement.sqliteStatement, 1, sequence)
                guard try Self.step(statement) else { continue }
            } else if try !Self.step(statement) {
                break
            }
            let name = raw.textBytes(0)
            if !ScopeFilter.same(tableBytes[index], name) {
                guard let found = tableBytes.firstIndex(where: { ScopeFilter.same($0, name) }) else { continue }
                index = found
            }
            let keyText = raw.textBytes(4)
            let keyHash = raw.keyHash(ofText: 4)
            if wanted == nil, let packed = DigestLocations.pack(bucket: DigestTree.bucket(ofKeyHash: keyHash), sqlite3_column_int64(statement.sqliteStatement, 5)) {
                entryLocations[index].append(packed)
            }
            guard sqlite3_column_int64(statement.sqliteStatement, 6) != 0, filters[index].includes(raw.textBytes(1)) else { continue }
            var versionHasher = StableHasher(seed: RowDigest.versionSeed)
            versionHasher.absorb(keyHash)
            versionHasher.absorb(UInt64(bitPattern: sqlite3_column_int64(statement.sqliteStatement, 2)))
            versionHasher.absorb(bytes: raw.textBytes(3), tag: SQLValueTag.text)
            add(index, keyHash: keyHash, hash: versionHasher.finalize(), rows: 0) {
                (try? MetaText.values(String(decoding: keyText, as: UTF8.self))) ?? []
            }
        }
    }
}

extension LogReader {
    /// The changes of the log entries at `sequences` whose scope `scopes` selects, with their values.
    mutating func read(sequences: [Int64], scopes: ScopeSelection) throws -> [Change] {
        let statement = try db.cachedStatement(sql: """
            SELECT seq, tbl, pk, hlc, origin, scope, prev_scope, deleted, source, meta, tomb FROM _ts_log WHERE seq = ?
            """)
        var changes: [Change] = []
        for sequence in sequences {
            statement.setUncheckedArguments([sequence])
            guard let row = try Row.fetchOne(statement), let entry = try? logEntry(row),
                  let table = schema.table(named: entry.table), scopes.includes(table: table, scope: entry.scope),
                  let change = try change(for: entry, table: table, meta: row[9], tomb: row[10]) else { continue }
            changes.append(change)
        }
        return changes
    }
}
