import Foundation
import GRDBSQLite
import TierSyncModel

/// Reads the current row of a stepped SQLite statement without building Swift values, for
/// the digest scans, which visit every row of a table.
struct RawColumns {
    let statement: OpaquePointer

    /// Absorbs column `index` into `hasher` exactly as ``StableHasher/absorb(_:)`` absorbs
    /// the same value as an ``SQLValue``.
    @inline(__always)
    func absorb(_ index: Int32, into hasher: inout StableHasher) {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            hasher.absorb(SQLValueTag.integer)
            hasher.absorb(UInt64(bitPattern: sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            hasher.absorb(SQLValueTag.real)
            hasher.absorb(sqlite3_column_double(statement, index).bitPattern)
        case SQLITE_TEXT:
            let pointer = sqlite3_column_text(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            hasher.absorb(bytes: UnsafeRawBufferPointer(start: pointer, count: count), tag: SQLValueTag.text)
        case SQLITE_BLOB:
            let pointer = sqlite3_column_blob(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            hasher.absorb(bytes: UnsafeRawBufferPointer(start: pointer, count: count), tag: SQLValueTag.blob)
        default:
            hasher.absorb(SQLValueTag.null)
        }
    }

    /// Column `index` as a value.
    func value(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            let pointer = sqlite3_column_text(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let pointer = sqlite3_column_blob(statement, index) else { return .blob(Data()) }
            return .blob(Data(bytes: pointer, count: count))
        default:
            return .null
        }
    }

    /// Appends column `index` to `bytes` as `json_array` writes a key value (``KeyText``).
    @inline(__always)
    func appendKeyText(_ index: Int32, to bytes: inout [UInt8]) {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_TEXT:
            KeyText.appendString(textBytes(index), to: &bytes)
        case SQLITE_INTEGER:
            bytes.append(contentsOf: String(sqlite3_column_int64(statement, index)).utf8)
        default:
            bytes.append(contentsOf: KeyText.text([value(index)]).utf8.dropFirst().dropLast())
        }
    }

    /// The key hash of a text column holding a key text (the log's `pk`).
    @inline(__always)
    func keyHash(ofText index: Int32) -> UInt64 {
        var hasher = StableHasher(seed: RowDigest.keySeed)
        hasher.absorb(bytes: textBytes(index), tag: SQLValueTag.text)
        return hasher.finalize()
    }

    /// The bytes of a text column (empty for NULL), valid until the next step.
    func textBytes(_ index: Int32) -> UnsafeRawBufferPointer {
        guard let pointer = sqlite3_column_text(statement, index) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, index)))
    }
}

/// Decides whether a row counts, by its scope text, remembering the answer per scope: a
/// table holds few distinct scopes, so the text is turned into a String only when it
/// differs from the previous row's.
final class ScopeFilter {
    private let decide: (String) -> Bool
    private var last: [UInt8] = []
    private var lastAnswer = false
    private var answers: [String: Bool] = [:]

    init(_ decide: @escaping (String) -> Bool) {
        self.decide = decide
    }

    func includes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if Self.same(last, bytes) { return lastAnswer }
        let text = String(decoding: bytes, as: UTF8.self)
        let answer: Bool
        if let known = answers[text] {
            answer = known
        } else {
            answer = decide(text)
            answers[text] = answer
        }
        last = Array(bytes)
        lastAnswer = answer
        return answer
    }

    /// True when `known` holds exactly `bytes`.
    @inline(__always)
    static func same(_ known: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard known.count == bytes.count else { return false }
        guard !known.isEmpty, let base = bytes.baseAddress else { return true }
        return known.withUnsafeBytes { memcmp($0.baseAddress!, base, bytes.count) == 0 }
    }
}
