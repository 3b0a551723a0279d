import GRDB
import TierSyncModel
import TierSyncSQLite

/// Benchmark 1, capture overhead: a local application inserting customer rows, then
/// updating every one of them (prepared statements, transactions of 10000), in a plain
/// SQLite file and in a file that `SQLiteStore` opened first and so fitted with the capture
/// triggers. Targets: the captured inserts and the captured updates each take at most
/// twice as long as the plain ones (the goal is 1.5 times).
struct CaptureBenchmark {
    /// The rows to insert and update.
    let rows: CustomerRows
    /// Runs per side; the medians are compared.
    let repeats: Int
    /// Where the files go.
    let scratch: ScratchDirectory
    /// Rows per transaction.
    var transactionSize = 10_000
    /// The highest acceptable ratio of plain rate to captured rate.
    static let target = 2.0
    /// The ratio the issue aims for.
    static let goal = 1.5

    /// The rates of one side's run.
    private struct Run {
        var insert: Rate
        var update: Rate
    }

    /// Runs both sides `repeats` times, alternating, and prints the medians.
    func run() throws {
        let inserts = PlainSQLite.arguments(rows.values)
        let updates = PlainSQLite.updateArguments(rows)
        var plain: [Run] = []
        var captured: [Run] = []
        for run in 0..<repeats {
            plain.append(try sideRun(inserts, updates, file: scratch.path("capture-plain-\(run).sqlite"), capture: false))
            captured.append(try sideRun(inserts, updates, file: scratch.path("capture-store-\(run).sqlite"), capture: true))
        }
        for (name, pick) in [("insert", \Run.insert), ("update", \Run.update)] {
            let plainRate = Rate.median(plain.map { $0[keyPath: pick] })
            let capturedRate = Rate.median(captured.map { $0[keyPath: pick] })
            let figure = Figure.rate("capture.\(name)", capturedRate.measure("with capture"), baseline: plainRate.measure("plain \(name)"),
                                     target: .ratioAtMost(Self.target, goal: Self.goal))
            Output.emit(figure)
            say(resultLine(name == "insert" ? "capture" : "", [
                name.padding(toLength: 7, withPad: " ", startingAt: 0) + rateCell("plain", plainRate),
                rateCell("with capture", capturedRate),
                "ratio \(twoDecimals(figure.ratio ?? .nan))x (\(figure.verdictText); goal \(Self.goal)x)",
            ]))
        }
    }

    /// Inserts the rows into a fresh file, then updates every one; with `capture`, the
    /// file is a store's, so both go through the capture triggers.
    private func sideRun(_ inserts: [StatementArguments], _ updates: [StatementArguments], file: String, capture: Bool) throws -> Run {
        defer { scratch.removeDatabase(file) }
        if capture {
            try SQLiteStore(path: file, node: rows.scope, schema: .standard).close()
        } else {
            try PlainSQLite.createFile(at: file, tableSQL: PlainSQLite.customerSQL)
        }
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        let insert = try measure(rows: inserts.count) {
            try PlainSQLite.execute(PlainSQLite.insertSQL, inserts, into: queue, transactionSize: transactionSize)
        }
        try expect(queue, customers: inserts.count, updated: 0, loggedAfter: capture ? 0 : nil)
        let logHead = capture ? try queue.read { db in try Int64.fetchOne(db, sql: "SELECT max(pos) FROM _ts_capture") ?? 0 } : 0
        let update = try measure(rows: updates.count) {
            try PlainSQLite.execute(PlainSQLite.updateSQL, updates, into: queue, transactionSize: transactionSize)
        }
        try expect(queue, customers: inserts.count, updated: updates.count, loggedAfter: capture ? logHead : nil)
        return Run(insert: insert, update: update)
    }

    /// Checks that every row arrived (and was updated), and with capture that every write
    /// left a record in the capture log after position `loggedAfter` (the daemon folds
    /// them into the change log later, off the writer's path).
    private func expect(_ queue: DatabaseQueue, customers: Int, updated: Int, loggedAfter: Int64?) throws {
        let held = try PlainSQLite.count("customer", in: queue)
        guard held == customers else { throw BenchError.failed("capture: the file holds \(held) customers, expected \(customers)") }
        let changed = try PlainSQLite.count("customer", where: PlainSQLite.updatedCondition, in: queue)
        guard changed == updated else { throw BenchError.failed("capture: \(changed) customers updated, expected \(updated)") }
        if let loggedAfter {
            let entries = try queue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM _ts_capture WHERE tbl = 'customer' AND pos > ?", arguments: [loggedAfter]) ?? 0
            }
            guard entries == customers else { throw BenchError.failed("capture: the capture log holds \(entries) records of the last writes, expected \(customers)") }
        }
    }
}
