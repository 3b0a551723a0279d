import Foundation
import TierSyncModel

/// The text form of row metadata and row values in the change log, as the capture triggers
/// write it with SQLite's JSON functions:
///
/// ```
/// {"v":{"cn.gd.sz":123},                 context: latest stamp per writer
///  "e":[[123,"cn.gd.sz",0,0]],           existence siblings: stamp, origin, priority, deleted
///  "c":{"*":[[123,"cn.gd.sz",0]]},       content registers: winner first, losers with values
///  "b":{"*":[120,"cn.gd.sz",[...]]}}     bases: replaced stamp, origin, values
/// ```
/// A value is null, an integer, a string, `{"real":"<17 significant digits>"}` or
/// `{"hex":"<bytes>"}`, so reals and blobs come back bit for bit.
enum MetaText {
    /// The metadata of an entry with none recorded (an empty object).
    static let empty = #"{"v":{},"e":[],"c":{},"b":{}}"#

    /// Parses stored metadata, member by member straight into ``RowMeta`` (this runs for
    /// every entry read or applied). Members may come in any order; unknown ones are skipped.
    static func meta(_ text: String) throws -> RowMeta {
        var parser = JSONText.Parser(text)
        var meta = RowMeta()
        try parser.expect(UInt8(ascii: "{"))
        var first = true
        while let member = try parser.nextKey(&first) {
            switch member {
            case "v":
                meta.context = try context(&parser)
            case "e":
                try parser.expect(UInt8(ascii: "["))
                var firstSibling = true
                while try parser.nextElement(&firstSibling) {
                    try parser.expect(UInt8(ascii: "["))
                    var sibling = try sibling(&parser)
                    try parser.expect(UInt8(ascii: ","))
                    sibling.values = [.integer(try parser.integer() != 0 ? 1 : 0)]
                    try skipRest(&parser)
                    meta.existence.append(sibling)
                }
            case "c":
                try parser.expect(UInt8(ascii: "{"))
                var firstRegister = true
                while let name = try parser.nextKey(&firstRegister) {
                    var siblings: [Sibling] = []
                    try parser.expect(UInt8(ascii: "["))
                    var firstSibling = true
                    while try parser.nextElement(&firstSibling) {
                        try parser.expect(UInt8(ascii: "["))
                        var sibling = try sibling(&parser)
                        var more = false
                        if try parser.nextElement(&more) {
                            sibling.values = try values(parser.value())
                            try skipRest(&parser)
                        }
                        siblings.append(sibling)
                    }
                    meta.registers[name] = siblings
                }
            case "b":
                guard case let .object(bases) = try parser.value() else { continue }
                for (name, base) in bases {
                    guard case let .array(parts) = base, parts.count >= 3, case let .integer(stamp) = parts[0], case let .string(origin) = parts[1],
                          let origin = try? NodeID(origin) else { continue }
                    meta.bases[name] = RegisterBase(version: Version(stamp: HybridTimestamp(rawValue: stamp), origin: origin), values: try values(parts[2]))
                }
            default:
                _ = try parser.value()
            }
        }
        try parser.end()
        return meta
    }

    /// `stamp,"origin",priority` of a sibling whose `[` was read.
    private static func sibling(_ parser: inout JSONText.Parser) throws -> Sibling {
        let stamp = try parser.integer()
        try parser.expect(UInt8(ascii: ","))
        let origin = try NodeID(try parser.text())
        try parser.expect(UInt8(ascii: ","))
        let priority = try parser.integer()
        return Sibling(version: Version(stamp: HybridTimestamp(rawValue: stamp), origin: origin), priority: Int(priority), values: nil)
    }

    /// Skips what a sibling's array holds beyond the parts read, and its `]`.
    private static func skipRest(_ parser: inout JSONText.Parser) throws {
        var first = false
        while try parser.nextElement(&first) { _ = try parser.value() }
    }

    /// Reads a causal context's object of stamps by writer; members that are not integers
    /// are skipped.
    private static func context(_ parser: inout JSONText.Parser) throws -> CausalContext {
        try parser.expect(UInt8(ascii: "{"))
        var stamps: [NodeID: HybridTimestamp] = [:]
        var first = true
        while let node = try parser.nextKey(&first) {
            guard case let .integer(value) = try parser.value() else { continue }
            stamps[try NodeID(node)] = HybridTimestamp(rawValue: value)
        }
        return CausalContext(stamps)
    }

    /// Parses the stored text of a causal context: a JSON object of stamps by writer, as
    /// the `v` member of metadata and an eviction record's `context` hold it.
    static func context(_ text: String) throws -> CausalContext {
        var parser = JSONText.Parser(text)
        let context = try context(&parser)
        try parser.end()
        return context
    }

