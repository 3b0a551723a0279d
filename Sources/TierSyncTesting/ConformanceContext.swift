import Foundation
import TierSyncModel
import TierSyncStore

/// What one conformance check works with: its backend, the suite's schema, and helpers to
/// make changes and state expectations.
public struct ConformanceContext: Sendable {
    /// The tables the checks use. `item` goes up to the group under `lww`; `note` stops at
    /// the province, flows down, and leaves concurrent writes to an operator (`manual`).
    public static let schemaText = """
        [table.item]
        sql = "CREATE TABLE item(id TEXT PRIMARY KEY, name TEXT NOT NULL, n INTEGER, scope TEXT NOT NULL)"
        concentrate = group
        conflict = lww

        [table.note]
        sql = "CREATE TABLE note(id TEXT PRIMARY KEY, body TEXT, scope TEXT NOT NULL)"
        concentrate = province
        down = true
        conflict = manual
        """

    let check: StoreConformance.Check
    /// The backend under test.
    public let backend: any StoreBackend
    /// The suite's schema, as declared (a store fills in columns and keys).
    public let schema: SyncSchema
    /// A wall-clock time a minute ago, in milliseconds: stamps are made relative to it.
    public let base: Int64

    init(check: StoreConformance.Check, backend: any StoreBackend) throws {
        self.check = check
        self.backend = backend
        schema = try SyncSchema(parsing: Self.schemaText, fileName: "store conformance schema")
        base = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
    }

    /// Opens (or reopens) the store of `node`.
    public func open(_ node: String) async throws -> any ResyncStore {
        try await backend.open(try NodeID(node), schema: schema)
    }

    /// Throws a ``ConformanceFailure`` with `message` unless `condition` holds.
    public func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard condition else { throw ConformanceFailure(check: check.name, message: message()) }
    }

    /// Throws a ``ConformanceFailure`` unless `actual` equals `expected`.
    public func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
        try expect(actual == expected, "\(what): expected \(expected), got \(actual)")
    }

    /// A fresh write of an `item` row made at `origin`, `millis` after ``base``.
    public func item(_ store: any ChangeStore, _ id: String, name: String?, n: Int64 = 0, scope: String, origin: String, millis: Int64,
                     deleted: Bool = false) throws -> Change {
        try row(store, "item", ["id": .text(id), "name": name.map(SQLValue.text) ?? .null, "n": .integer(n), "scope": .text(scope)],
                origin: origin, millis: millis, deleted: deleted)
    }

    /// A fresh write of a `note` row made at `origin`, `millis` after ``base``.
    public func note(_ store: any ChangeStore, _ id: String, body: String, scope: String, origin: String, millis: Int64) throws -> Change {
        try row(store, "note", ["id": .text(id), "body": .text(body), "scope": .text(scope)], origin: origin, millis: millis)
    }

    /// A fresh write of a row of `table`, its values by column name, as `origin`'s capture
    /// would record it.
    func row(_ store: any ChangeStore, _ table: String, _ values: [String: SQLValue], origin: String, millis: Int64, deleted: Bool = false) throws -> Change {
        guard let resolved = store.schema.table(named: table) else {
            throw ConformanceFailure(check: check.name, message: "the store's schema lost table \(table)")
        }
        return try Change.write(resolved, values: resolved.columns.map { values[$0] ?? .null }, deleted: deleted,
                                version: Version(stamp: HybridTimestamp(millis: base + millis), origin: try NodeID(origin)))
    }

    /// The store's change of `table`/`id` in its whole log, if any.
    public func logged(_ store: any ChangeStore, _ table: String, _ id: String) async throws -> Change? {
        try await store.allChanges().last { $0.table == table && $0.key == [.text(id)] }
    }

    /// The node id `text`, which the checks spell right.
    public func node(_ text: String) throws -> NodeID { try NodeID(text) }
}
