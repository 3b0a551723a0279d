import Foundation
import GRDB

/// Benchmark 9, many children: a parent serving every child at once, through real daemons
/// on loopback. Two trees: the group with 31 province children, and a province with 40
/// city children (its own parent absent). Every child writes `rowsPerChild` customers, which
/// go up to the parent, while the parent writes `downRows` rows that flow down to every
/// child (catalogue products at the group, marketing plans at the province). Timed from
/// the writes until the parent holds every child's rows and every child the parent's;
/// the baseline is the same inserts into one plain file. The parent's peak resident memory
/// must stay under 300 MB.
struct FanOutBenchmark {
    /// Customers each child writes.
    let rowsPerChild: Int
    /// Rows the parent writes for every child.
    let downRows: Int
    /// The `tiersync` binary.
    let executable: String
    /// Seconds to wait for the rows to arrive.
    let timeout: Double
    /// Where the files go.
    let scratch: ScratchDirectory
    /// The highest acceptable peak resident memory of the parent, in MB.
    static let memoryTarget = 300.0

    /// One tree: a parent and its children.
    private struct Shape: Sendable {
        let name: String
        let parent: String
        let children: [String]
        /// The table the parent's rows go down in, and the insert of `count` of them.
        let downTable: String
        let downSQL: @Sendable (Int) -> String
    }

    func run() async throws {
        let group = Shape(name: "group", parent: "cn", children: (1...31).map { String(format: "cn.p%02d", $0) }, downTable: "product") { count in
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count)) INSERT INTO product(id, name, scope) SELECT printf('P-%06d', i), 'product ' || i, 'cn' FROM n"
        }
        let province = Shape(name: "province", parent: "cn.gd", children: (1...40).map { String(format: "cn.gd.c%02d", $0) }, downTable: "marketing_plan") { count in
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count)) INSERT INTO marketing_plan(id, title, scope) SELECT printf('M-%06d', i), 'plan ' || i, 'cn.gd' FROM n"
        }
        for shape in [group, province] {
            try await run(shape)
        }
    }

    private func run(_ shape: Shape) async throws {
        let label = "fanout.\(shape.name)"
        let baseline = try plainInserts(shape)
        let tree = try DaemonTree(directory: try scratch.subdirectory(label), executable: executable, ids: [shape.parent] + shape.children,
                                  absentParent: "http://127.0.0.1:9")
        defer { tree.stop() }
        let started = Stopwatch()
        try await tree.start()
        say("          \(label): \(shape.children.count + 1) daemons answered in \(twoDecimals(started.seconds)) s")
        let watch = Stopwatch()
        for child in shape.children {
            let writer = try PlainSQLite.open(tree.node(child).database)
            let sql = Self.customersSQL(scope: child, count: rowsPerChild)
            try await writer.write { db in try db.execute(sql: sql) }
            try writer.close()
        }
        let parentWriter = try PlainSQLite.open(tree.node(shape.parent).database)
        let downSQL = shape.downSQL(downRows)
        try await parentWriter.write { db in try db.execute(sql: downSQL) }
        try parentWriter.close()
        let written = watch.seconds
        let up = try await Arrival.wait(in: tree, for: [tree.node(shape.parent)], table: "customer", rows: rowsPerChild * shape.children.count,
                                        timeout: timeout, watch: watch, label: "\(label) up")
        let down = try await Arrival.wait(in: tree, for: shape.children.map { tree.node($0) }, table: shape.downTable, rows: downRows,
                                          timeout: timeout, watch: watch, label: "\(label) down")
        let total = max(up[0], down.last ?? 0)
        let figure = Figure.cost(label, Figure.Measure("writes until every node holds every row", total, "s"),
                                 baseline: Figure.Measure("plain inserts of the same rows", baseline, "s"),
                                 details: ["children": Double(shape.children.count), "rows_up": Double(rowsPerChild * shape.children.count),
                                           "rows_down_per_child": Double(downRows), "write_seconds": written, "up_seconds": up[0], "down_seconds": down.last ?? 0])
        Output.emit(figure)
        say(resultLine("fanout", [
            "\(shape.parent) with \(shape.children.count) children x \(rowsPerChild) rows up, \(downRows) rows down to each",
            "plain inserts \(twoDecimals(baseline)) s",
            "converged \(twoDecimals(total)) s (up \(twoDecimals(up[0])) s, down \(twoDecimals(down.last ?? 0)) s)",
        ]))
        let parent = tree.node(shape.parent)
        if let memory = tree.memory(of: parent), let start = tree.startMemory[parent.id] {
            let rss = Figure.cost("\(label).rss.\(parent.id)", Figure.Measure("peak resident memory (VmHWM)", memory.peakMB, "MB"),
                                  baseline: Figure.Measure("resident memory after start", start.currentMB, "MB"),
                                  target: .valueAtMost(Self.memoryTarget))
            Output.emit(rss)
            let children = shape.children.compactMap { tree.memory(of: tree.node($0))?.peakMB }
            say("          peak RSS \(parent.id) \(Int(memory.peakMB.rounded())) MB (\(rss.verdictText), at start \(Int(start.currentMB.rounded()))); "
                + "children: max \(Int((children.max() ?? 0).rounded())) MB, mean \(Int((children.reduce(0, +) / Double(max(children.count, 1))).rounded())) MB")
        }
    }

    /// `count` customers of `scope`, inserted in one statement.
    static func customersSQL(scope: String, count: Int) -> String {
        """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
        INSERT INTO customer(id, name, status, scope) SELECT printf('%s-C%06d', '\(scope)', i), 'customer ' || i, 'active', '\(scope)' FROM n
        """
    }

    /// Seconds to insert every child's customers and the parent's rows into one plain file.
    private func plainInserts(_ shape: Shape) throws -> Double {
        let file = scratch.path("fanout-\(shape.name)-plain.sqlite")
        defer { scratch.removeDatabase(file) }
        try PlainSQLite.createFile(at: file, tableSQL: "CREATE TABLE customer(id TEXT PRIMARY KEY, name TEXT, status TEXT, scope TEXT)")
        let queue = try PlainSQLite.open(file)
        defer { try? queue.close() }
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE product(id TEXT PRIMARY KEY, name TEXT, scope TEXT); CREATE TABLE marketing_plan(id TEXT PRIMARY KEY, title TEXT, scope TEXT)")
        }
        let watch = Stopwatch()
        for child in shape.children {
            let sql = Self.customersSQL(scope: child, count: rowsPerChild)
            try queue.write { db in try db.execute(sql: sql) }
        }
        let downSQL = shape.downSQL(downRows)
        try queue.write { db in try db.execute(sql: downSQL) }
        return watch.seconds
    }
}
