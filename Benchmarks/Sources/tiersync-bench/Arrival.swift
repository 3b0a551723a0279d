import Foundation

/// Waits for rows written at one node to arrive at others, by polling their SQLite files
/// read-only every 50 ms.
enum Arrival {
    /// Polls `nodes` (in the order the rows reach them) until each holds `rows` rows of
    /// `table` meeting `condition`. Returns the seconds on `watch` at which each first did;
    /// a node found complete only after a later one gets the later one's time. Prints a
    /// progress line every 10 s.
    /// - Throws: ``BenchError/timeout(_:)`` after `timeout` seconds on `watch`, with the
    ///   counts held and the end of the first node's log; ``BenchError/failed(_:)`` when a
    ///   daemon exits.
    static func wait(in tree: DaemonTree, for nodes: [DaemonTree.Node], table: String, condition: String? = nil, rows: Int,
                     timeout: Double, watch: Stopwatch, label: String) async throws -> [Double] {
        let readers = try nodes.map { try PlainSQLite.openReadOnly($0.database) }
        defer { for reader in readers { try? reader.close() } }
        var reached: [Double?] = Array(repeating: nil, count: nodes.count)
        var lastReport = watch.seconds
        func counts() throws -> String {
            try zip(nodes, readers).map { "\($0.id) \(try PlainSQLite.count(table, where: condition, in: $1))" }.joined(separator: ", ")
        }
        while true {
            for index in nodes.indices where reached[index] == nil {
                if try PlainSQLite.count(table, where: condition, in: readers[index]) >= rows { reached[index] = watch.seconds }
            }
            if let last = reached.last, let done = last {
                return reached.map { min($0 ?? done, done) }
            }
            try tree.checkAlive()
            let elapsed = watch.seconds
            guard elapsed < timeout else {
                throw BenchError.timeout("\(label): after \(Int(timeout)) s of \(rows) rows: \(try counts()); logs in \(tree.directory.path)\n\(tree.logTail(tree.nodes.last!))")
            }
            if elapsed - lastReport >= 10 {
                say("          ... \(label) \(Int(elapsed)) s: \(try counts()) of \(rows)")
                lastReport = elapsed
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
