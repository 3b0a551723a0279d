import GRDB
import TierSyncModel
import TierSyncSQLite

/// Benchmark 1, capture overhead: a local application inserting customer rows (prepared
/// statement, transactions of 10000) into a plain SQLite file, and into a file that
/// `SQLiteStore` opened first and so fitted with the capture triggers. Target: the
/// captured inserts take at most 1.5 times as long.
struct CaptureBenchmark {
    /// The rows to insert.
    let rows: CustomerRows
    /// Runs per side; the medians are compared.
    let repeats: Int
    /// Where the files go.
    let scratch: ScratchDirectory
    /// Rows per transaction.
    var transactionSize = 10_000
    /// The highest acceptable ratio of plain rate to captured rate.
    static let target = 1.5

    /// Runs both sides `repeats` times, alternating, and prints the medians.
    func run() throws {
        let arguments = PlainSQLite.arguments(rows)
        var plain: [Rate] = []
        var captured: [Rate] = []
        for run in 0..<repeats {
            plain.append(try plainRun(arguments, file: scratch.path("capture-plain-\(run).sqlite")))
            captured.append(try capturedRun(arguments, file: scratch.path("capture-store-\(run).sqlite")))
        }
        let plainRate = Rate.median(plain)
        let capturedRate = Rate.median(captured)
        let ratio = plainRate.perSecond / capturedRate.perSecond
        say(resultLine("capture", [
            rateCell("plain", plainRate),
            rateCell("with capture", capturedRate),
            "ratio \(twoDecimals(ratio))x (target <= \(Self.target)x: \(verdict(ratio <= Self.target)))",
        ]))
    }

    private func plainRun(_ arguments: [StatementArguments], file: String) throws -> Rate {
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createCustomerFile(at: file)
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        let rate = try measure(rows: arguments.count) {
            try PlainSQLite.insert(arguments, into: queue, transactionSize: transactionSize)
        }
        try expect(queue, customers: arguments.count, logged: nil)
        return rate
    }

    private func capturedRun(_ arguments: [StatementArguments], file: String) throws -> Rate {
        defer { scratch.removeDatabase(file) }
        let store = try SQLiteStore(path: file, node: rows.scope, schema: .standard)
        try store.close()
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        let rate = try measure(rows: arguments.count) {
            try PlainSQLite.insert(arguments, into: queue, transactionSize: transactionSize)
        }
        try expect(queue, customers: arguments.count, logged: arguments.count)
        return rate
    }

    /// Checks that every row arrived and, with capture, that every row was logged.
    private func expect(_ queue: DatabaseQueue, customers: Int, logged: Int?) throws {
        let held = try PlainSQLite.count("customer", in: queue)
        guard held == customers else { throw BenchError.failed("capture: the file holds \(held) customers, expected \(customers)") }
        if let logged {
            let entries = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _ts_log WHERE tbl = 'customer'") ?? 0 }
            guard entries == logged else { throw BenchError.failed("capture: the change log holds \(entries) entries, expected \(logged)") }
        }
    }
}
