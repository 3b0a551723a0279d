import Foundation

/// Writes a line to standard output at once, even when it is redirected to a file (where
/// `print` would hold it in a buffer until exit).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A result line: the benchmark's name in a column of 10, then its cells three spaces apart.
func resultLine(_ name: String, _ cells: [String]) -> String {
    name.padding(toLength: 10, withPad: " ", startingAt: 0) + cells.joined(separator: "   ")
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
