/// Why a benchmark run stopped.
enum BenchError: Error, CustomStringConvertible {
    /// The `tiersync` binary for the end-to-end benchmark is not there.
    case missingBinary(String)
    /// A bounded wait ran out.
    case timeout(String)
    /// A benchmark's result was not what it must be (rows lost, a daemon died, ...).
    case failed(String)

    /// What went wrong and what to do.
    var description: String {
        switch self {
        case let .missingBinary(message): message
        case let .timeout(message): "timed out: \(message)"
        case let .failed(message): message
        }
    }
}
