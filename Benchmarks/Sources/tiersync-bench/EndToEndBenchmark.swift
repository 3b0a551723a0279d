import Foundation
import GRDB

/// Benchmark 4, end to end over HTTP: real daemons for `cn`, `cn.gd` and `cn.gd.sz`; the
/// rows inserted into the city's SQLite file by a plain GRDB connection in one
/// transaction, timed from the start of that insert until the group's `customer` table
/// holds them all (its file read-only, polled every 50 ms). The baseline is the same
/// insert into a plain SQLite file. Target: at least 50000 rows/s end to end.
struct EndToEndBenchmark {
    /// The rows, owned by the city.
    let rows: CustomerRows
    /// The `tiersync` binary.
    let executable: String
    /// Seconds to wait for the group to hold every row.
    let timeout: Double
    /// Where the daemons' files go.
    let scratch: ScratchDirectory
    /// The lowest acceptable end-to-end rate, in rows/s.
    static let target = 50_000.0

    /// Runs the baseline, then the tree, and prints the rates and where the time went.
    func run() async throws {
        let arguments = PlainSQLite.arguments(rows)
        let baseline = try plainInsert(arguments)

        let tree = try DaemonTree(directory: try scratch.subdirectory("e2e"), executable: executable)
        defer { tree.stop() }
        try await tree.start()
        let city = tree.node("cn.gd.sz"), province = tree.node("cn.gd"), group = tree.node("cn")

        let watch = Stopwatch()
        let writer = try PlainSQLite.open(city.database)
        try PlainSQLite.insert(arguments, into: writer, transactionSize: arguments.count)
        try writer.close()
        let inserted = watch.seconds

        let provinceReader = try PlainSQLite.openReadOnly(province.database)
        let groupReader = try PlainSQLite.openReadOnly(group.database)
        defer { try? provinceReader.close(); try? groupReader.close() }
        var atProvince: Double?
        var lastReport = inserted
        while true {
            if atProvince == nil, try PlainSQLite.count("customer", in: provinceReader) >= rows.count { atProvince = watch.seconds }
            let held = try PlainSQLite.count("customer", in: groupReader)
            if held >= rows.count { break }
            try tree.checkAlive()
            let elapsed = watch.seconds
            guard elapsed < timeout else {
                let atProvinceNow = try PlainSQLite.count("customer", in: provinceReader)
                throw BenchError.timeout("after \(Int(timeout)) s the province holds \(atProvinceNow) and the group \(held) of \(rows.count) customers; logs in \(scratch.url.path)/e2e\n\(tree.logTail(city))")
            }
            if elapsed - lastReport >= 10 {
                say("          ... \(Int(elapsed)) s: province \(try PlainSQLite.count("customer", in: provinceReader)), group \(held) of \(rows.count)")
                lastReport = elapsed
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let total = watch.seconds
        let endToEnd = Rate(rows: rows.count, seconds: total)
        say(resultLine("e2e", [
            rateCell("plain insert", baseline),
            rateCell("city to group", endToEnd),
            "(target >= \(Int(Self.target)) rows/s: \(verdict(endToEnd.perSecond >= Self.target)))",
        ]))
        let reachedProvince = atProvince ?? total
        say("          insert at city \(twoDecimals(inserted)) s, then city to province \(twoDecimals(reachedProvince - inserted)) s, province to group \(twoDecimals(total - reachedProvince)) s; total \(twoDecimals(total)) s")
        say("          replication alone (from the insert's commit) \(rateText(Rate(rows: rows.count, seconds: total - inserted)))")
    }

    /// The same insert, one transaction, into a plain file without TierSync.
    private func plainInsert(_ arguments: [StatementArguments]) throws -> Rate {
        let file = scratch.path("e2e-plain.sqlite")
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createCustomerFile(at: file)
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        return try measure(rows: arguments.count) {
            try PlainSQLite.insert(arguments, into: queue, transactionSize: arguments.count)
        }
    }
}
