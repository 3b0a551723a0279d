import Foundation
import Testing
import TierSyncModel
import TierSyncWire

struct WireValueTests {
    @Test(arguments: [
        SQLValue.null, .integer(Int64.max), .integer(Int64.min), .integer(0), .real(0.1 + 0.2), .real(3.0),
        .real(-0.0), .text(""), .text("NULL"), .text("12"), .text("深圳 🙂"), .blob(Data([0, 255, 16])), .blob(Data()),
    ])
    func roundTripsExactly(_ value: SQLValue) throws {
        let data = try WireCoding.encode([WireValue(value)])
        let back = try WireCoding.decode([WireValue].self, from: data)
        #expect(back.first?.value == value)
        if case let .real(number) = value, case let .real(decoded)? = back.first?.value {
            #expect(number.bitPattern == decoded.bitPattern)
        }
    }

    @Test func realsAndIntegersStayApart() throws {
        #expect(String(decoding: try WireCoding.encode([WireValue(.real(3))]), as: UTF8.self) == #"[{"real":3}]"#)
        #expect(try WireCoding.decode([WireValue].self, from: Data("[3]".utf8)).first?.value == .integer(3))
    }

    @Test func aFractionWhereAnIntegerBelongsIsRefused() {
        #expect(throws: WireError.self) { try WireCoding.decode([WireValue].self, from: Data("[1.5]".utf8)) }
        #expect(throws: WireError.self) { try WireCoding.decode([WireValue].self, from: Data(#"[{"blob":"***"}]"#.utf8)) }
    }

    @Test func decodingErrorsNameTheField() {
        #expect {
            try WireCoding.decode(PushRequest.self, from: Data(#"{"node":"cn.gd.sz","after":0,"through":"x","columns":{},"changes":[]}"#.utf8))
        } throws: { error in
            "\(error)".hasPrefix("through:")
        }
    }

    @Test func columnsAreMappedByNameAndUnknownOnesRefused() throws {
        let schema = try SyncSchema(parsing: """
            [table.t]
            sql = "CREATE TABLE t(id TEXT PRIMARY KEY, a, scope TEXT)"
            concentrate = group
            """, fileName: "t")
        var table = schema.tables[0]
        table.columns = ["id", "a", "scope"]
        table.keyColumns = ["id"]
        let resolved = try SyncSchema(tables: [table])
        let change = WireChange(try Change.write(table, values: [.text("k"), .integer(1), .text("cn")],
                                                 version: Version(stamp: HybridTimestamp(millis: 1), origin: try NodeID("cn"))))
        let mapped = try WireCoding.changes([change], columns: ["t": ["id", "a", "scope"]], schema: resolved)
        #expect(mapped.first?.values == [.text("k"), .integer(1), .text("cn")])
        #expect(mapped.first?.meta == change.meta.meta)
        #expect(throws: WireError.self) { try WireCoding.changes([change], columns: ["t": ["scope", "b", "id"]], schema: resolved) }
        #expect(throws: WireError.self) { try WireCoding.changes([change], columns: ["t": ["scope", "id"]], schema: resolved) }
    }

    @Test func aResolutionCanChooseNullAndTheCommandLineReadsJSONOrText() throws {
        let null = try WireCoding.decode(ResolveRequest.self, from: Data(#"{"keep":"value","value":null}"#.utf8))
        #expect(try null.choice() == .value(.null))
        #expect(throws: WireError.self) { try WireCoding.decode(ResolveRequest.self, from: Data(#"{"keep":"value"}"#.utf8)).choice() }
        #expect(try ResolveRequest.parse("value=42") == .value(.integer(42)))
        #expect(try ResolveRequest.parse("value=\"42\"") == .value(.text("42")))
        #expect(try ResolveRequest.parse("value=gold card") == .value(.text("gold card")))
        #expect(try ResolveRequest.parse("remote") == .remote)
        #expect(throws: WireError.self) { try ResolveRequest.parse("mine") }
    }

    @Test func aBatchDecidedByOtherRulesIsRefused() throws {
        let customer = SyncSchema.standard.table(named: "customer")!
        #expect(customer.rulesSignature == "conflict=merge classes=tier credit_level=manual manager=tier unified_code=tier delete=later")
        #expect(throws: WireError.self) {
            try WireCoding.changes([], columns: [:], rules: ["customer": "conflict=lww delete=later"], schema: .standard)
        }
        #expect(try WireCoding.changes([], columns: [:], rules: ["customer": customer.rulesSignature], schema: .standard).isEmpty)
    }
}
