import Foundation

/// The `tiersync-bench` command: measures TierSync's throughput, each figure beside a
/// baseline taken in the same run, and prints one aligned line per benchmark.
@main
struct TierSyncBench {
    /// Parses the options, runs the selected benchmarks in order and exits non-zero on
    /// any error or timeout (after ending every daemon it started).
    static func main() async {
        let options: BenchOptions
        do {
            options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            say("tiersync-bench: \(error)\n\n\(BenchOptions.usage)")
            exit(2)
        }
        if options.help {
            say(BenchOptions.usage)
            return
        }
        ChildProcesses.installSignalHandlers()
        do {
            // Find the daemon binary first, so that a missing one stops the run at once.
            let executable = options.selected.contains(.e2e) || options.selected.contains(.resync) ? try options.tiersyncExecutable() : nil
            let scratch = try ScratchDirectory()
            say("# tiersync-bench: \(options.rows) rows, median of \(options.repeats) run(s) per figure, SQLite \(try sqliteVersion()), \(ProcessInfo.processInfo.activeProcessorCount) cores")
            say("# scratch files in \(scratch.url.path)")
            let rows = try CustomerRows(count: options.rows, scope: "cn.gd.sz")
            for kind in options.selected {
                switch kind {
                case .capture:
                    try CaptureBenchmark(rows: rows, repeats: options.repeats, scratch: scratch).run()
                case .apply:
                    try await ApplyBenchmark(rows: rows, repeats: options.repeats, scratch: scratch).run()
                    try await AggregateApplyBenchmark(rows: rows, repeats: options.repeats, scratch: scratch).run()
                case .wire:
                    try WireBenchmark(rows: rows, repeats: options.repeats, scratch: scratch).run()
                case .e2e:
                    guard let executable else { break }
                    say("# e2e daemons: \(executable)")
                    try await EndToEndBenchmark(rows: rows, executable: executable, timeout: options.timeout, scratch: scratch).run()
                case .resync:
                    guard let executable else { break }
                    try await ResyncBenchmark(rows: options.resyncRows, differing: options.resyncDiffer, executable: executable,
                                              timeout: options.timeout, scratch: scratch).run()
                case .reports:
                    try await ReportsBenchmark(customers: options.rows, repeats: options.repeats, scratch: scratch).run()
                }
            }
            if options.keep {
                say("# kept \(scratch.url.path)")
            } else {
                scratch.remove()
            }
        } catch {
            ChildProcesses.terminateAll()
            say("tiersync-bench: error: \(error)")
            exit(1)
        }
    }
}
