import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite

/// Benchmark 10, the national tree in one process: a group, the provinces of the tree
/// file and `--national-cities` cities (``NationalTree``), each a real `SQLiteStore` file,
/// synced through the real replicators and parent services over in-process links
/// (``InProcessTree``). Every city writes `rowsPerCity` customers in its own scope through
/// a plain application connection; then the tree syncs in rounds (every city, then every
/// province, each at most `concurrency` at a time) until every node holds exactly the rows
/// the schema's routing gives it. It reports the time from the first round until then,
/// the rounds, the process's peak resident memory and the files' size, beside plain
/// inserts of the same rows into as many files.
struct NationalBenchmark {
    /// The tree's shape.
    let tree: NationalTree
    /// Customers each city writes.
    let rowsPerCity: Int
    /// The most children syncing at once.
    let concurrency: Int
    /// The most rounds before the figure fails.
    let maxRounds: Int
    /// Seconds from the first round until the figure fails.
    let timeout: Double
    /// Where the files go.
    let scratch: ScratchDirectory
    /// The table the cities write.
    static let table = "customer"

    func run() async throws {
        guard let table = CustomerRows.resolved(.standard).table(named: Self.table) else {
            throw BenchError.failed("national: the default schema has no \(Self.table) table")
        }
        let expected = tree.expected(table: table, rowsPerCity: rowsPerCity)
        let written = rowsPerCity * tree.cities.count
        let held = expected.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        let plain = try plainInserts(expected)

        let peakCoversFigure = ProcessMemory.resetPeak()
        let before = ProcessMemory.ofThisProcess()
        let opening = Stopwatch()
        let nodes = try InProcessTree(nodes: tree.nodes, schema: .standard, directory: try scratch.subdirectory("national"))
        defer { nodes.close() }
        let openSeconds = opening.seconds
        let afterOpen = ProcessMemory.ofThisProcess()
        let writing = Stopwatch()
        for city in tree.cities {
            let writer = try PlainSQLite.open(InProcessTree.path(of: city, in: nodes.directory))
            let sql = FanOutBenchmark.customersSQL(scope: city.description, count: rowsPerCity)
            try await writer.write { db in try db.execute(sql: sql) }
            try writer.close()
        }
        let writeSeconds = writing.seconds
        say("          national: \(tree.nodes.count) stores opened in \(twoDecimals(openSeconds)) s; \(tree.cities.count) cities wrote \(written) rows in \(twoDecimals(writeSeconds)) s")

        let (rounds, seconds, checkSeconds) = try await converge(nodes, expected: expected)
        let refused = try await nodes.refusals()
        guard refused.isEmpty else {
            throw BenchError.failed("national: changes refused at \(refused.map { "\($0.key) (\($0.value))" }.sorted().joined(separator: ", ")); see _ts_rejected in \(nodes.directory.path)")
        }
        let memory = ProcessMemory.ofThisProcess()
        let openBytes = nodes.fileBytes()
        let unclosed = nodes.close()
        if !unclosed.isEmpty { say("          national: \(unclosed.count) stores did not close: \(unclosed.prefix(3).joined(separator: "; "))") }
        // A closed store has checkpointed its WAL into its file (SQLiteStore.close()).
        let closedBytes = nodes.fileBytes()

        let figure = Figure.cost("national.converge", Figure.Measure("first round until every node holds its rows", seconds, "s"),
                                 baseline: Figure.Measure("plain inserts of every node's rows into as many files", plain.seconds, "s"),
                                 details: ["nodes": Double(tree.nodes.count), "provinces": Double(tree.provinces.count), "cities": Double(tree.cities.count),
                                           "rows_written": Double(written), "rows_held": Double(held), "rounds": Double(rounds),
                                           "concurrency": Double(concurrency), "open_seconds": openSeconds, "write_seconds": writeSeconds,
                                           "check_seconds": checkSeconds])
        Output.emit(figure)
        let files = Figure.cost("national.files", Figure.Measure("the tree's files once the stores closed", Double(closedBytes), "bytes"),
                                baseline: Figure.Measure("plain files of the same rows", Double(plain.bytes), "bytes"),
                                details: ["open_bytes": Double(openBytes)])
        Output.emit(files)
        say(resultLine("national", [
            "\(tree.group) with \(tree.provinces.count) provinces and \(tree.cities.count) cities x \(rowsPerCity) rows (\(held) held in all)",
            "plain inserts \(twoDecimals(plain.seconds)) s",
            "converged \(twoDecimals(seconds)) s in \(rounds) round\(rounds == 1 ? "" : "s") (\(twoDecimals(figure.ratio ?? .nan))x)",
        ]))
        var cells = ["files \(megabytes(closedBytes)) MB once closed (plain \(megabytes(plain.bytes)) MB; \(megabytes(openBytes)) MB open, with the WALs)"]
        if let memory, let before, let afterOpen {
            let rss = Figure.cost("national.rss", Figure.Measure("peak resident memory of the process (VmHWM)", memory.peakMB, "MB"),
                                  baseline: Figure.Measure("resident memory before the stores opened", before.currentMB, "MB"),
                                  details: ["after_open_mb": afterOpen.currentMB, "current_mb": memory.currentMB,
                                            "peak_covers_only_this_figure": peakCoversFigure ? 1 : 0])
            Output.emit(rss)
            cells.insert("peak RSS \(Int(memory.peakMB.rounded())) MB\(peakCoversFigure ? "" : " (since the process started)") "
                         + "(before the stores opened \(Int(before.currentMB.rounded())), once open \(Int(afterOpen.currentMB.rounded())))", at: 0)
        } else {
            cells.insert("peak memory: /proc/self/status is not readable here; left out", at: 0)
        }
        say(resultLine("", cells))
    }

