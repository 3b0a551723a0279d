import Foundation
import GRDB

/// The aggregates the reports read, and the triggers that keep them current.
///
/// At 100k customers with 24 months of 5 service categories, `revenue` holds 12 million
/// rows; no report can scan it in time. So every write to `customer` or `revenue`, by the
/// daemon's apply or by any other process, also updates small sums, in the same
/// transaction:
///
/// | table | one row per | holds |
/// |---|---|---|
/// | `_ts_rpt_customer` | owning node, industry, classes text | customers, accounts |
/// | `_ts_rpt_revenue_province` | period, province, industry, category | amount, lines |
/// | `_ts_rpt_revenue_city` | period, owning node, industry, category | amount, lines |
/// | `_ts_rpt_revenue_class` | period, owning node, classes text | amount, lines |
/// | `_ts_rpt_revenue_customer` | period, customer | amount, lines |
///
/// The daemon's applies keep them through ``ReportApplyObserver`` instead (the triggers
/// stand aside while `_ts_node.observing` is 1), summing each batch in memory.
///
/// A revenue row counts under its customer's industry and classes as they are now: when a
/// customer's industry or classes change, arrives after its revenue, or goes, its revenue
/// moves between buckets. Empty buckets stay, with zero lines, and reports skip them. An
/// account is a unified big-customer code within one bucket of `_ts_rpt_customer` (a
/// customer without a code is an account of its own); a partial index on
/// `customer(unified_code)` finds the other customers sharing a code.
enum ReportAggregates {
    /// The version of the definitions below; a store built under another is rebuilt.
    static let version = 3

    /// The columns the reports read.
    static let requiredColumns: [(table: String, columns: [String])] = [
        ("customer", ["id", "unified_code", "name", "industry", "classes", "scope"]),
        ("revenue", ["customer_id", "period", "category", "amount_fen", "scope"]),
    ]

    /// The aggregate tables.
    static let tables = ["_ts_rpt_customer", "_ts_rpt_revenue_province", "_ts_rpt_revenue_city", "_ts_rpt_revenue_class", "_ts_rpt_revenue_customer"]

    /// The index on `customer` that the account count uses.
    static let codeIndex = "_ts_rpt_customer_code"

    static let createTables = """
        CREATE TABLE _ts_report(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, built_at REAL NOT NULL, build_seconds REAL NOT NULL);
        CREATE TABLE _ts_rpt_customer(
            city TEXT NOT NULL, province TEXT NOT NULL, industry TEXT NOT NULL, classes TEXT NOT NULL,
            customers INTEGER NOT NULL, accounts INTEGER NOT NULL,
            PRIMARY KEY(city, industry, classes)) WITHOUT ROWID;
        CREATE TABLE _ts_rpt_revenue_province(
            period TEXT NOT NULL, province TEXT NOT NULL, industry TEXT NOT NULL, category TEXT NOT NULL,
            amount INTEGER NOT NULL, lines INTEGER NOT NULL,
            PRIMARY KEY(period, province, industry, category)) WITHOUT ROWID;
        CREATE TABLE _ts_rpt_revenue_city(
            period TEXT NOT NULL, city TEXT NOT NULL, province TEXT NOT NULL, industry TEXT NOT NULL, category TEXT NOT NULL,
            amount INTEGER NOT NULL, lines INTEGER NOT NULL,
            PRIMARY KEY(period, city, industry, category)) WITHOUT ROWID;
        CREATE TABLE _ts_rpt_revenue_class(
            period TEXT NOT NULL, city TEXT NOT NULL, province TEXT NOT NULL, classes TEXT NOT NULL,
            amount INTEGER NOT NULL, lines INTEGER NOT NULL,
            PRIMARY KEY(period, city, classes)) WITHOUT ROWID;
        CREATE TABLE _ts_rpt_revenue_customer(
            period TEXT NOT NULL, customer_id TEXT NOT NULL, amount INTEGER NOT NULL, lines INTEGER NOT NULL,
            PRIMARY KEY(period, customer_id)) WITHOUT ROWID;
        CREATE INDEX \(codeIndex) ON customer(unified_code) WHERE unified_code IS NOT NULL;
        """

