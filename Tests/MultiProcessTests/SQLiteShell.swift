import Foundation

/// Runs the sqlite3 command-line shell against a node's file, as an operator or another
/// program would, with a busy timeout so it waits for the daemon's write lock.
enum SQLiteShell {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `sql` and returns standard output, trimmed. `environment` is added to the
    /// test's own for the shell (a clock offset, say).
    @discardableResult
    static func run(_ database: String, _ sql: String, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-cmd", ".timeout 30000", database, sql]
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "sqlite3 \(database) failed (\(process.terminationStatus)): \(errorText) for: \(sql)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The single value `sql` selects, or "" when it selects no row.
    static func value(_ database: String, _ sql: String) throws -> String {
        try run(database, sql)
    }
}
