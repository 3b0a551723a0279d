/// A 64-bit hash that gives the same result on every machine and in every process, for
/// the resync digests (``DigestTree``). Swift's `Hasher` is seeded per process, so it
/// cannot be compared between nodes.
///
/// The input is absorbed in 64-bit little-endian words, each mixed as in one lane of
/// xxHash64, and the result is finished with xxHash64's avalanche. It is fast and spreads
/// well, but it is not a cryptographic hash: it detects accidental differences, not forged
/// ones. Every value fed to it carries its type and length, so different inputs do not
/// run together.
public struct StableHasher: Sendable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    private var state: UInt64

    /// Starts a hash. Different seeds separate the kinds of hash (key, row, version).
    public init(seed: UInt64) {
        state = seed &+ StableHasher.prime3
    }

    /// Absorbs one 64-bit word.
    @inline(__always)
    public mutating func absorb(_ word: UInt64) {
        var lane = state ^ (word &* StableHasher.prime2)
        lane = (lane << 31) | (lane >> 33)
        state = lane &* StableHasher.prime1 &+ StableHasher.prime3
    }

    /// Absorbs bytes: their count, then the bytes in words, the last one zero-padded.
    public mutating func absorb(bytes: UnsafeRawBufferPointer, tag: UInt64) {
        absorb(tag << 56 | UInt64(bytes.count))
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            absorb(tail)
        }
    }

    /// Absorbs one SQL value with its type: NULL, INTEGER, REAL (its bits), TEXT (UTF-8)
    /// or BLOB.
    public mutating func absorb(_ value: SQLValue) {
        switch value {
        case .null:
            absorb(SQLValueTag.null)
        case let .integer(number):
            absorb(SQLValueTag.integer)
            absorb(UInt64(bitPattern: number))
        case let .real(number):
            absorb(SQLValueTag.real)
            absorb(number.bitPattern)
        case let .text(text):
            var text = text
            text.withUTF8 { absorb(bytes: UnsafeRawBufferPointer($0), tag: SQLValueTag.text) }
        case let .blob(data):
            data.withUnsafeBytes { absorb(bytes: $0, tag: SQLValueTag.blob) }
        }
    }

    /// The hash of everything absorbed.
    public func finalize() -> UInt64 {
        var hash = state
        hash ^= hash >> 33
        hash = hash &* StableHasher.prime2
        hash ^= hash >> 29
        hash = hash &* StableHasher.prime3
        hash ^= hash >> 32
        return hash
    }
}

/// The type tags a ``StableHasher`` absorbs before each SQL value. A reader of raw SQLite
/// columns absorbs the same tags, so both give the same hash for the same value.
public enum SQLValueTag {
    /// NULL: the whole word.
    public static let null: UInt64 = 1
    /// INTEGER: this word, then the value's bits.
    public static let integer: UInt64 = 2
    /// REAL: this word, then the double's bits.
    public static let real: UInt64 = 3
    /// TEXT: in the top byte of the length word.
    public static let text: UInt64 = 4
    /// BLOB: in the top byte of the length word.
    public static let blob: UInt64 = 5
}
