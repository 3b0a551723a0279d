import Foundation
import GRDB

/// Benchmark 4, end to end over HTTP: real daemons for `cn`, `cn.gd` and `cn.gd.sz`. The
/// rows are inserted into the city's SQLite file by a plain GRDB connection in one
/// transaction, timed from the start of that insert until the group's `customer` table
/// holds them all (its file read-only, polled every 50 ms); then every row is updated at
/// the city in one statement, timed until the group holds every updated row. The
/// baselines are the same insert and update in a plain SQLite file, and the same workload
/// through a PostgreSQL 15 logical-replication cascade (`pg-cascade.py`) when PostgreSQL
/// is installed. Targets: at least 50000 rows/s for inserts and 30000 for updates, and at
/// most twice PostgreSQL's time. Each daemon's peak memory closes the figure.
struct EndToEndBenchmark {
    /// The rows, owned by the city.
    let rows: CustomerRows
    /// The `tiersync` binary.
    let executable: String
    /// Seconds to wait for the group to hold every row, per phase.
    let timeout: Double
    /// Whether to run the PostgreSQL peer: nil when it is found, true to require it.
    let postgres: Bool?
    /// Where the daemons' files go.
    let scratch: ScratchDirectory
    /// The lowest acceptable end-to-end insert rate, in rows/s.
    static let insertTarget = 50_000.0
    /// The lowest acceptable end-to-end update rate, in rows/s.
    static let updateTarget = 30_000.0
    /// The highest acceptable ratio of TierSync's time to PostgreSQL's.
    static let postgresTarget = 2.0

    /// Where one phase's time went, in seconds from the start of the write at the city.
    private struct Phase {
        let name: String
        let written: Double
        let atProvince: Double
        let atGroup: Double
    }

    /// Runs the baselines, then the tree, then the PostgreSQL peer, and prints the figures.
    func run() async throws {
        let arguments = PlainSQLite.arguments(rows.values)
        let (plainInsert, plainUpdate) = try plainBaselines(arguments)

        let tree = try DaemonTree(directory: try scratch.subdirectory("e2e"), executable: executable)
        defer { tree.stop() }
        try await tree.start()
        let city = tree.node("cn.gd.sz")
        let writer = try PlainSQLite.open(city.database)
        defer { try? writer.close() }

        let insert = try await phase("insert", tree: tree, condition: nil) {
            try PlainSQLite.execute(PlainSQLite.insertSQL, arguments, into: writer, transactionSize: arguments.count)
        }
        report(insert, baseline: plainInsert, target: Self.insertTarget)
        let update = try await phase("update", tree: tree, condition: PlainSQLite.updatedCondition) {
            try PlainSQLite.execute(PlainSQLite.updateAllSQL, in: writer)
        }
        report(update, baseline: plainUpdate, target: Self.updateTarget)
        tree.reportPeakMemory(figure: "e2e")
        tree.stop()

        guard let peer = try PostgresPeer.run(rows: rows.count, timeout: timeout, required: postgres == true, enabled: postgres != false) else { return }
        var cells: [String] = []
        for (tiersync, pgSeconds) in [(insert, peer.insertSeconds), (update, peer.updateSeconds)] {
            let figure = Figure.cost("e2e.\(tiersync.name).postgres", Figure.Measure("TierSync city to group", tiersync.atGroup, "s"),
                                     baseline: Figure.Measure("PostgreSQL \(peer.postgres) logical replication city to group", pgSeconds, "s"),
                                     target: .ratioAtMost(Self.postgresTarget, goal: 1),
                                     details: ["postgres_rows_per_second": Double(rows.count) / pgSeconds])
            Output.emit(figure)
            cells.append("\(tiersync.name)s \(twoDecimals(pgSeconds)) s, TierSync \(twoDecimals(tiersync.atGroup)) s, \(twoDecimals(figure.ratio ?? .nan))x (\(figure.verdictText))")
        }
        say(resultLine("", ["PostgreSQL \(peer.postgres.split(separator: " ").first ?? "") cascade: " + cells.joined(separator: "; ")]))
    }

    /// Runs `write` at the city and waits until the province, then the group, hold every
    /// row meeting `condition`.
    private func phase(_ name: String, tree: DaemonTree, condition: String?, write: () throws -> Void) async throws -> Phase {
        let watch = Stopwatch()
        try write()
        let written = watch.seconds
        let reached = try await Arrival.wait(in: tree, for: [tree.node("cn.gd"), tree.node("cn")], table: "customer", condition: condition,
                                             rows: rows.count, timeout: timeout, watch: watch, label: "e2e \(name)s")
        return Phase(name: name, written: written, atProvince: reached[0], atGroup: reached[1])
    }

    /// Prints and emits one phase's figure.
    private func report(_ phase: Phase, baseline: Rate, target: Double) {
        let endToEnd = Rate(rows: rows.count, seconds: phase.atGroup)
        let replication = Rate(rows: rows.count, seconds: phase.atGroup - phase.written)
        let figure = Figure.rate("e2e.\(phase.name)", endToEnd.measure("city to group"), baseline: baseline.measure("plain \(phase.name)"),
                                 target: .valueAtLeast(target),
                                 details: ["seconds": phase.atGroup, "write_seconds": phase.written,
                                           "city_to_province_seconds": phase.atProvince - phase.written,
                                           "province_to_group_seconds": phase.atGroup - phase.atProvince,
                                           "replication_rows_per_second": replication.perSecond])
        Output.emit(figure)
        say(resultLine(phase.name == "insert" ? "e2e" : "", [
            phase.name.padding(toLength: 7, withPad: " ", startingAt: 0) + rateCell("plain", baseline),
            rateCell("city to group", endToEnd),
            "(\(figure.verdictText))",
        ]))
        say("          \(phase.name) at city \(twoDecimals(phase.written)) s, then city to province \(twoDecimals(phase.atProvince - phase.written)) s, "
            + "province to group \(twoDecimals(phase.atGroup - phase.atProvince)) s; total \(twoDecimals(phase.atGroup)) s; "
            + "replication alone (from the commit) \(rateText(replication))")
    }

    /// The same insert (one transaction) and update (one statement) in a plain file
    /// without TierSync.
    private func plainBaselines(_ arguments: [StatementArguments]) throws -> (insert: Rate, update: Rate) {
        let file = scratch.path("e2e-plain.sqlite")
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createFile(at: file, tableSQL: PlainSQLite.customerSQL)
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        let insert = try measure(rows: arguments.count) {
            try PlainSQLite.execute(PlainSQLite.insertSQL, arguments, into: queue, transactionSize: arguments.count)
        }
        let update = try measure(rows: arguments.count) { try PlainSQLite.execute(PlainSQLite.updateAllSQL, in: queue) }
        let updated = try PlainSQLite.count("customer", where: PlainSQLite.updatedCondition, in: queue)
        guard updated == arguments.count else { throw BenchError.failed("e2e baseline: \(updated) rows updated, expected \(arguments.count)") }
        return (insert, update)
    }
}
