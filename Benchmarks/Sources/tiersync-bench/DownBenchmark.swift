import Foundation
import GRDB

/// Benchmark 6, catalogue down: `rows` product rows written at the group (plain GRDB
/// connection, transactions of 10000) flow down through the province to the city, through
/// real daemons. Timed from the start of the write at the group until the city's file holds
/// every row (polled read-only every 50 ms); the baseline is the same insert into a plain
/// file. Target: at most 30 s. Each daemon's peak memory closes the figure.
struct DownBenchmark {
    /// The catalogue rows.
    let rows: Int
    /// The `tiersync` binary.
    let executable: String
    /// Seconds to wait for the city to hold every row.
    let timeout: Double
    /// Where the files go.
    let scratch: ScratchDirectory
    /// Rows per transaction at the group.
    var transactionSize = 10_000
    /// The most seconds the rows may take to reach the city.
    static let target = 30.0

    func run() async throws {
        let arguments = PlainSQLite.arguments(ProductRows.values(count: rows))
        let baseline = try plainInsert(arguments)

        let tree = try DaemonTree(directory: try scratch.subdirectory("down"), executable: executable)
        defer { tree.stop() }
        try await tree.start()
        let writer = try PlainSQLite.open(tree.node("cn").database)
        defer { try? writer.close() }
        let watch = Stopwatch()
        try PlainSQLite.execute(ProductRows.insertSQL, arguments, into: writer, transactionSize: transactionSize)
        let written = watch.seconds
        let reached = try await Arrival.wait(in: tree, for: [tree.node("cn.gd"), tree.node("cn.gd.sz")], table: "product",
                                             rows: rows, timeout: timeout, watch: watch, label: "down")
        let total = reached[1]
        let figure = Figure.cost("down", Figure.Measure("group write until the city holds all", total, "s"),
                                 baseline: Figure.Measure("plain insert of the same rows", baseline.seconds, "s"),
                                 target: .valueAtMost(Self.target),
                                 details: ["rows": Double(rows), "write_seconds": written, "group_to_province_seconds": reached[0] - written,
                                           "province_to_city_seconds": total - reached[0],
                                           "rows_per_second": Double(rows) / total, "replication_rows_per_second": Double(rows) / (total - written)])
        Output.emit(figure)
        say(resultLine("down", [
            "\(rows) product rows   plain insert \(twoDecimals(baseline.seconds)) s",
            "group to city \(twoDecimals(total)) s (\(figure.verdictText))",
        ]))
        say("          write at group \(twoDecimals(written)) s, then group to province \(twoDecimals(reached[0] - written)) s, "
            + "province to city \(twoDecimals(total - reached[0])) s; replication alone \(rateText(Rate(rows: rows, seconds: total - written)))")
        tree.reportPeakMemory(figure: "down")
    }

    /// The same insert into a plain file without TierSync.
    private func plainInsert(_ arguments: [StatementArguments]) throws -> Rate {
        let file = scratch.path("down-plain.sqlite")
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createFile(at: file, tableSQL: ProductRows.createSQL)
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        return try measure(rows: arguments.count) {
            try PlainSQLite.execute(ProductRows.insertSQL, arguments, into: queue, transactionSize: transactionSize)
        }
    }
}
