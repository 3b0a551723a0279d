import GRDB

/// The version of the SQLite library GRDB links.
func sqliteVersion() throws -> String {
    try DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?" }
}
