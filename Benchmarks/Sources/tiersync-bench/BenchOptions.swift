import ArgumentParser
import Foundation

/// One of the benchmarks `tiersync-bench` runs.
enum BenchmarkKind: String, CaseIterable, Sendable {
    /// Local inserts and updates with and without the capture triggers.
    case capture
    /// `SQLiteStore.apply` against a plain upsert.
    case apply
    /// The row codec of a push: PushRequest encoding and decoding (`wire` is accepted too).
    case codec
    /// Three daemons over HTTP, city to group: inserts, then updates of every row.
    case e2e
    /// Latency of single writes from a city's commit to the group, at a steady rate.
    case latency
    /// Catalogue rows written at the group flowing down to a city.
    case down
    /// `tiersync resync` of a city with a few differing rows in a large table.
    case resync
    /// Report times over a national store (customers and 24 x 5 revenue rows each).
    case reports
    /// A parent serving many children at once: the group with 31 provinces, a province
    /// with 40 cities.
    case fanout
    /// A simulated national tree in one process (a group, 31 provinces, 340 cities) over
    /// in-process links and real stores: the time to converge after every city writes.
    case national
    /// The files under steady updates and turnover, with purging and without.
    case retention

    /// The kind named `name` on the command line; `wire` is the codec's former name.
    init?(argument name: String) {
        if name == "wire" { self = .codec } else { self.init(rawValue: name) }
    }

    /// Whether the benchmark starts `tiersync` daemons or commands.
    var needsDaemon: Bool {
        switch self {
        case .e2e, .latency, .down, .resync, .fanout: true
        case .capture, .apply, .codec, .reports, .national, .retention: false
        }
    }
}

/// A whole number on the command line, which may be written with `_` separators
/// (`1_000_000`), and must be positive.
struct PositiveCount: ExpressibleByArgument, Sendable {
    /// The number.
    let value: Int

    /// Parses `argument`; nil (a usage error naming the option) when it is not a positive
    /// whole number.
    init?(argument: String) {
        guard let number = Int(argument.replacingOccurrences(of: "_", with: "")), number > 0 else { return nil }
        value = number
    }

    /// The number as written.
    init(_ value: Int) { self.value = value }

    /// Shown as the default in the help.
    var defaultValueDescription: String { String(value) }
}

/// A list of benchmarks on the command line, comma-separated.
struct BenchmarkList: ExpressibleByArgument, Sendable {
    /// The benchmarks, in the order they run (the order of ``BenchmarkKind``).
    let kinds: [BenchmarkKind]

    /// Parses `capture,apply,...`; nil when a name is unknown.
    init?(argument: String) {
        var named: [BenchmarkKind] = []
        for name in argument.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let kind = BenchmarkKind(argument: name) else { return nil }
            named.append(kind)
        }
        guard !named.isEmpty else { return nil }
        kinds = BenchmarkKind.allCases.filter(named.contains)
    }

    /// Every benchmark.
    init() { kinds = BenchmarkKind.allCases }

    /// Shown as the default in the help.
    var defaultValueDescription: String { "all" }
}

