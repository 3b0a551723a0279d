import Foundation
import GRDB
import TierSyncModel

extension SQLValue {
    /// The value as GRDB binds and stores it.
    public var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case let .integer(value): value.databaseValue
        case let .real(value): value.databaseValue
        case let .text(value): value.databaseValue
        case let .blob(data): data.databaseValue
        }
    }

    /// Reads a value exactly as SQLite holds it.
    public init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case let .int64(number): self = .integer(number)
        case let .double(number): self = .real(number)
        case let .string(text): self = .text(text)
        case let .blob(data): self = .blob(data)
        }
    }
}

/// Quotes an SQL identifier.
func quoted(_ identifier: String) -> String {
    // Hot path: synced names rarely hold a quote, and replacingOccurrences is costly.
    guard identifier.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + identifier + "\"" }
    return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
