import Foundation

/// One of the benchmarks `tiersync-bench` runs.
enum BenchmarkKind: String, CaseIterable, Sendable {
    /// Local inserts with and without the capture triggers.
    case capture
    /// `SQLiteStore.apply` against a plain upsert.
    case apply
    /// PushRequest JSON encoding and decoding.
    case wire
    /// Three daemons over HTTP, city to group.
    case e2e
    /// `tiersync resync` of a city with a few differing rows in a large table.
    case resync
    /// Report times over a national store (customers and 24 x 5 revenue rows each).
    case reports
}

/// The command-line options of `tiersync-bench`.
struct BenchOptions: Sendable {
    /// Rows per benchmark (`--rows`). The default is 100000.
    var rows = 100_000
    /// The benchmarks to run, in order (`--only`, comma-separated). The default is all.
    var selected: [BenchmarkKind] = BenchmarkKind.allCases
    /// The `tiersync` binary the end-to-end benchmark starts (`--tiersync`).
    var tiersync: String?
    /// Runs per in-process figure; the median is printed (`--repeat`). The default is 3.
    var repeats = 3
    /// Seconds the end-to-end benchmark waits for convergence before failing (`--timeout`).
    /// The default is 120.
    var timeout: Double = 120
    /// Keep the scratch directory (databases, configurations, daemon logs) (`--keep`).
    var keep = false
    /// Rows of the city's table in the resync benchmark (`--resync-rows`). The default is 1000000.
    var resyncRows = 1_000_000
    /// Rows that differ between the city and its province (`--resync-differ`). The default is 100.
    var resyncDiffer = 100
    /// Print the usage and exit (`--help`).
    var help = false

    /// The usage text.
    static let usage = """
        usage: tiersync-bench [--rows N] [--only capture|apply|wire|e2e|resync|reports[,...]] [--repeat N]
                              [--tiersync PATH] [--timeout SECONDS] [--keep]
                              [--resync-rows N] [--resync-differ N]

          --rows N          rows per benchmark (default 100000); for reports, customers
                            (each with 24 months x 5 categories of revenue)
          --only LIST       run only these benchmarks, comma-separated (default: all six)
          --resync-rows N   rows of the city's table in the resync benchmark (default 1000000)
          --resync-differ N rows that differ between city and province there (default 100)
          --repeat N        runs per in-process figure, median printed (default 3; e2e runs once)
          --tiersync PATH   the release `tiersync` binary for e2e
                            (default ../.build/release/tiersync, then .build/release/tiersync,
                            relative to the Benchmarks directory)
          --timeout SECONDS how long e2e waits for the group to hold every row (default 120)
          --keep            keep the scratch directory with databases and daemon logs
        """

    /// Parses the arguments after the program name.
    /// - Throws: ``BenchError/usage(_:)`` naming the bad option.
    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
            return next
        }
        func positive(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text.replacingOccurrences(of: "_", with: "")), number > 0 else {
                throw BenchError.usage("\(flag) needs a positive whole number, got '\(text)'")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--rows": options.rows = try positive(argument)
            case "--repeat": options.repeats = try positive(argument)
            case "--resync-rows": options.resyncRows = try positive(argument)
            case "--resync-differ": options.resyncDiffer = try positive(argument)
            case "--tiersync": options.tiersync = try value(argument)
            case "--keep": options.keep = true
            case "--help", "-h": options.help = true
            case "--timeout":
                let text = try value(argument)
                guard let seconds = Double(text), seconds > 0 else {
                    throw BenchError.usage("--timeout needs a positive number of seconds, got '\(text)'")
                }
                options.timeout = seconds
            case "--only":
                let names = try value(argument).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                var kinds: [BenchmarkKind] = []
                for name in names {
                    guard let kind = BenchmarkKind(rawValue: name) else {
                        throw BenchError.usage("--only takes \(BenchmarkKind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
                    }
                    kinds.append(kind)
                }
                options.selected = BenchmarkKind.allCases.filter(kinds.contains)
            default:
                throw BenchError.usage("unknown option '\(argument)'")
            }
        }
        return options
    }

    /// The Benchmarks package directory, found from this source file's location.
    static var benchmarksDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `tiersync` binary to start: `--tiersync`, or the first release build found.
    /// - Throws: ``BenchError/missingBinary(_:)`` saying how to build one.
    func tiersyncExecutable() throws -> String {
        let files = FileManager.default
        if let tiersync {
            guard files.isExecutableFile(atPath: tiersync) else {
                throw BenchError.missingBinary("--tiersync \(tiersync) is not an executable file")
            }
            return tiersync
        }
        let base = Self.benchmarksDirectory
        let candidates = [
            base.appendingPathComponent("../.build/release/tiersync").standardized.path,
            base.appendingPathComponent(".build/release/tiersync").standardized.path,
        ]
        if let found = candidates.first(where: files.isExecutableFile(atPath:)) { return found }
        throw BenchError.missingBinary("""
            the e2e benchmark needs a release build of tiersync, and none is at
              \(candidates.joined(separator: "\n  "))
            build one with
              (cd \(base.deletingLastPathComponent().standardized.path) && swift build -c release --product tiersync)
            or, without touching the main package's .build, from the Benchmarks directory:
              swift build -c release --product tiersync
            or pass --tiersync PATH (or skip the daemons with --only capture,apply,wire)
            """)
    }
}
