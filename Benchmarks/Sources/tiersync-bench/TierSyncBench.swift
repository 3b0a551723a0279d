import ArgumentParser
import Foundation

/// The `tiersync-bench` command: measures TierSync's throughput, latency and memory, each
/// figure beside a baseline taken in the same run, and prints one aligned line per figure
/// (or, with `--json`, one JSON object per figure).
@main
struct TierSyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiersync-bench",
        abstract: "Measures TierSync, each figure beside a baseline from the same run.",
        discussion: """
            Each benchmark that fails (an error, a timeout, a daemon that died) is reported and the \
            run goes on with the next; the command then exits 1. It exits 0 otherwise, whether or not \
            the targets are met: each line says met or MISSED. Every daemon it starts is stopped on \
            every way out, Ctrl-C included. See Benchmarks/README.md.
            """)

    @OptionGroup var options: BenchOptions

    /// The run's header, the first line of `--json` output.
    private struct Header: Encodable {
        /// What the run measured and on what.
        struct Run: Encodable {
            let rows: Int
            let downRows: Int
            let repeats: Int
            let benchmarks: [String]
            let sqlite: String
            let cores: Int
            let started: String
        }
        let run: Run
    }

    /// Runs the selected benchmarks in order; exits 1 when any of them failed.
    func run() async throws {
        if options.json { Output.useJSON() }
        ChildProcesses.installSignalHandlers()
        // Find the daemon binary first, so that a missing one stops the run at once.
        let executable: String?
        do {
            executable = options.selected.contains(where: \.needsDaemon) ? try options.tiersyncExecutable() : nil
        } catch {
            say("tiersync-bench: error: \(error)")
            throw ExitCode(1)
        }
        let scratch = try ScratchDirectory()
        let sqlite = try sqliteVersion()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if options.json {
            Output.writeJSON(Header(run: Header.Run(rows: options.rows.value, downRows: options.downRows.value, repeats: options.repeats.value,
                                                    benchmarks: options.selected.map(\.rawValue), sqlite: sqlite, cores: cores,
                                                    started: ISO8601DateFormatter().string(from: Date()))))
        }
        say("# tiersync-bench: \(options.rows.value) rows, median of \(options.repeats.value) run(s) per in-process figure, SQLite \(sqlite), \(cores) cores")
        say("# scratch files in \(scratch.url.path)")
        if let executable { say("# daemons: \(executable)") }
        var failed: [BenchmarkKind] = []
        for kind in options.selected {
            do {
                try await runBenchmark(kind, executable: executable, scratch: scratch)
            } catch {
                ChildProcesses.terminateAll()
                say("tiersync-bench: \(kind.rawValue) failed: \(error)")
                failed.append(kind)
            }
        }
        if options.keep || !failed.isEmpty {
            say("# kept \(scratch.url.path)")
        } else {
            scratch.remove()
        }
        if !failed.isEmpty {
            say("tiersync-bench: failed: \(failed.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(1)
        }
    }

    /// Runs one benchmark.
    private func runBenchmark(_ kind: BenchmarkKind, executable: String?, scratch: ScratchDirectory) async throws {
        let rows = options.rows.value, repeats = options.repeats.value, timeout = options.timeout
        switch kind {
        case .capture:
            try CaptureBenchmark(rows: try CustomerRows(count: rows, scope: "cn.gd.sz"), repeats: repeats, scratch: scratch).run()
        case .apply:
            let customers = try CustomerRows(count: rows, scope: "cn.gd.sz")
            try await ApplyBenchmark(rows: customers, repeats: repeats, scratch: scratch).run()
            try await AggregateApplyBenchmark(rows: customers, repeats: repeats, scratch: scratch).run()
        case .codec:
            try WireBenchmark(rows: try CustomerRows(count: rows, scope: "cn.gd.sz"), repeats: repeats, scratch: scratch).run()
        case .e2e:
            guard let executable else { return }
            try await EndToEndBenchmark(rows: try CustomerRows(count: rows, scope: "cn.gd.sz"), executable: executable, timeout: timeout,
                                        postgres: options.postgres, scratch: scratch).run()
        case .latency:
            guard let executable else { return }
            try await LatencyBenchmark(executable: executable, seconds: options.latencySeconds, rate: options.latencyRate,
                                       timeout: timeout, scratch: scratch).run()
        case .down:
            guard let executable else { return }
            try await DownBenchmark(rows: options.downRows.value, executable: executable, timeout: timeout, scratch: scratch).run()
        case .resync:
            guard let executable else { return }
            try await ResyncBenchmark(rows: options.resyncRows.value, differing: options.resyncDiffer.value, executable: executable,
                                      timeout: timeout, scratch: scratch).run()
        case .reports:
            try await ReportsBenchmark(customers: rows, repeats: repeats, scratch: scratch).run()
        case .fanout:
            guard let executable else { return }
            try await FanOutBenchmark(rowsPerChild: options.fanoutRows.value, downRows: options.fanoutRows.value, executable: executable,
                                      timeout: timeout, scratch: scratch).run()
        case .national:
            try await NationalBenchmark(tree: try NationalTree(file: options.nationalTreeFile, cityCount: options.nationalCities.value),
                                        rowsPerCity: options.nationalRows.value, concurrency: options.nationalConcurrency.value,
                                        maxRounds: options.nationalRounds.value, timeout: timeout, scratch: scratch).run()
        case .retention:
            try await RetentionBenchmark(rows: options.retentionRows.value, steps: options.retentionSteps.value, timeout: timeout, scratch: scratch).run()
        }
    }
}
