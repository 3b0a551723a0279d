import GRDB
import TierSyncModel
import TierSyncSQLite
import TierSyncStore

/// Benchmark 2, apply rate: a city's changes applied to a fresh province store through
/// `SQLiteStore.apply(_:cursor:)` in batches of 5000, one transaction each, as a push
/// arrives; beside a plain GRDB upsert of the same rows, same batching. Target: at least
/// 100000 rows/s through `apply`.
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

    /// Runs both sides `repeats` times, alternating, and prints the medians.
    func run() async throws {
        let changes = rows.changes(origin: rows.scope)
        var plain: [Rate] = []
        var applied: [Rate] = []
        for run in 0..<repeats {
            plain.append(try plainRun(changes, file: scratch.path("apply-plain-\(run).sqlite")))
            applied.append(try await storeRun(changes, file: scratch.path("apply-store-\(run).sqlite")))
        }
        let plainRate = Rate.median(plain)
        let applyRate = Rate.median(applied)
        say(resultLine("apply", [
            rateCell("plain upsert", plainRate),
            rateCell("store.apply", applyRate),
            "ratio \(twoDecimals(plainRate.perSecond / applyRate.perSecond))x",
            "(target >= \(Int(Self.target)) rows/s: \(verdict(applyRate.perSecond >= Self.target)))",
        ]))
    }

    private func plainRun(_ changes: [Change], file: String) throws -> Rate {
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createCustomerFile(at: file)
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

    private func storeRun(_ changes: [Change], file: String) async throws -> Rate {
        defer { scratch.removeDatabase(file) }
        let store = try SQLiteStore(path: file, node: try NodeID(province), schema: .standard)
        defer { try? store.close() }
        let child = rows.scope
        let rate = try await measureAsync(rows: changes.count) {
            var through: Int64 = 0
            for batch in changes.chunked(batchSize) {
                let next = through + Int64(batch.count)
                let outcome = try await store.apply(Array(batch), cursor: .pushedBy(child: child, after: through, through: next))
                guard outcome.applied == batch.count else {
                    throw BenchError.failed("apply: \(outcome.applied) of \(batch.count) applied, \(outcome.skipped) skipped, \(outcome.rejected.first?.reason ?? "none rejected")")
                }
                through = next
            }
        }
        let held = try await store.rowCounts()["customer"] ?? 0
        guard held == changes.count else { throw BenchError.failed("apply: \(held) rows held, expected \(changes.count)") }
        return rate
    }
}
