/// A report as CSV (RFC 4180): a header of column names, then one line per row with the
/// values as in JSON (money in fen). The totals line follows the rows; the freshness of
/// each child follows as lines starting with `#`, which CSV readers can skip as comments.
public enum ReportCSV {
    /// The CSV text, lines ended by CRLF.
    public static func render(_ report: Report) -> String {
        var lines = [report.columns.map { field($0.name) }.joined(separator: ",")]
        for row in report.rows + (report.totals.map { [$0] } ?? []) {
            lines.append(row.map { field($0.description) }.joined(separator: ","))
        }
        for child in report.freshness {
            lines.append("# " + ReportText.freshnessLine(child, now: report.generatedAt))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One field, quoted when it holds a comma, a quote, a line break or leading `#`.
    static func field(_ text: String) -> String {
        guard text.contains(where: { ",\"\r\n".contains($0) }) || text.hasPrefix("#") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
