import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite
import TierSyncStore

/// Benchmark 2, apply rate: a city's changes applied to a fresh province store through
/// `SQLiteStore.apply(_:cursor:)` in batches of 5000, one transaction each, as a push
/// arrives; beside a plain GRDB upsert of the same rows, same batching. Target: at least
/// 100000 rows/s through `apply`.
///
/// It runs under the default schema, where `customer` merges column by column, and under
/// the same schema with `customer` by LWW on whole rows; and for each, a second pass of
/// concurrent edits of every row from the group, which the store merges with what it holds.
struct ApplyBenchmark {
    /// The rows, written at their city.
    let rows: CustomerRows
    /// Runs per side; the medians are compared.
    let repeats: Int
    /// Where the files go.
    let scratch: ScratchDirectory
    /// Changes per batch (the daemon's default `sync.batch`).
    var batchSize = 5000
    /// The store the changes are applied to.
    var province = "cn.gd"
    /// The lowest acceptable rate through `apply`, in rows/s.
    static let target = 100_000.0

    /// Runs each side `repeats` times, alternating, and prints the medians.
    func run() async throws {
        let merge = CustomerRows.resolved(.standard)
        let whole = CustomerRows.resolved(CustomerRows.wholeRowSchema)
        let changes = rows.changes(origin: rows.scope, schema: merge)
        var plain: [Rate] = []
        var results: [String: [Rate]] = [:]
        for run in 0..<repeats {
            plain.append(try plainRun(changes, file: scratch.path("apply-plain-\(run).sqlite")))
            for (name, schema) in [("merge", merge), ("lww", whole)] {
                let (fresh, concurrent) = try await storeRun(schema: schema, file: scratch.path("apply-\(name)-\(run).sqlite"))
                results["\(name) fresh", default: []].append(fresh)
                results["\(name) concurrent", default: []].append(concurrent)
            }
        }
        let plainRate = Rate.median(plain)
        let applyRate = Rate.median(results["merge fresh"]!)
        let figure = Figure.rate("apply", applyRate.measure("store.apply"), baseline: plainRate.measure("plain upsert"), target: .valueAtLeast(Self.target))
        Output.emit(figure)
        say(resultLine("apply", [
            rateCell("plain upsert", plainRate),
            rateCell("store.apply", applyRate),
            "ratio \(twoDecimals(figure.ratio ?? .nan))x",
            "(\(figure.verdictText))",
        ]))
        for pass in ["fresh", "concurrent"] {
            let merged = Rate.median(results["merge \(pass)"]!)
            let lww = Rate.median(results["lww \(pass)"]!)
            let rules = Figure.rate("apply.rules.\(pass == "fresh" ? "new" : "concurrent")", merged.measure("customer by merge"), baseline: lww.measure("customer by lww"))
            Output.emit(rules)
            say(resultLine("rules", [
                pass == "fresh" ? "new rows       " : "concurrent edits",
                rateCell("customer by merge", merged), rateCell("by lww", lww),
                "merge costs \(twoDecimals(rules.ratio ?? .nan))x",
            ]))
        }
    }

    private func plainRun(_ changes: [Change], file: String) throws -> Rate {
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createFile(at: file, tableSQL: PlainSQLite.customerSQL)
        let pool = try DatabasePool(path: file)
        defer { try? pool.close() }
        let rate = try measure(rows: changes.count) {
            for batch in changes.chunked(batchSize) {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        let upsert = try db.cachedStatement(sql: PlainSQLite.upsertSQL)
                        for change in batch {
                            upsert.setUncheckedArguments(StatementArguments((change.values ?? []).map(\.databaseValue)))
                            try upsert.execute()
                        }
                        return .commit
                    }
                }
            }
        }
        let held = try PlainSQLite.count("customer", in: pool)
        guard held == changes.count else { throw BenchError.failed("apply baseline: \(held) rows held, expected \(changes.count)") }
        return rate
    }

    /// Applies the city's rows to a fresh store under `schema`, then the group's concurrent
    /// edits of every row; returns both rates.
    private func storeRun(schema: SyncSchema, file: String) async throws -> (fresh: Rate, concurrent: Rate) {
        defer { scratch.removeDatabase(file) }
        let store = try SQLiteStore(path: file, node: try NodeID(province), schema: schema)
        defer { try? store.close() }
        let fresh = try await applyAll(rows.changes(origin: rows.scope, schema: store.schema), to: store, from: rows.scope)
        // The group's edits were made without seeing the city's rows: every one conflicts.
        let group = try NodeID("cn")
        let edits = rows.changes(origin: group, schema: store.schema, millis: Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
        let concurrent = try await applyAll(edits, to: store, from: nil)
        let held = try await store.rowCounts()["customer"] ?? 0
        guard held == rows.count else { throw BenchError.failed("apply: \(held) rows held, expected \(rows.count)") }
        return (fresh, concurrent)
    }

    private func applyAll(_ changes: [Change], to store: SQLiteStore, from child: NodeID?) async throws -> Rate {
        try await measureAsync(rows: changes.count) {
            var through: Int64 = 0
            for batch in changes.chunked(batchSize) {
                let next = through + Int64(batch.count)
                let cursor: CursorAdvance = child.map { .pushedBy(child: $0, after: through, through: next) } ?? .none
                let outcome = try await store.apply(Array(batch), cursor: cursor)
                guard outcome.rejected.isEmpty, outcome.applied + outcome.skipped == batch.count else {
                    throw BenchError.failed("apply: \(outcome.applied) of \(batch.count) applied, \(outcome.skipped) skipped, \(outcome.rejected.first?.reason ?? "none rejected")")
                }
                through = next
            }
        }
    }
}
