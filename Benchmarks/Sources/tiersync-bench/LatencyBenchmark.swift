import Foundation
import GRDB

/// Benchmark 5, latency: through real daemons for `cn`, `cn.gd` and `cn.gd.sz`, a city
/// application inserts one customer row per transaction at a steady `rate` for `seconds`;
/// each row's latency runs from its commit at the city (when the write returned) until the
/// benchmark first sees it in the group's file. The group's file is watched read-only:
/// every 2 ms `PRAGMA data_version` says whether anything was committed there, and only
/// then are the arrived ids read, so a latency is late by at most the 2 ms poll plus one
/// read. The baseline is the local commits' own time at the city. Target: p99 at most
/// 50 ms. Each daemon's peak memory closes the figure.
struct LatencyBenchmark {
    /// The `tiersync` binary.
    let executable: String
    /// How long the city writes.
    let seconds: Double
    /// Writes per second.
    let rate: Double
    /// Seconds to wait, after the last write, for every row to reach the group.
    let timeout: Double
    /// Where the files go.
    let scratch: ScratchDirectory
    /// The highest acceptable p99, in milliseconds.
    static let target = 50.0
    /// How often the group's file is polled.
    static let pollInterval = 0.002

    func run() async throws {
        let count = max(1, Int((seconds * rate).rounded()))
        let rows = try CustomerRows(count: count, scope: "cn.gd.sz")
        let arguments = PlainSQLite.arguments(rows.values)
        let index = Dictionary(uniqueKeysWithValues: rows.values.enumerated().map { ($1[0].textValue ?? "", $0) })

        let tree = try DaemonTree(directory: try scratch.subdirectory("latency"), executable: executable)
        defer { tree.stop() }
        try await tree.start()
        let writer = try PlainSQLite.open(tree.node("cn.gd.sz").database)
        let reader = try PlainSQLite.openReadOnly(tree.node("cn").database)
        defer { try? writer.close(); try? reader.close() }

        let (latencies, commits) = try collect(arguments, index: index, writer: writer, reader: reader, tree: tree)
        let details = ["writes": Double(count), "writes_per_second": rate, "seconds": seconds, "max_ms": latencies.last ?? 0, "poll_interval_ms": Self.pollInterval * 1000]
        let p50 = Figure.cost("latency.p50", Figure.Measure("city commit to group, p50", percentile(latencies, 0.50), "ms"),
                              baseline: Figure.Measure("local commit at the city, p50", percentile(commits, 0.50), "ms"), details: details)
        let p99 = Figure.cost("latency.p99", Figure.Measure("city commit to group, p99", percentile(latencies, 0.99), "ms"),
                              baseline: Figure.Measure("local commit at the city, p99", percentile(commits, 0.99), "ms"),
                              target: .valueAtMost(Self.target), details: details)
        Output.emit(p50)
        Output.emit(p99)
        func milliseconds(_ value: Double?) -> String { String(format: "%.1f ms", value ?? .nan) }
        say(resultLine("latency", [
            "\(count) writes at \(Int(rate))/s   city to group p50 \(milliseconds(p50.measured.value))  p99 \(milliseconds(p99.measured.value))  max \(milliseconds(latencies.last))",
            "local commit p50 \(milliseconds(p50.baseline?.value))  p99 \(milliseconds(p99.baseline?.value))",
            "(p99 \(p99.verdictText))",
        ]))
        tree.reportPeakMemory(figure: "latency")
    }

    /// Writes the rows at the city on schedule, one per transaction, while polling the
    /// group's file; returns the sorted latencies and the sorted local commit times, in ms.
    /// Synchronous, so that the writes and polls are GRDB's blocking calls.
    private func collect(_ arguments: [StatementArguments], index: [String: Int], writer: DatabaseQueue, reader: DatabaseQueue,
                         tree: DaemonTree) throws -> (latencies: [Double], commits: [Double]) {
        let count = arguments.count
        var committedAt = [Double](repeating: 0, count: count)
        var commitTimes: [Double] = []
        var arrivedAt = [Double?](repeating: nil, count: count)
        var arrived = 0
        var written = 0
        var seenVersion: Int?
        var polls = 0
        let watch = Stopwatch()
        while arrived < count {
            if written < count, watch.seconds >= Double(written) / rate {
                let row = arguments[written]
                let start = watch.seconds
                try writer.write { db in try db.execute(sql: PlainSQLite.insertSQL, arguments: row) }
                committedAt[written] = watch.seconds
                commitTimes.append(committedAt[written] - start)
                written += 1
            }
            let version = try reader.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
            if version != seenVersion {
                seenVersion = version
                let ids = try reader.read { db in try String.fetchAll(db, sql: "SELECT id FROM customer") }
                let now = watch.seconds
                for id in ids {
                    guard let row = index[id], arrivedAt[row] == nil else { continue }
                    arrivedAt[row] = now
                    arrived += 1
                }
            }
            polls += 1
            if polls % 100 == 0 { try tree.checkAlive() }
            let limit = Double(count) / rate + timeout
            guard watch.seconds < limit else {
                throw BenchError.timeout("latency: \(arrived) of \(count) rows written at the city reached the group within \(Int(timeout)) s after the last write; logs in \(tree.directory.path)\n\(tree.logTail(tree.node("cn.gd.sz")))")
            }
            usleep(UInt32(Self.pollInterval * 1e6))
        }

        let latencies = (0..<count).map { ((arrivedAt[$0] ?? 0) - committedAt[$0]) * 1000 }.sorted()
        return (latencies, commitTimes.map { $0 * 1000 }.sorted())
    }

    /// The nearest-rank percentile of sorted values.
    private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
