import Foundation

/// A report as a table for a terminal: money in yuan with thousands separators, then the
/// freshness of each child and the definitions.
public enum ReportText {
    /// The text, with a trailing newline.
    public static func render(_ report: Report) -> String {
        var out = "\(report.title)\n\(report.node), made \(ReportTime.text(report.generatedAt))\n\n"
        let header = report.columns.map(heading)
        var body = report.rows.map { row in zip(row, report.columns).map { cell($0, $1.unit) } }
        if let totals = report.totals { body.append(zip(totals, report.columns).map { cell($0, $1.unit) }) }
        out += table(header: header, rows: body, rightAligned: report.columns.map { $0.unit != .text && $0.unit != .time })
        if report.rows.isEmpty { out += "(no rows)\n" }
        if !report.freshness.isEmpty && report.report != ReportKind.freshness.rawValue {
            out += "\nfreshness\n" + report.freshness.map { "  " + freshnessLine($0, now: report.generatedAt) + "\n" }.joined()
        }
        out += "\n" + notes(of: report).map { "- \($0)\n" }.joined()
        return out
    }

    /// The report's notes as a table shows them: money columns named as their headings
    /// (`revenue (yuan)`, not `revenue_fen`), then what the money figures are in.
    static func notes(of report: Report) -> [String] {
        let money = report.columns.filter { $0.unit == .fen }
        let notes = report.notes.map { note in money.reduce(note) { $0.replacingOccurrences(of: $1.name, with: heading($1)) } }
        guard !money.isEmpty else { return notes }
        return notes + ["money in yuan with two decimals; CSV and JSON give the same figures in fen (1/100 yuan), in the columns ending _fen"]
    }

    /// One child's freshness in one line.
    public static func freshnessLine(_ child: ChildFreshness, now: Date) -> String {
        let contact = child.lastContact.map { "last contact \(ReportTime.text($0)) (\(age(of: $0, now: now)) ago)" } ?? "never in contact"
        let newest = child.newestChange.map { "newest change \(ReportTime.text($0))" } ?? "no change received"
        let backlog = child.backlog.map { "backlog \($0)" } ?? "backlog unknown"
        return "\(child.node) \(child.state.rawValue): \(contact), \(newest), \(backlog)" + (child.lastError.map { ", last error: \($0)" } ?? "")
    }

    /// A duration such as `42 s`, `5 min`, `3 h` or `2 d`.
    public static func age(of date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<120: return "\(seconds) s"
        case ..<7200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h"
        default: return "\(seconds / 86400) d"
        }
    }

    /// A column's heading: money columns in yuan, without the unit suffix.
    static func heading(_ column: ReportColumn) -> String {
        switch column.unit {
        case .fen: column.name.replacingOccurrences(of: "_fen", with: "") + " (yuan)"
        case .percent: column.name.replacingOccurrences(of: "_pct", with: "") + " (%)"
        default: column.name.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// A value as a table shows it.
    public static func cell(_ value: ReportValue, _ unit: ReportColumn.Unit) -> String {
        switch (value, unit) {
        case (.null, _): "-"
        case let (.integer(fen), .fen): yuan(fen)
        case let (.integer(count), .count): grouped(String(count.magnitude), negative: count < 0)
        case let (.number(percent), .percent): String(format: "%.1f", percent)
        default: value.description
        }
    }

    /// Fen as yuan with two decimals and thousands separators: `1234567` is `12,345.67`.
    public static func yuan(_ fen: Int64) -> String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return grouped(String(magnitude / 100), negative: fen < 0) + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    private static func grouped(_ digits: String, negative: Bool) -> String {
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (negative ? "-" : "") + out
    }

    /// Aligned columns, two spaces apart, each as wide as its widest cell; a row may have
    /// fewer cells than the header. Ends with a newline.
    public static func table(header: [String], rows: [[String]], rightAligned: [Bool]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, text) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], text.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, text in
                let pad = String(repeating: " ", count: max(0, widths[index] - text.count))
                return rightAligned[index] ? pad + text : text + pad
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression) + "\n"
        }
        return ([line(header)] + rows.map(line)).joined()
    }
}
