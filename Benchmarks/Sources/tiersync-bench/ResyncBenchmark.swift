import Foundation
import GRDB
import TierSyncAuth
import TierSyncClient
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncWire

/// Benchmark 7, resync: a city holds a `customer` table of `rows` rows, and `differing` of
/// them differ from its province's (half edited, a quarter deleted and a quarter added
/// behind the running daemons' backs, with the triggers muted). With the province and
/// city daemons running, `tiersync resync --config city.conf --json` repairs the city; the figures are
/// the bytes it moved and its time. Beside them, in the same run: the bytes a full copy of
/// the city's rows from the province would move (every digest leaf asked for, through the
/// same endpoint), and what `rsync --no-whole-file` moves to bring a copy of the damaged
/// file back to the city's file before the damage. Targets: at most 1% of the full copy's
/// bytes, and at most 5 s.
struct ResyncBenchmark {
    /// Rows of the city's table.
    let rows: Int
    /// Rows that differ.
    let differing: Int
    /// The `tiersync` binary.
    let executable: String
    /// Seconds a resync may take before the run fails.
    let timeout: Double
    /// Where the files go.
    let scratch: ScratchDirectory
    /// The most a resync may move, as a share of a full copy.
    static let byteTarget = 0.01
    /// The most seconds a resync may take.
    static let timeTarget = 5.0

    func run() async throws {
        let directory = try scratch.subdirectory("resync")
        // The province's own parent is not started: nothing above it takes part.
        let tree = try DaemonTree(directory: directory, executable: executable, ids: ["cn.gd", "cn.gd.sz"],
                                  absentParent: "http://127.0.0.1:\(try freeLoopbackPort())")
        defer { tree.stop() }
        let city = tree.node("cn.gd.sz"), province = tree.node("cn.gd")
        let setup = Stopwatch()
        try buildCity(city.database)
        try cloneAsProvince(from: city.database, to: province.database)
        let before = scratch.path("resync/city-before-damage.sqlite")
        try FileManager.default.copyItem(atPath: city.database, toPath: before)
        // The damage is done behind the running daemons' backs, so that every differing row
        // is the resync's to find (a daemon that opens a file adopts the rows added to it).
        try await tree.start()
        try damage(city.database)
        say("          set up \(rows) rows at city and province, \(differing) differing, in \(twoDecimals(setup.seconds)) s")

        let rsync = try rsyncBytes(from: before, damaged: city.database)
        let watch = Stopwatch()
        let output = try runResync(config: city.config.path)
        let seconds = watch.seconds
        let report: ResyncReport
        do {
            report = try JSONDecoder().decode(ResyncReport.self, from: Data((output.split(separator: "\n").last ?? "").utf8))
        } catch {
            throw BenchError.failed("tiersync resync printed no report: \(output)")
        }
        try verify(city: city.database, province: province.database)
        let full = try await fullCopyBytes(port: province.port, key: try NodeKey(contentsOf: directory.appendingPathComponent("cn.gd.sz.key").path))

        let share = Double(report.bytesMoved) / Double(max(full, 1))
        let counts = ["rows": Double(rows), "differing": Double(differing), "pulled": Double(report.counts.pulled), "pushed": Double(report.counts.pushed),
                      "rows_checked": Double(report.rowsChecked), "command_seconds": report.seconds]
        Output.emit(Figure.cost("resync.bytes", Figure.Measure("bytes moved by tiersync resync", Double(report.bytesMoved), "bytes"),
                                baseline: Figure.Measure("bytes of a full copy", Double(full), "bytes"), target: .ratioAtMost(Self.byteTarget),
                                details: counts.merging(rsync.map { ["rsync_bytes": Double($0)] } ?? [:]) { first, _ in first }))
        Output.emit(Figure.cost("resync.seconds", Figure.Measure("tiersync resync wall time", seconds, "s"), baseline: nil,
                                target: .valueAtMost(Self.timeTarget), details: counts))
        say(resultLine("resync", [
            "\(rows) rows, \(differing) differ: moved \(report.bytesMoved) bytes in \(twoDecimals(seconds)) s (path \(report.path), \(report.rangesDiffering) ranges)",
            "full copy \(full) bytes",
            "rsync \(rsync.map { "\($0) bytes" } ?? "not installed")",
        ]))
        say("          \(String(format: "%.3f", share * 100))% of a full copy (target <= \(Int(Self.byteTarget * 100))%: \(verdict(share <= Self.byteTarget))), "
            + "\(twoDecimals(seconds)) s (target <= \(Int(Self.timeTarget)) s: \(verdict(seconds <= Self.timeTarget))); "
            + "\(report.counts.pulled) pulled, \(report.counts.pushed) pushed, \(report.rowsChecked) rows checked; the command's own clock \(twoDecimals(report.seconds)) s")
    }

