import Foundation
import TierSyncModel
import TierSyncReports
import TierSyncSQLite
import TierSyncStore

/// Part of the apply benchmark: what the report aggregates cost the apply path. A city's
/// customers, then their revenue, are applied to a fresh province store (as pushes, in
/// batches of 5000), once into a store without the report aggregates and once into one
/// where `ReportDatabase.prepare()` installed them and their apply observer follows every
/// apply transaction, as in the daemon, alternating, `repeats` times each; the medians are compared. Target: the
/// aggregates cost at most 10% of the apply rate.
struct AggregateApplyBenchmark {
    /// The customer rows, written at their city.
    let rows: CustomerRows
    /// Runs per side; the medians are compared.
    let repeats: Int
    /// Where the files go.
    let scratch: ScratchDirectory
    /// Changes per batch.
    var batchSize = 5000
    /// The highest acceptable cost, as a fraction of the rate without aggregates.
    static let target = 0.10

    /// Runs both sides and prints one line per table.
    func run() async throws {
        let schema = CustomerRows.resolved(.standard)
        let customers = rows.changes(origin: rows.scope, schema: schema)
        let revenue = try RevenueRows.changes(customers: rows, count: rows.count, schema: schema)
        var results: [String: [Rate]] = [:]
        for run in 0..<repeats {
            for aggregates in run % 2 == 0 ? [false, true] : [true, false] {
                let rates = try await applyRun(customers, revenue, aggregates: aggregates, file: scratch.path("apply-aggregates-\(aggregates)-\(run).sqlite"))
                for (name, rate) in rates { results["\(name) \(aggregates)", default: []].append(rate) }
            }
        }
        for table in ["customer", "revenue"] {
            let without = Rate.median(results["\(table) false"]!), with = Rate.median(results["\(table) true"]!)
            let cpuWithout = Rate.median(results["\(table) cpu false"]!), cpuWith = Rate.median(results["\(table) cpu true"]!)
            let cost = 1 - with.perSecond / without.perSecond
            let cpuCost = 1 - cpuWith.perSecond / cpuWithout.perSecond
            // A cost of at most 10% is a ratio (rate without over rate with) of at most 1 / 0.9.
            let figure = Figure.rate("apply.aggregates.\(table)", cpuWith.measure("apply per CPU-second with report aggregates"),
                                     baseline: cpuWithout.measure("apply per CPU-second without"), target: .ratioAtMost(1 / (1 - Self.target)),
                                     details: ["wall_rows_per_second_with": with.perSecond, "wall_rows_per_second_without": without.perSecond,
                                               "cost_percent": cpuCost * 100, "wall_cost_percent": cost * 100])
            Output.emit(figure)
            say(resultLine("aggregate", [
                table.padding(toLength: 8, withPad: " ", startingAt: 0), rateCell("apply without", without), rateCell("with report aggregates", with),
                "cost \(String(format: "%.1f", cost * 100))%",
            ]))
            say(resultLine("", [
                "        ", rateCell("per CPU-second without", cpuWithout), rateCell("with", cpuWith),
                "cost \(String(format: "%.1f", cpuCost * 100))% (target <= \(Int(Self.target * 100))%: \(verdict(figure.met ?? false)))",
            ]))
        }
    }

    /// Applies the customers, then the revenue, to a fresh province store; returns the rates
    /// by wall-clock time and by the process's CPU time, by table.
    private func applyRun(_ customers: [Change], _ revenue: [Change], aggregates: Bool, file: String) async throws -> [String: Rate] {
        defer { scratch.removeDatabase(file) }
        let store = try SQLiteStore(path: file, node: try NodeID("cn.gd"), schema: .standard)
        defer { try? store.close() }
        if aggregates {
            let reports = try ReportDatabase(path: file, node: store.node)
            try await reports.prepare()
            store.observeApplies(with: reports.applyObserver)
            try reports.close()
        }
        var through: Int64 = 0
        var cpu: Rate?
        func applyAll(_ changes: [Change]) async throws -> Rate {
            let start = processCPUSeconds()
            defer { cpu = Rate(rows: changes.count, seconds: processCPUSeconds() - start) }
            return try await measureAsync(rows: changes.count) {
                for batch in changes.chunked(batchSize) {
                    let next = through + Int64(batch.count)
                    let outcome = try await store.apply(Array(batch), cursor: .pushedBy(child: rows.scope, after: through, through: next))
                    guard outcome.rejected.isEmpty, outcome.applied == batch.count else {
                        throw BenchError.failed("apply: \(outcome.applied) of \(batch.count) applied, \(outcome.rejected.first?.reason ?? "none rejected")")
                    }
                    through = next
                }
            }
        }
        var rates: [String: Rate] = [:]
        rates["customer"] = try await applyAll(customers)
        rates["customer cpu"] = cpu
        rates["revenue"] = try await applyAll(revenue)
        rates["revenue cpu"] = cpu
        return rates
    }
}

/// Synthetic `revenue` rows: for each customer in turn, 24 months of 5 service categories.
enum RevenueRows {
    /// The service categories.
    static let categories = ["data", "voice", "line", "idc", "cloud"]

    /// The period of month `index` (0 is 2025-01).
    static func period(_ index: Int) -> String {
        let month = index % 12 + 1
        return "\(2025 + index / 12)-" + (month < 10 ? "0" : "") + String(month)
    }

    /// `count` revenue rows of `customers`, as changes written at their city.
    static func changes(customers: CustomerRows, count: Int, schema: SyncSchema) throws -> [Change] {
        let table = schema.table(named: "revenue")!
        let first = HybridTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000)).rawValue
        return try (0..<count).map { index in
            let customer = customers.values[(index / 120) % customers.count][0]
            let values: [SQLValue] = [customer, .text(period(index / 5 % 24)), .text(categories[index % 5]),
                                      .integer(Int64(1000 + (index * 7919) % 500_000)), .text(customers.scope.description)]
            return try Change.write(table, values: values, version: Version(stamp: HybridTimestamp(rawValue: first + Int64(index)), origin: customers.scope))
        }
    }
}
