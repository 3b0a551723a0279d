import Foundation
import Synchronization

/// Where the lines go: text on standard output, or with `--json` the figures as JSON lines
/// on standard output and the text on standard error.
enum Output {
    private static let jsonMode = Atomic<Bool>(false)

    /// Switches to JSON output (`--json`).
    static func useJSON() { jsonMode.store(true, ordering: .relaxed) }

    /// Whether figures go out as JSON.
    static var json: Bool { jsonMode.load(ordering: .relaxed) }

    /// Prints `figure` as one JSON line on standard output in JSON mode; nothing otherwise.
    static func emit(_ figure: Figure) {
        guard json else { return }
        writeJSON(figure)
    }

    /// Prints any encodable value as one JSON line on standard output (the run's header).
    static func writeJSON(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(value) else {
            FileHandle.standardError.write(Data("tiersync-bench: cannot encode a figure as JSON\n".utf8))
            return
        }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// Writes a line at once, even when it is redirected to a file (where `print` would hold it
/// in a buffer until exit): to standard output, or to standard error with `--json`.
func say(_ line: String) {
    (Output.json ? FileHandle.standardError : FileHandle.standardOutput).write(Data((line + "\n").utf8))
}

/// A result line: the benchmark's name in a column of 10, then its cells three spaces apart.
func resultLine(_ name: String, _ cells: [String]) -> String {
    name.padding(toLength: 10, withPad: " ", startingAt: 0) + cells.filter { !$0.isEmpty }.joined(separator: "   ")
}

/// A labelled rate cell, for example `plain  310000 rows/s`, the number right-aligned.
func rateCell(_ label: String, _ rate: Rate) -> String {
    "\(label) \(rightAligned(String(Int(rate.perSecond.rounded())), 7)) rows/s"
}

/// A bare rate, for example `310000 rows/s`.
func rateText(_ rate: Rate) -> String {
    "\(Int(rate.perSecond.rounded())) rows/s"
}

/// A number with two decimals.
func twoDecimals(_ value: Double) -> String {
    String(format: "%.2f", value)
}

/// Whether a figure meets its target, as the line's closing word.
func verdict(_ met: Bool) -> String {
    met ? "met" : "MISSED"
}

/// `text` padded on the left to `width` characters.
func rightAligned(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}
