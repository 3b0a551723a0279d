import GRDB
import TierSyncModel

extension SQLValue {
    /// The value as GRDB binds it (TierSyncSQLite's own conversion is internal to it).
    var grdbValue: DatabaseValue {
        switch self {
        case .null: .null
        case let .integer(value): value.databaseValue
        case let .real(value): value.databaseValue
        case let .text(value): value.databaseValue
        case let .blob(data): data.databaseValue
        }
    }
}

/// The version of the SQLite library GRDB links.
func sqliteVersion() throws -> String {
    try DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?" }
}
