import Foundation
import TierSyncModel

/// Reads the primitives of the batch encoding (`Protocols/BATCH.md`), checking every
/// length and reference against the bytes that remain: a truncated or forged body is an
/// error that names what was being read and where, never a crash or an oversized
/// allocation.
struct BatchReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// The message's name table.
    private(set) var names: [String] = []
    /// The node ids of the name table, parsed when first used.
    private var nodes: [NodeID?] = []

    /// Starts reading `data`, checking its magic and kind, and reads its name table.
    init(_ data: Data, kind: BatchCodec.Kind) throws(WireError) {
        bytes = [UInt8](data)
        guard bytes.count >= 5, Array(bytes[0..<4]) == BatchCodec.magic else {
            throw .invalid("the body is not a TierSync batch: it must start with the bytes 'TSB' 0x01 (\(BatchCodec.mediaType), Protocols/BATCH.md)")
        }
        guard bytes[4] == kind.rawValue else {
            throw .invalid("the batch is of kind \(bytes[4]); this request takes kind \(kind.rawValue) (\(kind))")
        }
        offset = 5
        let count = try self.count("the name table")
        names.reserveCapacity(BatchReader.reserved(count))
        for _ in 0..<count { names.append(try string("a name")) }
        nodes = Array(repeating: nil, count: names.count)
    }

    /// How many items to reserve room for ahead of reading `count`: a count is checked
    /// against the bytes left, but an item takes far more memory than its one byte, so a
    /// forged count must not reserve gigabytes before the body runs out.
    static func reserved(_ count: Int) -> Int { min(count, 1024) }

    /// True when every byte was read.
    var isAtEnd: Bool { offset == bytes.count }

    /// Fails unless every byte was read.
    func expectEnd() throws(WireError) {
        guard isAtEnd else { throw .invalid("the batch has \(bytes.count - offset) byte(s) after its last field") }
    }

    private func failure(_ what: String) -> WireError {
        .invalid("the batch is cut short or malformed at byte \(offset), reading \(what)")
    }

    /// Reads one byte.
    mutating func byte(_ what: String) throws(WireError) -> UInt8 {
        guard offset < bytes.count else { throw failure(what) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads an unsigned LEB128 varint of at most ten bytes.
    mutating func unsigned(_ what: String) throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte(what)
            guard shift < 64, shift < 63 || next <= 1 else { throw failure(what) }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Reads a zigzag-encoded signed varint.
    mutating func signed(_ what: String) throws(WireError) -> Int64 {
        let raw = try unsigned(what)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads a count of items that each take at least one byte: never more than remain.
    mutating func count(_ what: String) throws(WireError) -> Int {
        let value = try unsigned(what)
        guard value <= UInt64(bytes.count - offset) else { throw failure(what) }
        return Int(value)
    }

    /// Reads `length` raw bytes.
    private mutating func raw(_ length: Int, _ what: String) throws(WireError) -> ArraySlice<UInt8> {
        guard length <= bytes.count - offset else { throw failure(what) }
        defer { offset += length }
        return bytes[offset..<(offset + length)]
    }

    /// Reads a string, which must be valid UTF-8.
    mutating func string(_ what: String) throws(WireError) -> String {
        let length = try count(what)
        let utf8 = try raw(length, what)
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw .invalid("the batch holds a string that is not valid UTF-8 before byte \(offset), reading \(what)")
        }
        return text
    }

    /// Reads a reference into the name table.
    mutating func name(_ what: String) throws(WireError) -> String {
        let index = try unsigned(what)
        guard index < UInt64(names.count) else {
            throw .invalid("the batch refers to name \(index) at byte \(offset), reading \(what); its name table has \(names.count)")
        }
        return names[Int(index)]
    }

    /// Reads a reference into the name table that must be a node id.
    mutating func node(_ what: String) throws(WireError) -> NodeID {
        let index = try unsigned(what)
        guard index < UInt64(names.count) else {
            throw .invalid("the batch refers to name \(index) at byte \(offset), reading \(what); its name table has \(names.count)")
        }
        if let known = nodes[Int(index)] { return known }
        guard let node = try? NodeID(names[Int(index)]) else {
            throw .invalid("\(what): '\(names[Int(index)])' is not a node id")
        }
        nodes[Int(index)] = node
        return node
    }

    /// Reads one value.
    mutating func value(_ what: String) throws(WireError) -> SQLValue {
        switch try byte(what) {
        case 0: return .null
        case 1: return .integer(try signed(what))
        case 2:
            var bits: UInt64 = 0
            for (shift, part) in try raw(8, what).enumerated() { bits |= UInt64(part) << UInt64(8 * shift) }
            return .real(Double(bitPattern: bits))
        case 3: return .text(try string(what))
        case 4: return .blob(Data(try raw(try count(what), what)))
        case let tag: throw .invalid("the batch holds a value with tag \(tag) at byte \(offset - 1), reading \(what); tags are 0 to 4")
        }
    }

    /// Reads a list of values.
    mutating func values(_ what: String) throws(WireError) -> [SQLValue] {
        let count = try self.count(what)
        var values: [SQLValue] = []
        values.reserveCapacity(BatchReader.reserved(count))
        for _ in 0..<count { values.append(try value(what)) }
        return values
    }

    /// Reads a write's stamp and origin.
    mutating func version(_ what: String) throws(WireError) -> Version {
        let stamp = try signed(what)
        return Version(stamp: HybridTimestamp(rawValue: stamp), origin: try node(what))
    }

    /// Reads a causal context.
    mutating func context(_ what: String) throws(WireError) -> [NodeID: HybridTimestamp] {
        let count = try self.count(what)
        var stamps: [NodeID: HybridTimestamp] = Dictionary(minimumCapacity: BatchReader.reserved(count))
        for _ in 0..<count {
            let node = try self.node(what)
            stamps[node] = HybridTimestamp(rawValue: try signed(what))
        }
        return stamps
    }
}
