import Foundation
import TierSyncModel

/// The JSON form of one SQLite value.
///
/// NULL is `null`, an integer a JSON integer (all 64 bits), text a JSON string. A real is
/// `{"real": 1.5}` and a blob `{"blob": "<base64>"}`, so that neither can be mistaken for
/// an integer or for text.
public struct WireValue: Codable, Sendable, Hashable {
    /// The value carried.
    public var value: SQLValue

    /// Wraps a value.
    public init(_ value: SQLValue) { self.value = value }

    private enum Tag: String, CodingKey {
        case real, blob
    }

    /// Decodes the tagged JSON form.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            value = .null
        } else if let number = try? single.decode(Int64.self) {
            value = .integer(number)
        } else if let text = try? single.decode(String.self) {
            value = .text(text)
        } else {
            let tagged = try decoder.container(keyedBy: Tag.self)
            if let real = try tagged.decodeIfPresent(Double.self, forKey: .real) {
                value = .real(real)
            } else if let base64 = try tagged.decodeIfPresent(String.self, forKey: .blob) {
                guard let data = Data(base64Encoded: base64) else {
                    throw DecodingError.dataCorruptedError(forKey: .blob, in: tagged, debugDescription: "blob is not valid base64")
                }
                value = .blob(data)
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "a value is null, an integer, a string, {\"real\": number} or {\"blob\": base64}"))
            }
        }
    }

    /// Encodes the tagged JSON form.
    public func encode(to encoder: any Encoder) throws {
        switch value {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case let .integer(number):
            var single = encoder.singleValueContainer()
            try single.encode(number)
        case let .text(text):
            var single = encoder.singleValueContainer()
            try single.encode(text)
        case let .real(number):
            var tagged = encoder.container(keyedBy: Tag.self)
            try tagged.encode(number, forKey: .real)
        case let .blob(data):
            var tagged = encoder.container(keyedBy: Tag.self)
            try tagged.encode(data.base64EncodedString(), forKey: .blob)
        }
    }
}