    // MARK: SQL pieces

    /// A text key column: NULL becomes empty, so that every key is NOT NULL.
    static func key(_ expression: String) -> String { "coalesce(\(expression), '')" }

    /// The province of a scope: its first two segments (the scope itself when it has fewer).
    static func province(_ scope: String) -> String {
        let rest = "substr(\(scope), instr(\(scope), '.') + 1)"
        return "CASE WHEN instr(\(rest), '.') > 0 THEN substr(\(scope), 1, instr(\(scope), '.') + instr(\(rest), '.') - 1) ELSE \(scope) END"
    }

    /// A revenue row's amount as an integer (0 when it is not a number).
    static func amount(_ row: String) -> String { "coalesce(CAST(\(row).amount_fen AS INTEGER), 0)" }

    /// The industry (or classes) of the customer `customerID`, empty when unknown.
    static func customerColumn(_ column: String, of customerID: String) -> String {
        key("(SELECT \(column) FROM customer WHERE id = \(customerID))")
    }

    /// `INSERT ... ON CONFLICT DO UPDATE` that adds `sums` to the row at `conflict`.
    static func upsert(_ table: String, columns: [String], source: String, conflict: [String], sums: [String]) -> String {
        let updates = sums.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO \(table)(\(columns.joined(separator: ", "))) \(source) ON CONFLICT(\(conflict.joined(separator: ", "))) DO UPDATE SET \(updates);"
    }

    // MARK: revenue

    /// The source of an upsert of one row of `values`, added only when `condition` holds.
    static func values(_ values: [String], when condition: String?) -> String {
        let list = values.joined(separator: ", ")
        return condition.map { "SELECT \(list) WHERE \($0)" } ?? "VALUES (\(list))"
    }

    /// The four statements that add one revenue row's contribution: `row` is NEW or OLD,
    /// `amount` and `lines` what to add (negative to take away), only when `condition` holds.
    static func revenueContribution(_ row: String, amount: String, lines: String, when condition: String? = nil) -> [String] {
        let period = key("\(row).period"), scope = key("\(row).scope"), category = key("\(row).category")
        let industry = customerColumn("industry", of: "\(row).customer_id")
        let classes = customerColumn("classes", of: "\(row).customer_id")
        return [
            upsert("_ts_rpt_revenue_province", columns: ["period", "province", "industry", "category", "amount", "lines"],
                   source: values([period, province(scope), industry, category, amount, lines], when: condition),
                   conflict: ["period", "province", "industry", "category"], sums: ["amount", "lines"]),
            upsert("_ts_rpt_revenue_city", columns: ["period", "city", "province", "industry", "category", "amount", "lines"],
                   source: values([period, scope, province(scope), industry, category, amount, lines], when: condition),
                   conflict: ["period", "city", "industry", "category"], sums: ["amount", "lines"]),
            upsert("_ts_rpt_revenue_class", columns: ["period", "city", "province", "classes", "amount", "lines"],
                   source: values([period, scope, province(scope), classes, amount, lines], when: condition),
                   conflict: ["period", "city", "classes"], sums: ["amount", "lines"]),
            upsert("_ts_rpt_revenue_customer", columns: ["period", "customer_id", "amount", "lines"],
                   source: values([period, key("\(row).customer_id"), amount, lines], when: condition),
                   conflict: ["period", "customer_id"], sums: ["amount", "lines"]),
        ]
    }

