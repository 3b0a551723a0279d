import Foundation
import TierSyncModel

/// Writes the primitives of the batch encoding (`Protocols/BATCH.md`) into a byte buffer:
/// varints, strings, values, and references into the message's name table.
struct BatchWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// The name table: every table, column and register name and node id the message
    /// names, each once, in the order first named.
    private(set) var names: [String] = []
    private var nameIndex: [String: Int] = [:]

    /// Appends `value` as an unsigned LEB128 varint.
    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a count or a length.
    mutating func count(_ value: Int) { unsigned(UInt64(value)) }

    /// Appends `value` zigzag-encoded, as an unsigned varint.
    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Appends one byte.
    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Appends a string: its UTF-8 length, then its bytes.
    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends a reference to `name` in the name table, adding it there when it is new.
    mutating func name(_ name: String) {
        if let index = nameIndex[name] { return count(index) }
        nameIndex[name] = names.count
        count(names.count)
        names.append(name)
    }

    /// Appends one value: a tag byte, then the value.
    mutating func value(_ value: SQLValue) {
        switch value {
        case .null:
            byte(0)
        case let .integer(number):
            byte(1)
            signed(number)
        case let .real(number):
            byte(2)
            withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case let .text(text):
            byte(3)
            string(text)
        case let .blob(data):
            byte(4)
            count(data.count)
            bytes.append(contentsOf: data)
        }
    }

    /// Appends a list of values: the count, then each.
    mutating func values(_ values: [SQLValue]) {
        count(values.count)
        for item in values { value(item) }
    }

    /// Appends a write's stamp and origin.
    mutating func version(_ version: Version) {
        signed(version.stamp.rawValue)
        name(version.origin.description)
    }

    /// Appends a causal context: the count, then each writer and its latest stamp.
    mutating func context(_ stamps: [NodeID: HybridTimestamp]) {
        count(stamps.count)
        for (node, stamp) in stamps {
            name(node.description)
            signed(stamp.rawValue)
        }
    }

    /// The whole message: the magic and kind, the name table, then the body written.
    func message(kind: BatchCodec.Kind) -> Data {
        var head = BatchWriter()
        head.bytes = BatchCodec.magic + [kind.rawValue]
        head.count(names.count)
        for name in names { head.string(name) }
        var data = Data(capacity: head.bytes.count + bytes.count)
        data.append(contentsOf: head.bytes)
        data.append(contentsOf: bytes)
        return data
    }
}
