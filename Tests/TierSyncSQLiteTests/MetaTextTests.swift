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
}
