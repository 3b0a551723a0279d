/// A row's key as text, exactly as SQLite's `json_array(k1, k2, ...)` writes it: the change
/// log's `pk` (`Protocols/SYNC.md` section 7.3). Digests hash it, so that a key read from a
/// table and one read from the log hash alike.
public enum KeyText {
    /// The key text of key values (INTEGER or TEXT; other types as JSON would write them).
    public static func text(_ key: [SQLValue]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, value) in key.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            switch value {
            case let .integer(number): appendInteger(number, to: &bytes)
            case var .text(text): text.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &bytes) }
            case .null: bytes.append(contentsOf: "null".utf8)
            case let .real(number): bytes.append(contentsOf: String(number).utf8)
            case let .blob(data): bytes.append(contentsOf: ("\"" + data.map { String($0, radix: 16) }.joined() + "\"").utf8)
            }
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a JSON string as `json_array` writes it: `"` and `\` escaped, `\b \f \n \r
    /// \t`, other control characters as `\u00xx` in lowercase hex, all else as is.
    @inline(__always)
    public static func appendString(_ utf8: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most keys need no escape: copy them whole.
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an integer in decimal, as JSON and SQLite write it, without building a string.
    @inline(__always)
    public static func appendInteger(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        guard magnitude >= 10 else { return bytes.append(UInt8(ascii: "0") + UInt8(magnitude)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }
}