    /// Runs rounds until every node holds what `expected` says (checked after each round);
    /// returns the rounds, the seconds from the first round's start to the end of the last
    /// (the checks' time left out), and the checks' seconds.
    /// - Throws: ``BenchError/failed(_:)`` after `maxRounds` rounds, ``BenchError/timeout(_:)``
    ///   after `timeout` seconds, each with the nodes that still differ.
    private func converge(_ nodes: InProcessTree, expected: [NodeID: [String: Int]]) async throws -> (rounds: Int, seconds: Double, checkSeconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var syncSeconds = 0.0, checkSeconds = 0.0
        for round in 1...maxRounds {
            let cities = try await nodes.round(of: tree.cities, concurrency: concurrency, deadline: deadline)
            let provinces = try await nodes.round(of: tree.provinces, concurrency: concurrency, deadline: deadline)
            syncSeconds += cities.seconds + provinces.seconds
            let checking = Stopwatch()
            let differing = try differences(nodes, expected: expected)
            checkSeconds += checking.seconds
            let behind = cities.behind + provinces.behind
            say("          round \(round): cities \(twoDecimals(cities.seconds)) s (\(cities.pushed) pushed, \(cities.pulled) pulled), "
                + "provinces \(twoDecimals(provinces.seconds)) s (\(provinces.pushed) pushed, \(provinces.pulled) pulled); "
                + (differing.isEmpty ? "every node holds its rows" : "\(differing.count) of \(tree.nodes.count) nodes do not yet")
                + (behind.isEmpty ? "" : "; not caught up: \(behind.prefix(5).map(\.description).joined(separator: ", "))"))
            if differing.isEmpty { return (round, syncSeconds, checkSeconds) }
            guard ContinuousClock.now < deadline else {
                throw BenchError.timeout("national: not converged \(Int(timeout)) s after the first round (--timeout), after \(round) rounds: \(summary(differing))")
            }
            if round == maxRounds {
                throw BenchError.failed("national: not converged after \(maxRounds) rounds (--national-rounds): \(summary(differing)); files in \(nodes.directory.path)")
            }
        }
        throw BenchError.failed("national: --national-rounds must be at least 1")
    }

    /// The nodes whose rows differ from `expected`, each said in words.
    private func differences(_ nodes: InProcessTree, expected: [NodeID: [String: Int]]) throws -> [String] {
        try tree.nodes.compactMap { node in
            let wanted = expected[node] ?? [:]
            let held = try nodes.heldByScope(node, table: Self.table)
            guard held != wanted else { return nil }
            return "\(node) holds \(held.values.reduce(0, +)) rows of \(held.count) cities, expected \(wanted.values.reduce(0, +)) of \(wanted.count)"
        }
    }

    /// The first differences and how many there are.
    private func summary(_ differing: [String]) -> String {
        "\(differing.count) nodes differ: " + differing.prefix(3).joined(separator: "; ") + (differing.count > 3 ? "; ..." : "")
    }

    /// Inserts into one plain file per node the rows that node holds once the tree has
    /// converged, one transaction per file; returns the insert time (the files' creation
    /// left out) and the files' bytes after closing.
    private func plainInserts(_ expected: [NodeID: [String: Int]]) throws -> (seconds: Double, bytes: Int64) {
        let directory = try scratch.subdirectory("national-plain")
        defer { try? FileManager.default.removeItem(at: directory) }
        var seconds = 0.0
        var paths: [String] = []
        for node in tree.nodes {
            let path = directory.appendingPathComponent("\(node).sqlite").path
            try PlainSQLite.createFile(at: path, tableSQL: PlainSQLite.customerSQL)
            let queue = try PlainSQLite.open(path)
            let rows = expected[node] ?? [:]
            let statements = rows.sorted { $0.key < $1.key }.map { FanOutBenchmark.customersSQL(scope: $0.key, count: $0.value) }
            let watch = Stopwatch()
            try queue.write { db in
                for sql in statements { try db.execute(sql: sql) }
            }
            seconds += watch.seconds
            let count = try PlainSQLite.count(Self.table, in: queue)
            try queue.close()
            guard count == rows.values.reduce(0, +) else {
                throw BenchError.failed("national baseline: \(node)'s plain file holds \(count) rows, expected \(rows.values.reduce(0, +))")
            }
            paths.append(path)
        }
        return (seconds, InProcessTree.fileBytes(of: paths))
    }
}

/// Bytes as MB (MiB) with one decimal.
private func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f", Double(bytes) / 1_048_576)
}