/// The command-line options of `tiersync-bench`.
struct BenchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Rows per benchmark; for reports, customers (each with 24 months x 5 categories of revenue).", valueName: "N"))
    var rows = PositiveCount(100_000)

    @Option(help: ArgumentHelp(
        "Run only these benchmarks, comma-separated: \(BenchmarkKind.allCases.map(\.rawValue).joined(separator: ", ")) (wire is codec).",
        valueName: "LIST"))
    var only = BenchmarkList()

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Runs of each in-process figure; the median is printed (the daemon figures run once).", valueName: "N"))
    var repeats = PositiveCount(3)

    @Option(help: ArgumentHelp(
        "The tiersync binary the daemon figures start (default ../.build/release/tiersync, then .build/release/tiersync, relative to the Benchmarks directory).",
        valueName: "PATH"))
    var tiersync: String?

    @Option(help: ArgumentHelp("Seconds each daemon figure waits for its rows to arrive before it fails; for national, from the first round until every node holds its rows.", valueName: "SECONDS"))
    var timeout: Double = 120

    @Flag(help: "Keep the scratch directory (databases, configurations, daemon logs).")
    var keep = false

    @Flag(help: "Print every figure as one JSON object per line on standard output; the text goes to standard error.")
    var json = false

    @Option(name: .customLong("down-rows"), help: ArgumentHelp("Catalogue (product) rows written at the group in the down figure.", valueName: "N"))
    var downRows = PositiveCount(1_000_000)

    @Option(name: .customLong("latency-seconds"), help: ArgumentHelp("How long the latency figure writes at the city.", valueName: "SECONDS"))
    var latencySeconds: Double = 15

    @Option(name: .customLong("latency-rate"), help: ArgumentHelp("Writes per second at the city in the latency figure.", valueName: "N"))
    var latencyRate: Double = 20

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Run the PostgreSQL peer (pg-cascade.py) in the e2e figure. By default it runs when PostgreSQL is installed and is skipped with a note otherwise; --postgres makes a missing PostgreSQL an error."))
    var postgres: Bool?

    @Option(name: .customLong("fanout-rows"), help: ArgumentHelp("Customers each child writes in the fanout figure; the parent writes as many rows down.", valueName: "N"))
    var fanoutRows = PositiveCount(1000)

    @Option(name: .customLong("resync-rows"), help: ArgumentHelp("Rows of the city's table in the resync figure.", valueName: "N"))
    var resyncRows = PositiveCount(1_000_000)

    @Option(name: .customLong("resync-differ"), help: ArgumentHelp("Rows that differ between city and province there.", valueName: "N"))
    var resyncDiffer = PositiveCount(100)

    @Option(name: .customLong("national-cities"), help: ArgumentHelp("Cities of the national figure, spread evenly over the tree file's provinces.", valueName: "N"))
    var nationalCities = PositiveCount(340)

    @Option(name: .customLong("national-rows"), help: ArgumentHelp("Customers each city writes in the national figure.", valueName: "N"))
    var nationalRows = PositiveCount(100)

    @Option(name: .customLong("national-concurrency"), help: ArgumentHelp("Children syncing at once in the national figure.", valueName: "N"))
    var nationalConcurrency = PositiveCount(8)

    @Option(name: .customLong("national-rounds"), help: ArgumentHelp("Rounds the national figure runs at most before it fails.", valueName: "N"))
    var nationalRounds = PositiveCount(10)

    @Option(name: .customLong("retention-rows"), help: ArgumentHelp("Customers the city holds in the retention figure.", valueName: "N"))
    var retentionRows = PositiveCount(10_000)

    @Option(name: .customLong("retention-steps"), help: ArgumentHelp("Steps of updates and turnover in the retention figure.", valueName: "N"))
    var retentionSteps = PositiveCount(10)

    @Option(name: .customLong("national-tree"), help: ArgumentHelp(
        "The tree file whose group, provinces and cities the national figure starts from (default ../Deploy/national.tree, relative to the Benchmarks directory).",
        valueName: "PATH"))
    var nationalTree: String?

    /// Checks the numbers that are not counts.
    mutating func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout needs a positive number of seconds, got \(timeout)") }
        guard latencySeconds > 0 else { throw ValidationError("--latency-seconds needs a positive number of seconds, got \(latencySeconds)") }
        guard latencyRate > 0, latencyRate <= 1000 else { throw ValidationError("--latency-rate needs a number of writes per second from 1 to 1000, got \(latencyRate)") }
    }

    /// The benchmarks to run, in order.
    var selected: [BenchmarkKind] { only.kinds }

    /// The tree file of the national figure: `--national-tree`, or the sample national tree.
    var nationalTreeFile: String {
        nationalTree ?? Self.benchmarksDirectory.appendingPathComponent("../Deploy/national.tree").standardized.path
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
            the daemon figures need a release build of tiersync, and none is at
              \(candidates.joined(separator: "\n  "))
            build one with
              (cd \(base.deletingLastPathComponent().standardized.path) && swift build -c release --product tiersync)
            or, without touching the main package's .build, from the Benchmarks directory:
              swift build -c release --product tiersync
            or pass --tiersync PATH (or skip the daemons with --only capture,apply,codec,reports)
            """)
    }
}
