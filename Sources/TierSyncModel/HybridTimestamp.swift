import Foundation

/// A hybrid logical clock stamp packed into 64 bits: milliseconds since the Unix epoch in
/// the high 48 bits, a logical counter in the low 16.
///
/// Packing keeps stamps comparable as plain integers, in Swift and in SQL alike; the capture
/// triggers compute the next stamp as `max(last + 1, now_ms << 16)`.
public struct HybridTimestamp: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The packed value.
    public let rawValue: Int64

    /// Wraps a packed value.
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// Builds a stamp from its physical and logical parts.
    public init(millis: Int64, counter: UInt16 = 0) {
        self.rawValue = millis << 16 | Int64(counter)
    }

    /// Milliseconds since the Unix epoch.
    public var millis: Int64 { rawValue >> 16 }

    /// The logical counter within one millisecond.
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue & 0xFFFF) }

    /// The zero stamp, older than every real one.
    public static let zero = HybridTimestamp(rawValue: 0)

    /// Orders by the packed value.
    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `millis.counter`, for logs and listings.
    public var description: String { "\(millis).\(counter)" }

    /// Decodes from the packed integer.
    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    /// Encodes as the packed integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension HybridTimestamp {
    /// The stamp's physical time, to the millisecond.
    public var date: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
