import Foundation
import GRDB
import GRDBSQLite
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

extension Statement {
    /// Binds `values` to the parameters from `start` (1-based) through SQLite's C API, after
    /// clearing the statement's arguments: the apply binds every row it writes, and this
    /// skips building GRDB's argument values. Bind every parameter before executing.
    func bindValues(_ values: some Sequence<SQLValue>, from start: Int32 = 1) {
        var index = start
        for value in values {
            bindValue(value, at: index)
            index += 1
        }
    }

    /// Clears the statement's arguments and bindings, ready for ``bindValues(_:from:)``.
    func clearValues() {
        setUncheckedArguments(StatementArguments())
    }

    /// Binds one value to parameter `index` (1-based).
    func bindValue(_ value: SQLValue, at index: Int32) {
        let statement = sqliteStatement
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(statement, index)
        case let .integer(number):
            code = sqlite3_bind_int64(statement, index, number)
        case let .real(number):
            code = sqlite3_bind_double(statement, index, number)
        case let .text(text):
            var text = text
            code = text.withUTF8 { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transientBinding) }
                return sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transientBinding)
            }
        case let .blob(data) where data.isEmpty:
            code = sqlite3_bind_zeroblob(statement, index, 0)
        case let .blob(data):
            code = data.withUnsafeBytes { bytes in
                sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), transientBinding)
            }
        }
        // A bind fails only for a parameter index out of range: a programming error.
        precondition(code == SQLITE_OK, "binding parameter \(index) of \(sql) failed with code \(code)")
    }
}

/// SQLite's `SQLITE_TRANSIENT`: the value is copied before the bind returns.
private let transientBinding = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
