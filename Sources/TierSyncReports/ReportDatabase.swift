import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite

/// A node's reports: SQL over its SQLite file, through its own connection pool, reading
/// the aggregates that ``prepare()`` installs.
///
/// Reports consolidate a subtree, so they are served at the group and at provinces; a
/// city's file is left as it is.
public final class ReportDatabase: Sendable {
    /// The node whose file this is.
    public let node: NodeID
    private let pool: DatabasePool

    /// Opens the node's file (which its ``SQLiteStore`` has set up) for reports.
    /// - Throws: ``ReportError/notServed(node:)`` at a city, ``ReportError/database(_:)``.
    public init(path: String, node: NodeID) throws(ReportError) {
        guard node.tier != .city else { throw .notServed(node: node.description) }
        self.node = node
        do {
            pool = try DurableConnection.pool(path: path, label: "tiersync.reports.\(node)")
        } catch {
            throw .database("open \(path): \(error)")
        }
    }

    /// Installs the aggregates the reports read if they are missing or from another
    /// version, filling them from the rows present (on a large file this takes a while,
    /// once), and returns the seconds that took, or nil when they were in place.
    /// - Throws: ``ReportError/unavailable(_:)`` when the schema lacks what the reports read.
    @discardableResult
    public func prepare() async throws(ReportError) -> Double? {
        do {
            return try await pool.writeWithoutTransaction { db -> Double? in
                var seconds: Double?
                try db.inTransaction(.immediate) {
                    if let missing = try ReportAggregates.missingColumns(db) { throw ReportError.unavailable(missing) }
                    if try ReportAggregates.isCurrent(db) { return .commit }
                    try ReportAggregates.build(db)
                    seconds = try Double.fetchOne(db, sql: "SELECT build_seconds FROM _ts_report WHERE id = 1")
                    return .commit
                }
                return seconds
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw .database("install the report aggregates: \(error)")
        }
    }

    /// Builds the aggregates again from the rows, whatever is installed, and returns the
    /// seconds that took. For a file whose aggregates drifted, for example after writes
    /// made with `INSERT OR REPLACE` on a connection without `PRAGMA recursive_triggers = ON`
    /// (SQLite then runs no delete trigger for the rows it replaces).
    @discardableResult
    public func rebuild() async throws(ReportError) -> Double {
        do {
            try await pool.write { db in
                if try db.tableExists("_ts_report") { try db.execute(sql: "UPDATE _ts_report SET version = 0") }
            }
        } catch {
            throw .database("\(error)")
        }
        return try await prepare() ?? 0
    }

    /// The observer that keeps the aggregates through a store's applies, far faster than
    /// the triggers do there: register it with `SQLiteStore.observeApplies(with:)` on the
    /// store of the same file. Applies without it are kept by the triggers.
    public var applyObserver: any ApplyObserver { ReportApplyObserver() }

    /// Makes a report from one snapshot of the file.
    /// - Parameter freshness: how current each child's data is (``ChildFreshness/children(of:peers:subtrees:expected:staleAfter:now:)``).
    public func report(_ query: ReportQuery, freshness: [ChildFreshness], now: Date = Date()) async throws(ReportError) -> Report {
        try await read(freshness: freshness, now: now) { context in
            switch query.kind {
            case .customers: try CustomersReport.make(query, in: context)
            case .revenue: try RevenueReport.make(query, in: context)
            case .arpu: try ARPUReport.make(query, in: context)
            case .growth: try GrowthReport.make(query, in: context)
            case .top: try TopCustomersReport.make(query, in: context)
            case .freshness: try FreshnessReport.make(query, in: context)
            }
        }
    }

    /// The figures a status page heads with: national ARPU and ARPA for the latest period,
    /// and growth by region.
    public func headline(freshness: [ChildFreshness], now: Date = Date()) async throws(ReportError) -> Headline {
        try await read(freshness: freshness, now: now) { context in
            Headline(
                figures: try ARPUReport.make(try ReportQuery(kind: .arpu, by: []), in: context),
                regions: try GrowthReport.make(try ReportQuery(kind: .growth), in: context))
        }
    }

    private func read<T: Sendable>(freshness: [ChildFreshness], now: Date, _ body: @escaping @Sendable (ReportContext) throws -> T) async throws(ReportError) -> T {
        let node = self.node
        do {
            return try await pool.read { db in
                guard try db.tableExists("_ts_report") else {
                    throw ReportError.unavailable("the report aggregates are not installed; the daemon installs them when it starts (tiersync serve), and tiersync report does too")
                }
                return try body(ReportContext(db: db, node: node, freshness: freshness, now: now))
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    /// What the connection that writes the aggregates promises of a commit
    /// (``DurableConnection``).
    public func writerSettings() async throws(ReportError) -> DurableConnection.Settings {
        do {
            return try await pool.write { db in try DurableConnection.settings(db) }
        } catch {
            throw .database("\(error)")
        }
    }

    /// Closes the connections.
    public func close() throws {
        try pool.close()
    }
}

/// The figures at the head of a status page.
public struct Headline: Sendable, Codable, Equatable {
    /// National revenue, customers, accounts, ARPU and ARPA for the latest period (the totals).
    public var figures: Report
    /// Revenue growth by region for the latest period.
    public var regions: Report
}