    /// The statements that move the revenue of customer `customerID` from the buckets of
    /// industry and classes `from` to those of `to` (each a pair of SQL expressions), only
    /// when `condition` holds. A customer without revenue moves nothing.
    static func moveRevenue(of customerID: String, from: (industry: String, classes: String), to: (industry: String, classes: String),
                            when condition: String? = nil) -> [String] {
        let scope = key("r.scope")
        let total = "m.sign * sum(\(amount("r"))), m.sign * count(*)"
        func sides(_ pick: KeyPath<(industry: String, classes: String), String>) -> String {
            "(SELECT \(key(from[keyPath: pick])) AS bucket, -1 AS sign UNION ALL SELECT \(key(to[keyPath: pick])), 1)"
        }
        let rows = "FROM revenue r, %@ m WHERE r.customer_id = \(customerID)" + (condition.map { " AND (\($0))" } ?? "")
        return [
            upsert("_ts_rpt_revenue_province", columns: ["period", "province", "industry", "category", "amount", "lines"],
                   source: "SELECT \(key("r.period")), \(province(scope)), m.bucket, \(key("r.category")), \(total) "
                       + rows.replacingOccurrences(of: "%@", with: sides(\.industry)) + " GROUP BY 1, 2, 3, 4, m.sign",
                   conflict: ["period", "province", "industry", "category"], sums: ["amount", "lines"]),
            upsert("_ts_rpt_revenue_city", columns: ["period", "city", "province", "industry", "category", "amount", "lines"],
                   source: "SELECT \(key("r.period")), \(scope), \(province(scope)), m.bucket, \(key("r.category")), \(total) "
                       + rows.replacingOccurrences(of: "%@", with: sides(\.industry)) + " GROUP BY 1, 2, 4, 5, m.sign",
                   conflict: ["period", "city", "industry", "category"], sums: ["amount", "lines"]),
            upsert("_ts_rpt_revenue_class", columns: ["period", "city", "province", "classes", "amount", "lines"],
                   source: "SELECT \(key("r.period")), \(scope), \(province(scope)), m.bucket, \(total) "
                       + rows.replacingOccurrences(of: "%@", with: sides(\.classes)) + " GROUP BY 1, 2, 4, m.sign",
                   conflict: ["period", "city", "classes"], sums: ["amount", "lines"]),
        ]
    }

    // MARK: customer

    /// The statement that adds (`sign` 1) or takes away (-1) a customer row's count and,
    /// when no other customer of its bucket shares its unified code, its account. `row` is
    /// NEW or OLD; `selfID` the id the row has in the table now, if it is there.
    static func customerContribution(_ row: String, sign: Int, selfID: String) -> String {
        let scope = key("\(row).scope"), industry = key("\(row).industry"), classes = key("\(row).classes")
        let sharing = """
            EXISTS (SELECT 1 FROM customer c WHERE c.unified_code = \(row).unified_code AND c.id IS NOT \(selfID)
              AND \(key("c.scope")) = \(scope) AND \(key("c.industry")) = \(industry) AND \(key("c.classes")) = \(classes))
            """
        let account = "(CASE WHEN \(row).unified_code IS NULL OR NOT \(sharing) THEN \(sign) ELSE 0 END)"
        return upsert("_ts_rpt_customer", columns: ["city", "province", "industry", "classes", "customers", "accounts"],
                      source: "VALUES (\(scope), \(province(scope)), \(industry), \(classes), \(sign), \(account))",
                      conflict: ["city", "industry", "classes"], sums: ["customers", "accounts"])
    }

    // MARK: triggers

