import Foundation
import Testing
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncTestTraits

/// The stored text of row metadata reads back as the metadata written, whatever the
/// values: escapes, extreme integers, reals bit for bit, blobs.
@Suite(.ownThread)
struct MetaTextTests {
    @Test func metadataReadsBackAsWritten() throws {
        let city = try NodeID("cn.gd.sz"), group = try NodeID("cn")
        let stamp: (Int64) -> HybridTimestamp = { HybridTimestamp(rawValue: $0) }
        let odd: [SQLValue] = [
            .text("quote \" backslash \\ tab \t newline \n bell \u{07} 深圳 😀"), .integer(Int64.min), .integer(Int64.max),
            .integer(0), .integer(-7), .real(0.1), .real(-1e300), .blob(Data([0, 0xAB, 0xFF])), .null,
        ]
        var meta = RowMeta(context: CausalContext([city: stamp(1_700_000_000_123), group: stamp(9)]))
        meta.existence = [Sibling(version: Version(stamp: stamp(5), origin: city), priority: 0, values: [.integer(0)])]
        meta.registers["*"] = [
            Sibling(version: Version(stamp: stamp(1_700_000_000_123), origin: city), priority: 2, values: nil),
            Sibling(version: Version(stamp: stamp(9), origin: group), priority: 1, values: odd),
        ]
        meta.registers["name \"quoted\""] = [Sibling(version: Version(stamp: stamp(3), origin: group), priority: 0, values: nil)]
        meta.bases["*"] = RegisterBase(version: Version(stamp: stamp(2), origin: group), values: odd)

        let text = MetaText.text(meta)
        let read = try MetaText.meta(text)
        #expect(read.context == meta.context)
        #expect(read.existence.map(\.version) == meta.existence.map(\.version))
        #expect(read.registers["*"] == meta.registers["*"]?.ranked(), "\(text)")
        #expect(read.registers["name \"quoted\""] == meta.registers["name \"quoted\""])
        #expect(read.bases == meta.bases, "\(text)")
        #expect(try MetaText.values(MetaText.text(odd)) == odd)
        #expect(try MetaText.context(MetaText.text(meta.context)) == meta.context)
    }

    /// Members in another order, space, and parts a later version may add are read; text
    /// that is not metadata is refused.
    @Test func metadataIsReadWhateverTheOrderAndSpacing() throws {
        let text = #" { "c" : { "a" : [ [7,"cn",1] , [5,"cn.gd",0,[1,{"real":"2.5"}],"extra"] ] }, "x": [1,{"y":2}], "e":[[7,"cn",0,1,9]], "v":{"cn":7,"cn.gd":5,"note":"skipped"}, "b":{} } "#
        let meta = try MetaText.meta(text)
        #expect(meta.context == CausalContext([try NodeID("cn"): HybridTimestamp(rawValue: 7), try NodeID("cn.gd"): HybridTimestamp(rawValue: 5)]))
        #expect(meta.isDeleted)
        #expect(meta.registers["a"]?.map(\.priority) == [1, 0])
        #expect(meta.registers["a"]?.last?.values == [.integer(1), .real(2.5)])
        #expect(try MetaText.meta(MetaText.empty) == RowMeta())
        for bad in ["", "[]", #"{"v":{"cn":1}"#, #"{"e":[[1,"cn"]]}"#, #"{"e":[[1,"NOT AN ID",0,0]]}"#, #"{"v":{}} x"#] {
            #expect(throws: (any Error).self, "\(bad)") { try MetaText.meta(bad) }
        }
    }

    /// Integers are read as 64-bit integers to their limits, anything else as a number;
    /// strings with and without escapes come back whole.
    @Test func numbersAndStringsParseAsBefore() throws {
        let cases: [(String, JSONText)] = [
            ("0", .integer(0)), ("-0", .integer(0)), ("007", .integer(7)), ("9223372036854775807", .integer(.max)),
            ("-9223372036854775808", .integer(.min)), ("9223372036854775808", .number(9223372036854775808)),
            ("1.5", .number(1.5)), ("-2e3", .number(-2000)), ("1E+2", .number(100)),
            (#""plain""#, .string("plain")), (#""a\"b\\c\n""#, .string("a\"b\\c\n")), (#""""#, .string("")),
            ("[1,-2,\"x\"]", .array([.integer(1), .integer(-2), .string("x")])),
        ]
        for (text, expected) in cases {
            #expect(try JSONText.parse(text) == expected, "\(text)")
        }
        for bad in ["-", "1-2", "--1", #""open"#] {
            #expect(throws: (any Error).self, "\(bad)") { try JSONText.parse(bad) }
        }
    }
}