    /// The stored text of a causal context.
    static func text(_ context: CausalContext) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        write(context, to: &out)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The members of a context's JSON object, without its braces.
    private static func write(_ context: CausalContext, to out: inout [UInt8]) {
        for (index, entry) in context.stamps.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(entry.key.description, to: &out)
            out.append(UInt8(ascii: ":"))
            KeyText.appendInteger(entry.value.rawValue, to: &out)
        }
    }

    /// The stored text of metadata. Each register's winner is written without values: its
    /// values are the row's. Written byte by byte into one buffer, turned into a string
    /// once: this runs for every row applied.
    static func text(_ meta: RowMeta) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(96 + 64 * meta.registers.count)
        append("{\"v\":{", to: &out)
        write(meta.context, to: &out)
        append("},\"e\":[", to: &out)
        for (index, sibling) in ranked(meta.existence).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(sibling, to: &out)
            append(sibling.values == [.integer(1)] ? ",1]" : ",0]", to: &out)
        }
        append("],\"c\":{", to: &out)
        for (index, register) in meta.registers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(register.key, to: &out)
            append(":[", to: &out)
            for (offset, sibling) in ranked(register.value).enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                write(sibling, to: &out)
                if offset > 0, let values = sibling.values {
                    out.append(UInt8(ascii: ","))
                    write(values, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
        append("},\"b\":{", to: &out)
        for (index, base) in meta.bases.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(base.key, to: &out)
            append(":[", to: &out)
            KeyText.appendInteger(base.value.version.stamp.rawValue, to: &out)
            out.append(UInt8(ascii: ","))
            appendString(base.value.version.origin.description, to: &out)
            out.append(UInt8(ascii: ","))
            write(base.value.values, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        append("}}", to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The siblings winner first; one sibling, the usual case, is not sorted.
    private static func ranked(_ siblings: [Sibling]) -> [Sibling] {
        siblings.count < 2 ? siblings : siblings.ranked()
    }

    /// `[stamp,"origin",priority` of a sibling, left open for what follows.
    private static func write(_ sibling: Sibling, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        KeyText.appendInteger(sibling.version.stamp.rawValue, to: &out)
        out.append(UInt8(ascii: ","))
        appendString(sibling.version.origin.description, to: &out)
        out.append(UInt8(ascii: ","))
        KeyText.appendInteger(Int64(sibling.priority), to: &out)
    }

    /// Appends ASCII text given as a literal.
    @inline(__always)
    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a JSON string, escaped as SQLite's JSON functions escape it.
    @inline(__always)
    static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { KeyText.appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Parses a stored array of values.
    static func values(_ text: String) throws -> [SQLValue] {
        try values(JSONText.parse(text))
    }

    static func values(_ node: JSONText) throws -> [SQLValue] {
        guard case let .array(items) = node else { throw JSONText.Malformed(offset: 0, reason: "values are not an array") }
        return try items.map(value)
    }

    static func value(_ node: JSONText) throws -> SQLValue {
        switch node {
        case .null: return .null
        case let .integer(value): return .integer(value)
        case let .number(value): return .real(value)
        case let .string(value): return .text(value)
        case let .object(tagged):
            if case let .string(text)? = tagged["real"], let real = Double(text) { return .real(real) }
            if case let .number(real)? = tagged["real"] { return .real(real) }
            if case let .integer(real)? = tagged["real"] { return .real(Double(real)) }
            if case let .string(hex)? = tagged["hex"], let data = Data(hexText: hex) { return .blob(data) }
            throw JSONText.Malformed(offset: 0, reason: "unknown tagged value")
        case .array:
            throw JSONText.Malformed(offset: 0, reason: "a value cannot be an array")
        }
    }

    /// The stored text of an array of values.
    static func text(_ values: [SQLValue]) -> String {
        var out: [UInt8] = []
        write(values, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the stored text of an array of values, written straight into `out`: this
    /// runs for every row applied.
    static func write(_ values: [SQLValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            switch value {
            case .null: append("null", to: &out)
            case let .integer(number): KeyText.appendInteger(number, to: &out)
            case let .text(text): appendString(text, to: &out)
            case let .real(number):
                append("{\"real\":", to: &out)
                appendString("\(number)", to: &out)
                out.append(UInt8(ascii: "}"))
            case let .blob(data):
                let digits = Array("0123456789ABCDEF".utf8)
                append("{\"hex\":\"", to: &out)
                for byte in data { out.append(contentsOf: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]) }
                append("\"}", to: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Data {
    /// Bytes from hexadecimal text, as SQLite's `hex()` writes it.
    init?(hexText: String) {
        let digits = Array(hexText.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Data.nibble(digits[index]), let low = Data.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x41...0x46: digit - 0x41 + 10
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}
