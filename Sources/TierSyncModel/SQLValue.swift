import Foundation

/// One SQLite value, carried exactly: NULL is not the empty string, integers keep all
/// 64 bits, reals keep every bit, and blobs are bytes.
public enum SQLValue: Hashable, Sendable, CustomStringConvertible {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob(Data)

    /// A short rendering for listings: text as is, blobs as `x'…'` hex, NULL as `NULL`.
    public var description: String {
        switch self {
        case .null: "NULL"
        case let .integer(value): String(value)
        case let .real(value): String(value)
        case let .text(value): value
        case let .blob(data): "x'" + data.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    /// The text, when this value is text.
    public var textValue: String? {
        if case let .text(value) = self { return value }
        return nil
    }

    /// The integer, when this value is an integer.
    public var integerValue: Int64? {
        if case let .integer(value) = self { return value }
        return nil
    }
}