    /// The city: its store, then the rows written with capture muted, then adopted as local
    /// writes when the store opens again (one statement instead of a trigger per row).
    private func buildCity(_ path: String) throws {
        let node = try NodeID("cn.gd.sz")
        try SQLiteStore(path: path, node: node, schema: .standard).close()
        let queue = try PlainSQLite.open(path)
        try queue.inDatabase { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "UPDATE _ts_node SET applying = 1 WHERE id = 1")
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows - 1))
                    INSERT INTO customer(id, unified_code, name, classes, industry, manager, credit_level, status, scope)
                    SELECT printf('cn.gd.sz-C%08d', i), NULL, 'Customer ' || i || ' of cn.gd.sz', 'high-value',
                      CASE i % 4 WHEN 0 THEN 'finance' WHEN 1 THEN 'government' WHEN 2 THEN 'energy' ELSE 'manufacturing' END,
                      'mgr-' || (i % 97), 'A', 'active', 'cn.gd.sz' FROM n
                    """)
                try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
                return .commit
            }
        }
        try queue.close()
        try SQLiteStore(path: path, node: node, schema: .standard).close()
        try checkpoint(path)
    }

    /// The province: a copy of the city's file claimed for `cn.gd`, as if every row had been
    /// pushed to it, with both sides' cursors at the end of the log.
    private func cloneAsProvince(from city: String, to province: String) throws {
        try FileManager.default.copyItem(atPath: city, toPath: province)
        let head: Int64 = try PlainSQLite.open(city).read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'") ?? 0 }
        let epoch = UUID().uuidString.lowercased()
        let queue = try PlainSQLite.open(province)
        try queue.write { db in
            try db.execute(sql: "UPDATE _ts_node SET node = 'cn.gd', epoch = ? WHERE id = 1", arguments: [epoch])
            try db.execute(sql: "DELETE FROM _ts_peer")
            try db.execute(sql: "INSERT INTO _ts_peer(node, role, pushed, pulled, served) VALUES ('cn.gd.sz', 'child', ?, ?, ?)", arguments: [head, head, head])
            // Its own rows came from the city: nothing for its (absent) parent to wait for.
            try db.execute(sql: "INSERT INTO _ts_peer(node, role, pushed, pulled) VALUES ('cn', 'parent', ?, 0)", arguments: [head])
        }
        try queue.close()
        try SQLiteStore(path: province, node: try NodeID("cn.gd"), schema: .standard).close()
        let cityQueue = try PlainSQLite.open(city)
        try cityQueue.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO _ts_peer(node, role, pushed, pulled, epoch) VALUES ('cn.gd', 'parent', ?, ?, ?)", arguments: [head, head, epoch])
        }
        try cityQueue.close()
        try checkpoint(city)
        try checkpoint(province)
    }

    /// Edits, deletes and adds rows at the city with its triggers muted.
    private func damage(_ path: String) throws {
        let edited = differing / 2, deleted = differing / 4, added = differing - edited - deleted
        let step = max(1, rows / differing)
        let queue = try PlainSQLite.open(path)
        try queue.inDatabase { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "UPDATE _ts_node SET applying = 1 WHERE id = 1")
                for index in 0..<edited {
                    try db.execute(sql: "UPDATE customer SET name = 'edited behind the back' WHERE id = printf('cn.gd.sz-C%08d', ?)", arguments: [index * step])
                }
                for index in edited..<(edited + deleted) {
                    try db.execute(sql: "DELETE FROM customer WHERE id = printf('cn.gd.sz-C%08d', ?)", arguments: [index * step])
                }
                for index in 0..<added {
                    try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES (?, 'added behind the back', 'cn.gd.sz')", arguments: ["cn.gd.sz-N\(index)"])
                }
                try db.execute(sql: "UPDATE _ts_node SET applying = 0 WHERE id = 1")
                return .commit
            }
        }
        try queue.close()
        try checkpoint(path)
    }

    private func checkpoint(_ path: String) throws {
        let queue = try PlainSQLite.open(path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
    }

    /// `tiersync resync --config CITY --json`, bounded by the timeout.
    private func runResync(config: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["resync", "--config", config, "--json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        ChildProcesses.register(process.processIdentifier)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            ChildProcesses.stop(process, grace: 1)
            throw BenchError.timeout("tiersync resync did not finish within \(Int(timeout)) s")
        }
        ChildProcesses.unregister(process.processIdentifier)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw BenchError.failed("tiersync resync exited \(process.terminationStatus): \(text)") }
        return text
    }

    /// The city must now hold what its province holds.
    private func verify(city: String, province: String) throws {
        let sql = "SELECT count(*) || ':' || sum(length(name)) || ':' || sum(length(id)) FROM customer"
        let mine = try PlainSQLite.openReadOnly(city).read { db in try String.fetchOne(db, sql: sql) }
        let theirs = try PlainSQLite.openReadOnly(province).read { db in try String.fetchOne(db, sql: sql) }
        guard mine == theirs else { throw BenchError.failed("after the resync the city holds \(mine ?? "?") and the province \(theirs ?? "?")") }
    }

    /// The bytes of asking the province for every leaf's rows, as `--full` would, in the
    /// ranges the resync uses (about 5000 rows each).
    private func fullCopyBytes(port: Int, key: NodeKey) async throws -> Int64 {
        let link = HTTPParentLink(baseURL: URL(string: "http://127.0.0.1:\(port)")!, key: key, timeout: 120)
        let perRequest = max(1, DigestTree.leafCount * 5000 / max(rows, 1))
        var start = 0
        var states = 0
        while start < DigestTree.leafCount {
            let buckets = Array(start..<min(start + perRequest, DigestTree.leafCount))
            states += try await link.rows(ResyncRowsRequest(node: "cn.gd.sz", table: "customer", buckets: buckets)).changes.count
            start += perRequest
        }
        guard states >= rows - differing else { throw BenchError.failed("a full copy would move \(states) rows, fewer than the city's \(rows)") }
        return link.bytesMoved
    }

    /// The bytes `rsync --no-whole-file` sends and receives to turn a copy of the damaged
    /// file back into the file before the damage; nil when rsync is not installed.
    private func rsyncBytes(from before: String, damaged: String) throws -> Int64? {
        guard let rsync = ["/usr/bin/rsync", "/bin/rsync", "/usr/local/bin/rsync"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            say("          rsync is not installed (apt-get install rsync): its figure is left out")
            return nil
        }
        let target = scratch.path("resync/rsync-target.sqlite")
        try FileManager.default.copyItem(atPath: damaged, toPath: target)
        defer { try? FileManager.default.removeItem(atPath: target) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rsync)
        process.arguments = ["--no-whole-file", "--ignore-times", "--stats", before, target]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func number(after label: String) -> Int64? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return nil }
            return Int64(line.dropFirst(label.count).filter(\.isNumber))
        }
        guard process.terminationStatus == 0, let sent = number(after: "Total bytes sent:"), let received = number(after: "Total bytes received:") else {
            throw BenchError.failed("rsync failed: \(text)")
        }
        return sent + received
    }
}
