import Foundation

/// A throughput: rows handled in a number of seconds.
struct Rate: Sendable {
    /// The rows handled.
    let rows: Int
    /// The wall-clock seconds taken.
    let seconds: Double

    /// Rows per second.
    var perSecond: Double { seconds > 0 ? Double(rows) / seconds : .infinity }

    /// The median of several runs' rates (the lower middle one for an even count).
    static func median(_ rates: [Rate]) -> Rate {
        let sorted = rates.sorted { $0.perSecond < $1.perSecond }
        return sorted[(sorted.count - 1) / 2]
    }
}

/// Measures wall-clock time with the monotonic clock.
struct Stopwatch {
    private let start = ContinuousClock.now

    /// Starts timing now.
    init() {}

    /// Seconds since the stopwatch started.
    var seconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Runs `body` once and returns the rate of `rows` over its duration.
func measure(rows: Int, _ body: () throws -> Void) rethrows -> Rate {
    let watch = Stopwatch()
    try body()
    return Rate(rows: rows, seconds: watch.seconds)
}

/// Runs the asynchronous `body` once and returns the rate of `rows` over its duration.
func measureAsync(rows: Int, _ body: () async throws -> Void) async rethrows -> Rate {
    let watch = Stopwatch()
    try await body()
    return Rate(rows: rows, seconds: watch.seconds)
}

/// The CPU time (user and system) this process has used, in seconds. On a machine shared
/// with other work it moves far less than wall-clock time does.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

extension Rate {
    /// The rate as a figure's measure, in rows/s.
    func measure(_ name: String) -> Figure.Measure {
        Figure.Measure(name, perSecond, "rows/s")
    }
}
