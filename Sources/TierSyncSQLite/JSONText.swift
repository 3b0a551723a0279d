import Foundation

/// A parsed JSON value, for the metadata that the capture triggers write with SQLite's JSON
/// functions. Numbers without a fraction or exponent stay 64-bit integers.
enum JSONText: Equatable {
    case null
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONText])
    case object([String: JSONText])

    /// Why a text is not the JSON expected.
    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "malformed metadata at byte \(offset): \(reason)" }
    }

    /// Parses a JSON text.
    static func parse(_ text: String) throws -> JSONText {
        var parser = Parser(text)
        let value = try parser.value()
        try parser.end()
        return value
    }

    /// The compact JSON text.
    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .integer(value): out += String(value)
        case let .number(value): out += "\(value)"
        case let .string(value): JSONText.writeString(value, to: &out)
        case let .array(items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case let .object(members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONText.writeString(key, to: &out)
                out += ":"
                members[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    /// Appends a JSON string, escaped as SQLite's JSON functions escape it.
    static func writeString(_ value: String, to out: inout String) {
        var bytes: [UInt8] = []
        MetaText.appendString(value, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Reads JSON text from its UTF-8 bytes: a whole value (``value()``), or member by
    /// member (``nextKey(_:)``, ``nextElement(_:)``) for a reader that builds its own
    /// structure without a tree in between.
    struct Parser {
        let bytes: [UInt8]
        var index = 0

        /// A parser at the start of `text`.
        init(_ text: String) {
            bytes = Array(text.utf8)
        }

        /// Consumes `byte`, after any space, or fails naming it.
        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        /// The next member's key of an object whose `{` was consumed, with its `:` consumed;
        /// nil, with the `}` consumed, after the last. `first` is true before the first
        /// member and is cleared.
        mutating func nextKey(_ first: inout Bool) throws -> String? {
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end") }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return nil }
            if !first { try expect(UInt8(ascii: ",")); skipSpace() }
            first = false
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            return key
        }

        /// True when an array whose `[` was consumed has a next element, its `,` consumed;
        /// false, with the `]` consumed, after the last. `first` works as in ``nextKey(_:)``.
        mutating func nextElement(_ first: inout Bool) throws -> Bool {
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end") }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return false }
            if !first { try expect(UInt8(ascii: ",")) }
            first = false
            return true
        }

        /// An integer without fraction or exponent (`true` and `false` read as 1 and 0, as
        /// ``value()`` reads them).
        mutating func integer() throws -> Int64 {
            guard case let .integer(value) = try self.value() else { throw fail("expected an integer") }
            return value
        }

        /// A string.
        mutating func text() throws -> String {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            return try string()
        }

        /// Fails unless only space remains.
        mutating func end() throws {
            skipSpace()
            guard index == bytes.count else { throw fail("trailing characters") }
        }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        func fail(_ reason: String) -> Malformed { Malformed(offset: index, reason: reason) }

        mutating func value() throws -> JSONText {
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONText] = [:]
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    members[key] = try value()
                    skipSpace()
                    guard index < bytes.count else { throw fail("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                    index += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONText] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard index < bytes.count else { throw fail("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                    index += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "t"):
                try literal("true")
                return .integer(1)
            case UInt8(ascii: "f"):
                try literal("false")
                return .integer(0)
            default:
                return try number()
            }
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw fail("expected \(word)")
            }
            index += expected.count
        }

        mutating func number() throws -> JSONText {
            let start = index
            // The usual number here is a stamp, a priority or a count: an integer, read
            // without making a string of it.
            if let integer = plainInteger() { return .integer(integer) }
            index = start
            var integral = true
            while index < bytes.count {
                let byte = bytes[index]
                if (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    integral = false
                    index += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let value = Int64(text) { return .integer(value) }
            guard let value = Double(text) else { throw Malformed(offset: start, reason: "not a number: \(text)") }
            return .number(value)
        }

        /// An integer of optional `-` and digits that nothing like `.`, `e` or another
        /// digit follows and that fits 64 bits, consumed; nil otherwise, with the index
        /// left anywhere (the caller restores it).
        mutating func plainInteger() -> Int64? {
            let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            let digitsStart = index
            var magnitude: UInt64 = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                guard !overflow, !carry else { return nil }
                magnitude = sum
                index += 1
            }
            guard index > digitsStart else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(bytes[index]) {
                return nil
            }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }

        mutating func string() throws -> String {
            index += 1
            // Most strings have no escape: one slice, one string.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                defer { index = end + 1 }
                return String(decoding: bytes[index..<end], as: UTF8.self)
            }
            var runStart = index
            var result = ""
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    result += String(decoding: bytes[runStart..<index], as: UTF8.self)
                    index += 1
                    return result
                }
                if byte == UInt8(ascii: "\\") {
                    result += String(decoding: bytes[runStart..<index], as: UTF8.self)
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): result += "\n"
                    case UInt8(ascii: "t"): result += "\t"
                    case UInt8(ascii: "r"): result += "\r"
                    case UInt8(ascii: "b"): result += "\u{08}"
                    case UInt8(ascii: "f"): result += "\u{0C}"
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if code >= 0xD800, code < 0xDC00, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                            index += 2
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                        result.unicodeScalars.append(scalar)
                    default: result.unicodeScalars.append(Unicode.Scalar(escape))
                    }
                    runStart = index
                    continue
                }
                index += 1
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw fail("invalid \\u escape")
            }
            index += 4
            return code
        }
    }
}
