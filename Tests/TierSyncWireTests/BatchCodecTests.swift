import Foundation
import Testing
import TierSyncModel
import TierSyncWire

/// The batch form carries exactly what JSON carries, and refuses what is not a batch.
struct BatchCodecTests {
    private let table = TableSchema(name: "customer", createSQL: "", concentration: .group, conflict: .merge,
                                    columns: ["id", "name", "score", "photo", "scope"], keyColumns: ["id"])

    private func version(_ millis: Int64, _ origin: String) throws -> Version {
        Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin))
    }

    /// Changes that use every field: values of each type, a deletion, a moved row with a
    /// source, losing writes with values, bases, and a context of several writers.
    private func changes() throws -> [WireChange] {
        let values: [SQLValue] = [.text("SZ-1"), .text("深圳 \"Port\" 🙂"), .real(-0.0), .blob(Data([0, 255, 16])), .text("cn.gd.sz")]
        var written = try Change.write(table, values: values, version: try version(2000, "cn.gd.sz"))
        var extremes = try Change.write(table, values: [.text("SZ-2"), .null, .integer(Int64.min), .integer(Int64.max), .text("cn.gd.sz")],
                                        version: try version(1000, "cn.gd.sz"))
        extremes.values?[2] = .integer(Int64.min)
        written.source = try NodeID("cn.gd")
        written.previousScope = try NodeID("cn.gd.gz")
        written.meta.context.record(try version(1500, "cn"))
        written.meta.registers["name"]!.append(Sibling(version: try version(1500, "cn"), priority: 2, values: [.text("group's")]))
        written.meta.bases["score"] = RegisterBase(version: try version(900, "cn.gd.sz"), values: [.real(1.5)])
        let deleted = try Change.write(table, values: values, deleted: true, version: try version(3000, "cn.gd"))
        return [WireChange(written), WireChange(extremes), WireChange(deleted)]
    }

    private func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try WireCoding.encode(value), as: UTF8.self)
    }

    @Test func aPushDecodesToWhatItsJSONSays() throws {
        let request = PushRequest(node: "cn.gd.sz", after: 17, through: 9_000_000_000, columns: ["customer": table.columns],
                                  rules: ["customer": table.rulesSignature], changes: try changes())
        let data = BatchCodec.encode(request)
        #expect(Array(data.prefix(5)) == [0x54, 0x53, 0x42, 0x01, 0x01])
        #expect(try json(BatchCodec.decodePush(data)) == json(request))
        let withoutRules = PushRequest(node: "cn.gd.sz", after: 0, through: 0, columns: [:], changes: [])
        #expect(try json(BatchCodec.decodePush(BatchCodec.encode(withoutRules))) == json(withoutRules))
        #expect(data.count < (try WireCoding.encode(request)).count, "the batch form is smaller than JSON")
    }

    @Test func aPullAnswerDecodesToWhatItsJSONSays() throws {
        let eviction = WireEviction(Eviction(table: "customer", key: [.text("SZ-9")], scope: try NodeID("cn.gd.sz"),
                                             context: CausalContext([try NodeID("cn"): HybridTimestamp(millis: 5)]), source: try NodeID("cn.gd")))
        for (resync, evictions) in [(nil, nil), (true, [eviction]), (nil, [WireEviction]())] as [(Bool?, [WireEviction]?)] {
            let answer = PullResponse(epoch: "e-1", head: 40, through: 39, more: resync == nil, columns: ["customer": table.columns],
                                      changes: try changes(), resync: resync, evictions: evictions)
            let data = BatchCodec.encode(answer)
            #expect(data[4] == 2)
            #expect(try json(BatchCodec.decodePull(data)) == json(answer))
        }
    }

    @Test func theSchemaVersionTravelsInTheHeaderMarker() throws {
        let request = PushRequest(node: "cn.gd.sz", after: 0, through: 3, columns: ["customer": table.columns],
                                  rules: ["customer": table.rulesSignature], changes: try changes(), schema: 3)
        #expect(try BatchCodec.decodePush(BatchCodec.encode(request)).schema == 3)
        #expect(try json(BatchCodec.decodePush(BatchCodec.encode(request))) == json(request))
        let answer = PullResponse(epoch: "e", head: 1, through: 1, more: false, columns: [:], changes: [], schema: 2)
        #expect(try BatchCodec.decodePull(BatchCodec.encode(answer)).schema == 2)
        // Without rules or a version the marker is 0, as a batch of the first schema always
        // had it; an undefined bit, or a version of 0, is refused.
        let bare = PushRequest(node: "n", after: 0, through: 0, columns: [:], changes: [])
        let data = BatchCodec.encode(bare)
        #expect(data[data.count - 2] == 0, "the marker, before the change count")
        var undefined = data
        undefined[undefined.count - 2] = 4
        #expect { try BatchCodec.decodePush(undefined) } throws: { "\($0)".contains("no other bit is defined") }
        var zero = data
        zero.replaceSubrange((zero.count - 2)..<(zero.count - 1), with: [2, 0])
        #expect { try BatchCodec.decodePush(zero) } throws: { "\($0)".contains("it must be from 1 to 2147483647") }
    }

    @Test func aBodyThatIsNotABatchIsRefusedWithTheReason() throws {
        let request = PushRequest(node: "cn.gd.sz", after: 0, through: 3, columns: ["customer": table.columns], changes: try changes())
        let data = BatchCodec.encode(request)
        #expect { try BatchCodec.decodePush(Data("{\"node\":1}".utf8)) } throws: { "\($0)".contains("not a TierSync batch") }
        #expect { try BatchCodec.decodePull(data) } throws: { "\($0)".contains("this request takes kind 2") }
        #expect { try BatchCodec.decodePush(data + Data([0])) } throws: { "\($0)".contains("1 byte(s) after its last field") }
        // Every truncation is an error, never a crash or a partial message.
        for length in 5..<data.count {
            #expect(throws: WireError.self) { try BatchCodec.decodePush(data.prefix(length)) }
        }
        // A count far beyond the bytes that remain is refused before anything is allocated.
        var forged = Data(BatchCodec.encode(PushRequest(node: "n", after: 0, through: 0, columns: [:], changes: [])))
        forged.replaceSubrange(5..<6, with: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect { try BatchCodec.decodePush(forged) } throws: { "\($0)".contains("reading the name table") }
    }

    @Test func aNameThatIsNotANodeIdIsRefused() throws {
        var change = try changes()[0]
        change.meta.meta.context = CausalContext()
        let request = PushRequest(node: "cn.gd.sz", after: 0, through: 1, columns: [:], changes: [change])
        var data = BatchCodec.encode(request)
        // The name table holds "cn.gd.sz" first; make it an id no node can have.
        let at = try #require(data.firstRange(of: Data("cn.gd.sz".utf8)))
        data.replaceSubrange(at, with: Data("CN.GD.SZ".utf8))
        #expect { try BatchCodec.decodePush(data) } throws: { "\($0)".contains("'CN.GD.SZ' is not a node id") }
    }

    @Test(arguments: ["application/vnd.tiersync.batch", "Application/VND.TierSync.Batch; q=1", "application/vnd.tiersync.batch, application/json;q=0.5"])
    func theFormIsRecognisedByItsMediaType(_ header: String) {
        #expect(BatchCodec.isNamed(in: header))
    }

    @Test func otherMediaTypesAreJSON() {
        #expect(!BatchCodec.isNamed(in: nil))
        #expect(!BatchCodec.isNamed(in: "application/json"))
    }

    /// The example of Protocols/BATCH.md section 8, byte for byte, both ways.
    @Test func theDocumentedExampleIsWhatTheCodecWrites() throws {
        let hex = """
            54 53 42 01 01 04 08 63 6e 2e 67 64 2e 73 7a 01 74 02 69 64 05 73 63 6f 70 65 00 00 02 01 01 02 02 03 00
            01 04 01 01 03 02 4b 31 02 03 02 4b 31 03 08 63 6e 2e 67 64 2e 73 7a 02 00 00 01 00 02 01 02 00 00 00
            """
        let bytes = Data(hex.split(whereSeparator: \.isWhitespace).map { UInt8($0, radix: 16)! })
        let city = try NodeID("cn.gd.sz")
        var meta = RowMeta(context: CausalContext([city: HybridTimestamp(rawValue: 1)]))
        meta.existence = [Sibling(version: Version(stamp: HybridTimestamp(rawValue: 1), origin: city), priority: 0, values: [.integer(0)])]
        let change = WireChange(table: "t", key: [WireValue(.text("K1"))], values: [WireValue(.text("K1")), WireValue(.text("cn.gd.sz"))],
                                deleted: nil, stamp: 1, origin: "cn.gd.sz", source: nil, meta: WireMeta(meta), scope: "cn.gd.sz", previousScope: nil)
        let request = PushRequest(node: "cn.gd.sz", after: 0, through: 1, columns: ["t": ["id", "scope"]], changes: [change])
        #expect(BatchCodec.encode(request) == bytes)
        #expect(try json(BatchCodec.decodePush(bytes)) == json(request))
    }

    /// A parent from before the batch form reads every push body as JSON: its refusal says
    /// the body is not valid JSON, which is what makes a child fall back to JSON.
    @Test func aParentReadingJSONSaysABatchIsNotValidJSON() throws {
        let data = BatchCodec.encode(PushRequest(node: "cn.gd.sz", after: 0, through: 1, columns: ["customer": table.columns], changes: try changes()))
        #expect { try WireCoding.decode(PushRequest.self, from: data) } throws: { "\($0)".contains("not valid JSON") }
    }
}
