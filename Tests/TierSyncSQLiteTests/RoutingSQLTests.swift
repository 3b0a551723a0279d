import GRDB
import Testing
import TierSyncModel
@testable import TierSyncSQLite
import TierSyncTestTraits

/// The SQL a store uses to select the rows a node holds says what the model's rule says
/// (``Routing/holds(_:table:scope:)``), for every node of a tree, every scope, and tables
/// concentrated at each tier, flowing down or not; a scope that is not a node id is held by
/// nobody.
@Suite(.ownThread)
struct RoutingSQLTests {
    static let nodes = ["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz", "cn.js", "cn.js.nj", "cn.gd.sz-2"]
    static let tables: [TableSchema] = Tier.allCases.flatMap { tier in
        [false, true].map { down in
            TableSchema(name: "t_\(tier)_\(down)", createSQL: "", concentration: tier, flowsDown: down, columns: ["id", "scope"], keyColumns: ["id"])
        }
    }

    @Test func theSQLAgreesWithTheModel() throws {
        let database = try DatabaseQueue()
        let invalid: [DatabaseValue] = ["", "cn.", ".cn", "cn..gd", "CN", "cn.gd.", "gd", "cn.gd.sz.x", "cn.gd sz"].map(\.databaseValue) + [.null, 7.databaseValue]
        var checked = 0
        try database.read { db in
            for table in Self.tables {
                for holder in Self.nodes {
                    let node = try NodeID(holder)
                    let statement = try db.makeStatement(sql: "SELECT \(ChangeLogSQL.holds(node, table: table, scope: "s")) FROM (SELECT ? AS s)")
                    for scope in Self.nodes {
                        let expected = Routing.holds(node, table: table, scope: try NodeID(scope))
                        let held = try Bool.fetchOne(statement, arguments: [scope]) ?? false
                        #expect(held == expected, "\(holder) holding \(scope) in \(table.name): SQL says \(held), the model \(expected)")
                        checked += 1
                    }
                    for scope in invalid {
                        let held = try Bool.fetchOne(statement, arguments: [scope]) ?? false
                        #expect(!held, "\(holder) holding the scope \(scope) in \(table.name)")
                    }
                }
            }
        }
        #expect(checked == Self.tables.count * Self.nodes.count * Self.nodes.count)
    }

    /// The query a log read narrows its entries with (``ChangeLogSQL/selects(_:schema:)``)
    /// wants exactly the entries the model's selection wants: for pushes and pulls of every
    /// node, entries of every scope made anywhere, in tables of every shape, and in a table
    /// the schema does not sync.
    @Test func theLogQueryWantsWhatTheSelectionWants() throws {
        let schema = try SyncSchema(tables: Self.tables)
        let database = try DatabaseQueue()
        var checked = 0
        try database.read { db in
            for holder in Self.nodes {
                let node = try NodeID(holder)
                for selection in [LogSelection.pushedBy(node), .pulledBy(node, after: 0)] {
                    let condition = try #require(ChangeLogSQL.selects(selection, schema: schema))
                    let statement = try db.makeStatement(sql: "SELECT \(condition) FROM (SELECT ? AS tbl, ? AS scope, ? AS source)")
                    for table in Self.tables.map(\.name) + ["not_synced"] {
                        for scope in Self.nodes {
                            for source in Self.nodes {
                                let entry = LogEntry(sequence: 1, table: table, keyText: "[1]", version: Version(stamp: .zero, origin: try NodeID(source)),
                                                     scope: try NodeID(scope), previousScope: nil, deleted: false, source: try NodeID(source))
                                let expected = schema.table(named: table).map { selection.includes(entry, table: $0) } ?? false
                                let wanted = try Bool.fetchOne(statement, arguments: [table, scope, source]) ?? false
                                #expect(wanted == expected, "\(selection), \(table), scope \(scope), made at \(source): SQL says \(wanted), the model \(expected)")
                                checked += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(checked == Self.nodes.count * 2 * (Self.tables.count + 1) * Self.nodes.count * Self.nodes.count)
        #expect(ChangeLogSQL.selects(.everything, schema: schema) == nil)
    }
}
