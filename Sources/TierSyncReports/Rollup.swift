import GRDB

/// One group of a rollup: the values of the dimensions asked, as reports show them, and
/// the sums.
struct RollupRow: Sendable {
    /// One value per dimension, in the order asked.
    var key: [String]
    /// One sum per measure, in the order asked.
    var sums: [Int64]
}

/// Reads an aggregate table grouped by some dimensions. SQLite does the grouping; a `class`
/// dimension is grouped by the classes text first and then split here, so a customer in
/// several classes counts in each (the sums over classes then exceed the total).
enum Rollup {
    /// Sums `measures` of `table` grouped by `dimensions`, skipping groups whose `nonEmpty`
    /// measure sums to zero, with an optional `WHERE` filter. Rows come sorted by key.
    static func read(_ db: Database, table: String, dimensions: [ReportDimension], measures: [String], nonEmpty: String,
                     filter: String? = nil, arguments: StatementArguments = []) throws -> [RollupRow] {
        let columns = dimensions.map(\.column)
        let select = (columns + measures.map { "sum(\($0))" }).joined(separator: ", ")
        let group = columns.isEmpty ? "" : " GROUP BY " + columns.joined(separator: ", ")
        let sql = "SELECT \(select) FROM \(table)\(filter.map { " WHERE \($0)" } ?? "")\(group) HAVING sum(\(nonEmpty)) <> 0"
        var groups: [[String]: [Int64]] = [:]
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let stored = (0..<columns.count).map { (row[$0] as String?) ?? "" }
            let sums = (0..<measures.count).map { (row[columns.count + $0] as Int64?) ?? 0 }
            for key in expand(stored, dimensions: dimensions) {
                groups[key, default: Array(repeating: 0, count: measures.count)].add(sums)
            }
        }
        return groups.map { RollupRow(key: $0.key, sums: $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    /// The report keys one stored key stands for: labels for empty values, and one key per
    /// class of a classes text.
    private static func expand(_ stored: [String], dimensions: [ReportDimension]) -> [[String]] {
        var keys: [[String]] = [[]]
        for (value, dimension) in zip(stored, dimensions) {
            let labels = dimension == .class ? CustomerClasses.split(value) : [dimension.label(value)]
            keys = keys.flatMap { key in labels.map { key + [$0] } }
        }
        return keys
    }
}

extension Array where Element == Int64 {
    /// Adds `other` element by element.
    mutating func add(_ other: [Int64]) {
        for index in indices where index < other.count { self[index] &+= other[index] }
    }
}
