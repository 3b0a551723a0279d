import ArgumentParser
import Foundation
import TierSyncNode
import TierSyncReports
import TierSyncStore
import TierSyncWire

/// `tiersync report`: a consolidation report read from the node's file, as a table, CSV or
/// JSON. The same reports as `GET /v1/reports/{name}`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a consolidation report of the node's subtree (at the group or a province).",
        discussion: "Reports: " + ReportKind.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")
            + ". Without NAME, lists them.")

    @Argument(help: "The report: \(ReportKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: String?

    @Option(help: "The period, YYYY-MM (default: the latest with revenue).")
    var period: String?

    @Option(help: "The breakdown, comma-separated: period, province, city, industry, category, class, or none (default: province at the group, city at a province).")
    var by: String?

    @Option(help: "For top: how many customers (default 10).")
    var limit: String?

    @Option(help: "table, csv or json.")
    var format = "table"

    @Flag(help: "Build the report aggregates again from the rows first.")
    var rebuild = false

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        guard ["table", "csv", "json"].contains(format) else { throw ValidationError("--format must be table, csv or json, got '\(format)'") }
    }

    func run() async throws {
        guard let name else {
            print(ReportKind.allCases.map { "\($0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))
            return
        }
        let query: ReportQuery
        do {
            query = try ReportQuery.parse(name: name, period: period, by: by, limit: limit)
        } catch {
            throw ValidationError(error.description)
        }
        let configuration = try options.load()
        let store = try NodeDaemon.openStore(configuration)
        let reports = try ReportDatabase(path: configuration.databasePath, node: configuration.node)
        if rebuild {
            let seconds = try await reports.rebuild()
            FileHandle.standardError.write(Data("rebuilt the report aggregates in \(String(format: "%.1f", seconds)) s\n".utf8))
        } else {
            try await reports.prepare()
        }
        let freshness = ChildFreshness.children(
            of: configuration.node, peers: try await store.peers(), subtrees: try await store.subtrees(),
            expected: configuration.expectedChildren, staleAfter: configuration.staleAfter, now: Date())
        let report = try await reports.report(query, freshness: freshness)
        switch format {
        case "csv": print(ReportCSV.render(report), terminator: "")
        case "json": print(String(decoding: try WireCoding.encode(report), as: UTF8.self))
        default: print(ReportText.render(report), terminator: "")
        }
    }
}