    /// The triggers, by name: one per table and event, so that a write the daemon's apply
    /// makes (while they stand aside) costs one `WHEN` per row; each statement of a trigger
    /// carries its own condition.
    static var triggers: [(name: String, sql: String)] {
        let unknown = (industry: "''", classes: "''")
        let old = (industry: "OLD.industry", classes: "OLD.classes")
        let new = (industry: "NEW.industry", classes: "NEW.classes")
        let bucketChanged = "\(key("OLD.industry")) IS NOT \(key("NEW.industry")) OR \(key("OLD.classes")) IS NOT \(key("NEW.classes"))"
        let rekeyed = "OLD.id IS NOT NEW.id"
        let revenueKeysSame = "OLD.customer_id IS NEW.customer_id AND OLD.period IS NEW.period AND OLD.category IS NEW.category AND OLD.scope IS NEW.scope"
        func trigger(_ name: String, _ event: String, on table: String, when: String? = nil, _ body: [String]) -> (String, String) {
            // An apply with an observer (the daemon's) keeps the aggregates itself.
            let condition = " WHEN (SELECT observing FROM _ts_node WHERE id = 1) = 0" + (when.map { " AND (\($0))" } ?? "")
            return ("_ts_rpt_\(name)", "CREATE TRIGGER _ts_rpt_\(name) AFTER \(event) ON \(table)\(condition) BEGIN\n  " + body.joined(separator: "\n  ") + "\nEND")
        }
        return [
            trigger("revenue_insert", "INSERT", on: "revenue", revenueContribution("NEW", amount: amount("NEW"), lines: "1")),
            trigger("revenue_delete", "DELETE", on: "revenue", revenueContribution("OLD", amount: "-" + amount("OLD"), lines: "-1")),
            trigger("revenue_update", "UPDATE", on: "revenue", when: "NOT (\(revenueKeysSame)) OR \(amount("OLD")) IS NOT \(amount("NEW"))",
                    // The same line with another amount adds the difference; a line moved to
                    // other keys leaves its old buckets for its new ones.
                    revenueContribution("NEW", amount: "\(amount("NEW")) - \(amount("OLD"))", lines: "0", when: revenueKeysSame)
                        + revenueContribution("OLD", amount: "-" + amount("OLD"), lines: "-1", when: "NOT (\(revenueKeysSame))")
                        + revenueContribution("NEW", amount: amount("NEW"), lines: "1", when: "NOT (\(revenueKeysSame))")),
            trigger("customer_insert", "INSERT", on: "customer",
                    [customerContribution("NEW", sign: 1, selfID: "NEW.id")] + moveRevenue(of: "NEW.id", from: unknown, to: new)),
            trigger("customer_delete", "DELETE", on: "customer",
                    [customerContribution("OLD", sign: -1, selfID: "OLD.id")] + moveRevenue(of: "OLD.id", from: old, to: unknown)),
            trigger("customer_update", "UPDATE", on: "customer",
                    when: "\(rekeyed) OR OLD.scope IS NOT NEW.scope OR OLD.unified_code IS NOT NEW.unified_code OR \(bucketChanged)",
                    [customerContribution("OLD", sign: -1, selfID: "NEW.id"), customerContribution("NEW", sign: 1, selfID: "NEW.id")]
                        + moveRevenue(of: "NEW.id", from: old, to: new, when: "NOT (\(rekeyed)) AND (\(bucketChanged))")
                        + moveRevenue(of: "OLD.id", from: old, to: unknown, when: rekeyed)
                        + moveRevenue(of: "NEW.id", from: unknown, to: new, when: rekeyed)),
        ]
    }

    // MARK: backfill

