import Foundation
import Testing
import TierSyncReports

/// Reports over a small fixture, against figures worked out by hand (in the comments).
@Suite struct FixtureReportTests {
    /// Six customers in three cities of two provinces, and revenue for two months, with
    /// one revenue row (X9) of a customer the group does not hold.
    static func fixture() async throws -> ReportFixture {
        let fixture = try await ReportFixture()
        try await fixture.write("""
            INSERT INTO customer(id, unified_code, name, classes, industry, scope) VALUES
              ('C1', 'BC-1', 'Shenzhen Bank', 'important', 'finance', 'cn.gd.sz'),
              ('C2', 'BC-1', 'Shenzhen Bank Card', 'high-value,group', 'finance', 'cn.gd.sz'),
              ('C3', NULL, 'Guangzhou Power', 'high-value', 'energy', 'cn.gd.gz'),
              ('C4', 'BC-4', 'Nanjing Insurance', 'high-value', 'finance', 'cn.js.nj'),
              ('C5', 'BC-4', 'Nanjing Insurance East', 'high-value', 'finance', 'cn.js.nj'),
              ('C6', NULL, 'Nanjing Shop', NULL, NULL, 'cn.js.nj');
            INSERT INTO revenue VALUES
              ('C1', '2026-09', 'data', 1000, 'cn.gd.sz'), ('C1', '2026-09', 'voice', 500, 'cn.gd.sz'),
              ('C3', '2026-09', 'data', 2000, 'cn.gd.gz'), ('C4', '2026-09', 'line', 3500, 'cn.js.nj'),
              ('C1', '2026-10', 'data', 1500, 'cn.gd.sz'), ('C2', '2026-10', 'data', 700, 'cn.gd.sz'),
              ('C3', '2026-10', 'voice', 800, 'cn.gd.gz'), ('C4', '2026-10', 'line', 2500, 'cn.js.nj'),
              ('C5', '2026-10', 'data', 400, 'cn.js.nj'), ('X9', '2026-10', 'data', 600, 'cn.js.nj');
            """)
        return fixture
    }

