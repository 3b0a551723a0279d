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
