import Foundation
import TierSyncModel
import TierSyncSQLite

/// The synthetic `customer` rows every benchmark writes: sequential, zero-padded text keys
/// like real customer ids (`cn.gd.sz-C00000042`), all owned by one city.
struct CustomerRows: Sendable {
    /// The owning city, the rows' `scope`.
    let scope: NodeID
    /// The rows, each in the default schema's `customer` column order: id, unified_code,
    /// name, classes, industry, manager, credit_level, status, scope.
    let values: [[SQLValue]]

    /// The number of rows.
    var count: Int { values.count }

    /// Generates `count` rows owned by `scope`.
    init(count: Int, scope: String) throws {
        let owner = try NodeID(scope)
        self.scope = owner
        let industries = ["finance", "government", "energy", "manufacturing"]
        values = (0..<count).map { index in
            let number = String(index)
            let id = "\(scope)-C" + String(repeating: "0", count: max(0, 8 - number.count)) + number
            return [
                .text(id), .null, .text("Customer \(index) of \(scope)"), .text("high-value"),
                .text(industries[index % industries.count]), .text("mgr-\(index % 97)"), .text("A"),
                .text("active"), .text(scope),
            ]
        }
    }

    /// The rows as changes written at `origin`, with increasing stamps from `millis` (about
    /// now by default), as that node's log would carry them, under `schema`'s rules.
    func changes(origin: NodeID, schema: SyncSchema = CustomerRows.resolved(.standard), millis: Int64? = nil) -> [Change] {
        let first = HybridTimestamp(millis: millis ?? Int64(Date().timeIntervalSince1970 * 1000)).rawValue
        let table = schema.table(named: "customer")!
        return values.enumerated().map { index, row in
            var values = row
            if origin != scope { values[2] = .text("Renamed at \(origin)") }
            // Rows written by the benchmark always have a scope: Change.write cannot fail.
            return try! Change.write(table, values: values, version: Version(stamp: HybridTimestamp(rawValue: first + Int64(index)), origin: origin))
        }
    }

    /// `schema` with columns and keys filled in, as a store opened on it sees them.
    static func resolved(_ schema: SyncSchema) -> SyncSchema {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-bench-schema-\(UUID().uuidString.prefix(8)).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
        do {
            let store = try SQLiteStore(path: scratch, node: try NodeID("cn"), schema: schema)
            defer { try? store.close() }
            return store.schema
        } catch {
            fatalError("cannot open a scratch store to resolve the schema: \(error)")
        }
    }

    /// The default schema with `customer` decided by LWW on whole rows instead of merging
    /// column by column: the baseline for the cost of the merge rules.
    static let wholeRowSchema: SyncSchema = {
        var text = SyncSchema.defaultText
        for line in ["conflict.unified_code = tier", "conflict.classes = tier", "conflict.manager = tier", "conflict.credit_level = manual"] {
            text = text.replacingOccurrences(of: line + "\n", with: "")
        }
        text = text.replacingOccurrences(of: "conflict = merge", with: "conflict = lww")
        return try! SyncSchema(parsing: text, fileName: "default schema, customer by lww")
    }()
}

extension Array {
    /// The array cut into consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
