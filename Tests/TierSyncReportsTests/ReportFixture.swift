import Foundation
import GRDB
import TierSyncModel
import TierSyncReports
import TierSyncSQLite

/// A node's file in a fresh temporary directory, set up by its store, with the report
/// aggregates installed and a plain connection to write it as an application would.
final class ReportFixture {
    let directory: URL
    let path: String
    let store: SQLiteStore
    let reports: ReportDatabase
    let app: DatabaseQueue

    init(node: String = "cn") async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-reports-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("\(node).sqlite").path
        store = try SQLiteStore(path: path, node: try NodeID(node), schema: .standard)
        reports = try ReportDatabase(path: path, node: try NodeID(node))
        try await reports.prepare()
        store.observeApplies(with: reports.applyObserver)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // As the README asks of an application that replaces rows with `OR REPLACE`.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA recursive_triggers = ON") }
        app = try DatabaseQueue(path: path, configuration: configuration)
    }

    deinit {
        try? app.close()
        try? reports.close()
        try? store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs SQL as an application writing the file.
    func write(_ sql: String) async throws {
        try await app.write { db in try db.execute(sql: sql) }
    }

    /// Makes a report with no children's freshness.
    func report(_ kind: ReportKind, period: String? = nil, by: String? = nil, limit: String? = nil) async throws -> Report {
        try await reports.report(try ReportQuery.parse(name: kind.rawValue, period: period, by: by, limit: limit), freshness: [])
    }

    /// The non-empty rows of every aggregate table, as text, for comparing two builds.
    func aggregates() async throws -> [String: [String]] {
        try await app.read { db in
            var tables: [String: [String]] = [:]
            for (table, measure) in [("_ts_rpt_customer", "customers"), ("_ts_rpt_revenue_province", "lines"), ("_ts_rpt_revenue_city", "lines"),
                                     ("_ts_rpt_revenue_class", "lines"), ("_ts_rpt_revenue_customer", "lines")] {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE \(measure) <> 0 ORDER BY 1, 2, 3, 4")
                    .map { $0.description }
            }
            return tables
        }
    }

    /// Rebuilds the aggregates from the rows, as an install on an existing file does.
    func rebuild() async throws {
        try await write("UPDATE _ts_report SET version = 0")
        try await reports.prepare()
    }
}

extension Report {
    /// The rows as plain text cells, for comparing with figures written by hand.
    var texts: [[String]] { rows.map { $0.map(\.description) } }
    /// The totals as plain text cells.
    var totalTexts: [String] { totals?.map(\.description) ?? [] }
}
