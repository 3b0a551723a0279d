import Foundation

/// The PostgreSQL peer of the e2e figure: `Benchmarks/pg-cascade.py`, run as a child
/// process with `--json`, times the same inserts and updates through a PostgreSQL
/// logical-replication cascade city → province → group on three throwaway clusters.
enum PostgresPeer {
    /// What the script prints as its last line with `--json`.
    struct Times: Decodable, Sendable {
        /// The server's version, for example `15.18 (Debian 15.18-0+deb12u1)`.
        let postgres: String
        /// The rows inserted, then updated.
        let rows: Int
        /// Seconds from the start of the insert at the city until the group held every row.
        let insertSeconds: Double
        /// Seconds from the start of the update at the city until the group held every updated row.
        let updateSeconds: Double
    }

    /// The exit status with which the script says PostgreSQL is not installed.
    static let notInstalled: Int32 = 3

    /// The script, beside the package's manifest.
    static var script: String {
        BenchOptions.benchmarksDirectory.appendingPathComponent("pg-cascade.py").path
    }

    /// Runs the peer for `rows` rows. Returns nil, with a note, when it is not `enabled` or
    /// when PostgreSQL (or python3) is missing and not `required`.
    /// - Throws: ``BenchError/failed(_:)`` when the script fails, or when PostgreSQL is
    ///   missing and `required`.
    static func run(rows: Int, timeout: Double, required: Bool, enabled: Bool) throws -> Times? {
        guard enabled else {
            say("          PostgreSQL peer skipped (--no-postgres)")
            return nil
        }
        let found = try python(["--find"])
        guard found.status == 0 else {
            let why = found.status == notInstalled ? "PostgreSQL is not installed (apt-get install postgresql)" : "\(script) --find failed (exit \(found.status))"
            if required { throw BenchError.failed("--postgres: \(why)") }
            say("          PostgreSQL peer skipped: \(why); its column is left out")
            return nil
        }
        say("          PostgreSQL peer: \(script) --rows \(rows), binaries in \(found.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        let result = try python(["--rows", String(rows), "--timeout", String(timeout), "--json"])
        guard result.status == 0 else { throw BenchError.failed("\(script) exited \(result.status); its messages are above") }
        let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let times = try decoder.decode(Times.self, from: Data(line.utf8))
            guard times.rows == rows else { throw BenchError.failed("\(script) timed \(times.rows) rows, not \(rows)") }
            return times
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError.failed("\(script) printed no times: \(line)")
        }
    }

    /// Runs the script with python3, its standard error passed through; returns its exit
    /// status and standard output. While it runs it is registered to get SIGTERM (not
    /// SIGKILL) should the benchmark be interrupted, so that it stops its servers itself.
    private static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        // The system's python3 itself where there is one: a wrapper on PATH (a pyenv shim)
        // may run python as its own child, which the SIGTERM on an interruption would miss.
        if let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script] + arguments
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BenchError.failed("cannot start python3 \(script): \(error)")
        }
        ChildProcesses.register(process.processIdentifier, graceful: true)
        defer { ChildProcesses.unregister(process.processIdentifier) }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // env exits 127 when python3 is not on PATH: treat it as PostgreSQL's peer missing.
        return (process.terminationStatus == 127 ? notInstalled : process.terminationStatus, text)
    }
}