    @Test func customersAndAccountsByProvinceAndClass() async throws {
        let fixture = try await Self.fixture()
        // cn.gd: C1, C2, C3 in three buckets, three accounts. cn.js: C4 and C5 share BC-4 in
        // one bucket (one account), C6 has no code (its own account).
        let byProvince = try await fixture.report(.customers)
        #expect(byProvince.texts == [["cn.gd", "3", "3"], ["cn.js", "3", "2"]])
        #expect(byProvince.totalTexts == ["total", "6", "5"])
        // C2 is high-value and group; C6 has no class.
        let byClass = try await fixture.report(.customers, by: "class")
        #expect(byClass.texts == [["(none)", "1", "1"], ["group", "1", "1"], ["high-value", "4", "3"], ["important", "1", "1"]])
        let byCity = try await fixture.report(.customers, by: "city,industry")
        #expect(byCity.texts == [["cn.gd.gz", "energy", "1", "1"], ["cn.gd.sz", "finance", "2", "2"],
                                 ["cn.js.nj", "(unknown)", "1", "1"], ["cn.js.nj", "finance", "2", "1"]])
    }

    @Test func revenueOfTheLatestPeriodByProvinceIndustryCategoryAndClass() async throws {
        let fixture = try await Self.fixture()
        // 2026-10: cn.gd 1500 + 700 + 800 = 3000; cn.js 2500 + 400 + 600 = 3500.
        let byProvince = try await fixture.report(.revenue)
        #expect(byProvince.period == "2026-10")
        #expect(byProvince.texts == [["cn.gd", "3000", "3"], ["cn.js", "3500", "3"]])
        #expect(byProvince.totalTexts == ["total", "6500", "6"])
        // finance: C1 1500 + C2 700 + C4 2500 + C5 400; X9 is not held: unknown.
        let byIndustry = try await fixture.report(.revenue, by: "industry")
        #expect(byIndustry.texts == [["(unknown)", "600", "1"], ["energy", "800", "1"], ["finance", "5100", "4"]])
        let byCategory = try await fixture.report(.revenue, by: "category")
        #expect(byCategory.texts == [["data", "3200", "4"], ["line", "2500", "1"], ["voice", "800", "1"]])
        // high-value: C2 700 + C3 800 + C4 2500 + C5 400; C2 also counts under group.
        let byClass = try await fixture.report(.revenue, by: "class")
        #expect(byClass.texts == [["(none)", "600", "1"], ["group", "700", "1"], ["high-value", "4400", "4"], ["important", "1500", "1"]])
        #expect(byClass.totalTexts == ["total", "6500", "6"])
        let september = try await fixture.report(.revenue, period: "2026-09", by: "province,industry")
        #expect(september.texts == [["cn.gd", "energy", "2000", "1"], ["cn.gd", "finance", "1500", "2"], ["cn.js", "finance", "3500", "1"]])
    }

    @Test func tablesNameMoneyInYuanInHeadersAndNotesAlike() async throws {
        let fixture = try await Self.fixture()
        for kind in [ReportKind.revenue, .arpu, .growth, .top] {
            let text = ReportText.render(try await fixture.report(kind))
            #expect(!text.contains("_fen (") && !text.contains("_fen:") && !text.contains("_fen ="), "\(kind): a note names a fen column that the table shows in yuan\n\(text)")
            #expect(text.contains("(yuan)") && text.contains("money in yuan"), "\(kind)\n\(text)")
            #expect(!text.contains("in fen (1/100 yuan); lines"), "\(kind)")
        }
        let csv = ReportCSV.render(try await fixture.report(.revenue))
        #expect(csv.contains("revenue_fen") && !csv.contains("(yuan)"), "CSV keeps fen and its column names")
    }

    @Test func revenueByPeriodCoversEveryPeriod() async throws {
        let fixture = try await Self.fixture()
        let trend = try await fixture.report(.revenue, by: "period")
        #expect(trend.period == nil)
        #expect(trend.texts == [["2026-09", "7000", "4"], ["2026-10", "6500", "6"]])
        #expect(trend.totalTexts == ["total", "13500", "10"])
        let byCityAndPeriod = try await fixture.report(.revenue, by: "city,period")
        #expect(byCityAndPeriod.texts.count == 6)
        #expect(byCityAndPeriod.texts.first == ["cn.gd.gz", "2026-09", "2000", "1"])
    }

    @Test func arpuAndArpaBySegment() async throws {
        let fixture = try await Self.fixture()
        // cn.gd: 3000 / 3 customers = 1000, / 3 accounts = 1000.
        // cn.js: 3500 / 3 = 1166.67 -> 1167, / 2 accounts = 1750. Total 6500 / 6 = 1083, / 5 = 1300.
        let byProvince = try await fixture.report(.arpu)
        #expect(byProvince.texts == [["cn.gd", "3000", "3", "3", "1000", "1000"], ["cn.js", "3500", "3", "2", "1167", "1750"]])
        #expect(byProvince.totalTexts == ["total", "6500", "6", "5", "1083", "1300"])
        // Industry: the unknown customer's revenue has no customer to divide by.
        let byIndustry = try await fixture.report(.arpu, period: "2026-09", by: "industry")
        #expect(byIndustry.texts == [["(unknown)", "0", "1", "1", "0", "0"], ["energy", "2000", "1", "1", "2000", "2000"],
                                     ["finance", "5000", "4", "3", "1250", "1667"]])
        let national = try await fixture.report(.arpu, by: "none")
        #expect(national.texts == [["6500", "6", "5", "1083", "1300"]])
    }

    @Test func growthAgainstThePreviousPeriod() async throws {
        let fixture = try await Self.fixture()
        // cn.gd: 3000 against 1000 + 500 + 2000 = 3500: -500, -14.3 %. cn.js: 3500 against 3500.
        let growth = try await fixture.report(.growth)
        #expect(growth.period == "2026-10" && growth.previousPeriod == "2026-09")
        #expect(growth.texts == [["cn.gd", "3000", "3500", "-500", "-14.3"], ["cn.js", "3500", "3500", "0", "0.0"]])
        #expect(growth.totalTexts == ["total", "6500", "7000", "-500", "-7.1"])
        // September has no August: growth is empty, not infinite.
        let first = try await fixture.report(.growth, period: "2026-09", by: "category")
        #expect(first.texts == [["data", "3000", "0", "3000", ""], ["line", "3500", "0", "3500", ""], ["voice", "500", "0", "500", ""]])
        // National: one row, the totals, and no second totals row that repeats it.
        let national = try await fixture.report(.growth, by: "none")
        #expect(national.texts == [["6500", "7000", "-500", "-7.1"]])
        #expect(national.totals == nil)
        #expect(ReportText.render(national).components(separatedBy: "\n").filter { $0.contains("65.00") }.count == 1)
    }

    @Test func topCustomersOfAPeriod() async throws {
        let fixture = try await Self.fixture()
        let top = try await fixture.report(.top, limit: "3")
        #expect(top.texts == [
            ["1", "C4", "Nanjing Insurance", "cn.js", "cn.js.nj", "finance", "2500"],
            ["2", "C1", "Shenzhen Bank", "cn.gd", "cn.gd.sz", "finance", "1500"],
            ["3", "C3", "Guangzhou Power", "cn.gd", "cn.gd.gz", "energy", "800"],
        ])
        let all = try await fixture.report(.top, period: "2026-10", limit: "100")
        #expect(all.texts.map { $0[1] } == ["C4", "C1", "C3", "C2", "X9", "C5"])
        #expect(all.texts[4][2] == "" && all.texts[4][5] == "(unknown)")
    }

    @Test func writesMoveTheFigures() async throws {
        let fixture = try await Self.fixture()
        // C3 moves to finance; X9 arrives as retail, potential; one line goes, one changes.
        try await fixture.write("""
            UPDATE customer SET industry = 'finance' WHERE id = 'C3';
            INSERT INTO customer(id, name, classes, industry, scope) VALUES ('X9', 'Nanjing Mart', 'potential', 'retail', 'cn.js.nj');
            DELETE FROM revenue WHERE customer_id = 'C5' AND period = '2026-10';
            UPDATE revenue SET amount_fen = 2000 WHERE customer_id = 'C4' AND period = '2026-10';
            """)
        let byIndustry = try await fixture.report(.revenue, by: "industry")
        // finance: 1500 + 700 + 800 (C3) + 2000 (C4); retail: X9 600.
        #expect(byIndustry.texts == [["finance", "5000", "4"], ["retail", "600", "1"]])
        let byClass = try await fixture.report(.revenue, by: "class")
        #expect(byClass.texts == [["group", "700", "1"], ["high-value", "3500", "3"], ["important", "1500", "1"], ["potential", "600", "1"]])
        // C1 leaves: its revenue stays, as unknown; its account goes (C2 keeps BC-1 in its own bucket).
        try await fixture.write("DELETE FROM customer WHERE id = 'C1'")
        let after = try await fixture.report(.revenue, by: "industry")
        #expect(after.texts == [["(unknown)", "1500", "1"], ["finance", "3500", "3"], ["retail", "600", "1"]])
        let customers = try await fixture.report(.customers)
        #expect(customers.texts == [["cn.gd", "2", "2"], ["cn.js", "4", "3"]])
        // What the triggers kept equals a build from the rows.
        let kept = try await fixture.aggregates()
        try await fixture.rebuild()
        #expect(try await fixture.aggregates() == kept)
    }

    @Test func badQueriesAreRefusedWithTheReason() async throws {
        let fixture = try await Self.fixture()
        await #expect(throws: ReportError.self) { try await fixture.report(.revenue, by: "class,industry") }
        #expect(throws: ReportError.self) { try ReportQuery.parse(name: "customers", period: "2026-10", by: nil, limit: nil) }
        #expect(throws: ReportError.self) { try ReportQuery.parse(name: "revenue", period: "2026-13", by: nil, limit: nil) }
        #expect(throws: ReportError.self) { try ReportQuery.parse(name: "top", period: nil, by: "province", limit: nil) }
        #expect(throws: ReportError.self) { try ReportQuery.parse(name: "top", period: nil, by: nil, limit: "0") }
        #expect(throws: ReportError.self) { try ReportQuery.parse(name: "sales", period: nil, by: nil, limit: nil) }
        do {
            _ = try ReportQuery.parse(name: "revenue", period: nil, by: "province,county", limit: nil)
            Issue.record("an unknown dimension was accepted")
        } catch {
            #expect("\(error)".contains("unknown dimension 'county'"))
        }
    }
}
