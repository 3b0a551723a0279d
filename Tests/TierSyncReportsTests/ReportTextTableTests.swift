import Testing
import TierSyncReports

/// The aligned table that reports and the demo's progress print.
struct ReportTextTableTests {
    @Test func cellsWiderThanTheirHeadingNeverRunIntoTheNextColumn() {
        // The demo at a large size: counts of seven and eight digits under short headings.
        let text = ReportText.table(
            header: ["node", "customer", "revenue", "backlog"],
            rows: [["cn", "1200000", "43200000/86400000", "0"], ["cn.gd.sz", "300000", "10800000", "12345678"]],
            rightAligned: [false, true, true, true])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        for line in lines {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(cells.count == 4, "every cell stands apart: \(line)")
        }
        // Right-aligned columns end at the same place on every line.
        let ends = lines.map { $0.count }
        #expect(Set(ends).count == 1, "\(text)")
        #expect(lines[1].contains("1200000  43200000/86400000"))
    }

    @Test func aShortRowIsPaddedOnlyAsFarAsItGoes() {
        let text = ReportText.table(header: ["node", "customer", "backlog"], rows: [["cn.js.nj", "(not answering)"]], rightAligned: [false, false, true])
        #expect(text.split(separator: "\n").last == "cn.js.nj  (not answering)")
    }
}