    /// Fills the aggregate tables from the rows already in `customer` and `revenue`.
    static let backfill: [String] = {
        let scope = key("scope")
        let revenueScope = key("r.scope")
        return [
            """
            INSERT INTO _ts_rpt_customer(city, province, industry, classes, customers, accounts)
              SELECT \(scope), \(province(scope)), \(key("industry")), \(key("classes")), count(*),
                     count(*) - count(unified_code) + count(DISTINCT unified_code)
              FROM customer GROUP BY 1, 3, 4
            """,
            // One pass over revenue into the finest buckets, then the three rollups from it.
            """
            CREATE TEMP TABLE _ts_rpt_fill AS
              SELECT \(key("r.period")) AS period, \(revenueScope) AS city, \(province(revenueScope)) AS province,
                     \(key("c.industry")) AS industry, \(key("c.classes")) AS classes, \(key("r.category")) AS category,
                     sum(\(amount("r"))) AS amount, count(*) AS lines
              FROM revenue r LEFT JOIN customer c ON c.id = r.customer_id GROUP BY 1, 2, 4, 5, 6
            """,
            """
            INSERT INTO _ts_rpt_revenue_province(period, province, industry, category, amount, lines)
              SELECT period, province, industry, category, sum(amount), sum(lines) FROM _ts_rpt_fill GROUP BY 1, 2, 3, 4
            """,
            """
            INSERT INTO _ts_rpt_revenue_city(period, city, province, industry, category, amount, lines)
              SELECT period, city, province, industry, category, sum(amount), sum(lines) FROM _ts_rpt_fill GROUP BY 1, 2, 4, 5
            """,
            """
            INSERT INTO _ts_rpt_revenue_class(period, city, province, classes, amount, lines)
              SELECT period, city, province, classes, sum(amount), sum(lines) FROM _ts_rpt_fill GROUP BY 1, 2, 4
            """,
            "DROP TABLE _ts_rpt_fill",
            // In the key's order, so it streams; NULL and empty keys meet in the upsert.
            """
            INSERT INTO _ts_rpt_revenue_customer(period, customer_id, amount, lines)
              SELECT \(key("period")), \(key("customer_id")), sum(\(amount("revenue"))), count(*) FROM revenue WHERE true
              GROUP BY customer_id, period
              ON CONFLICT(period, customer_id) DO UPDATE SET amount = amount + excluded.amount, lines = lines + excluded.lines
            """,
        ]
    }()

    // MARK: install

    /// Why the file cannot carry the aggregates, or nil when it can.
    static func missingColumns(_ db: Database) throws -> String? {
        guard try db.tableExists("_ts_node"), try db.columns(in: "_ts_node").contains(where: { $0.name == "observing" }) else {
            return "the file has not been opened by this version of TierSync; start its daemon (tiersync serve) or run tiersync status on it first"
        }
        for (table, columns) in requiredColumns {
            guard try db.tableExists(table) else { return "there is no \(table) table; the reports read \(table)(\(columns.joined(separator: ", ")))" }
            let present = Set(try db.columns(in: table).map(\.name))
            let missing = columns.filter { !present.contains($0) }
            if !missing.isEmpty {
                return "table \(table) lacks column(s) \(missing.joined(separator: ", ")); the reports read \(table)(\(columns.joined(separator: ", ")))"
            }
        }
        return nil
    }

    /// True when the aggregates, their index and every trigger are in place under this version.
    static func isCurrent(_ db: Database) throws -> Bool {
        guard try db.tableExists("_ts_report"),
              try Int.fetchOne(db, sql: "SELECT version FROM _ts_report WHERE id = 1") == version else { return false }
        let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE '\\_ts\\_rpt\\_%' ESCAPE '\\'"))
        return (tables + [codeIndex] + triggers.map(\.name)).allSatisfy(names.contains)
    }

    /// Drops whatever an earlier build left, then creates the tables, fills them from the
    /// rows present and creates the triggers, in the caller's transaction.
    static func build(_ db: Database) throws {
        let ours = try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master WHERE name = '_ts_report' OR name LIKE '\\_ts\\_rpt\\_%' ESCAPE '\\'")
        for row in ours where ["trigger", "index"].contains(row["type"] as String) {
            try db.execute(sql: "DROP \((row["type"] as String).uppercased()) IF EXISTS \(row["name"] as String)")
        }
        for row in ours where row["type"] as String == "table" {
            try db.execute(sql: "DROP TABLE IF EXISTS \(row["name"] as String)")
        }
        let clock = ContinuousClock.now
        try db.execute(sql: createTables)
        for statement in backfill { try db.execute(sql: statement) }
        for trigger in triggers { try db.execute(sql: trigger.sql) }
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        try db.execute(sql: "INSERT INTO _ts_report(id, version, built_at, build_seconds) VALUES (1, ?, ?, ?)",
                       arguments: [version, Date().timeIntervalSince1970, seconds])
    }
}
