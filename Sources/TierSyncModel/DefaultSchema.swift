extension SyncSchema {
    /// The text of the default schema: the big-customer model of a carrier's three tiers.
    public static let defaultText = #"""
# TierSync default schema: the big-customer model.
# Each [table.NAME] declares the table's SQL and its rules:
#   concentrate  the highest tier that holds the rows (group, province or city)
#   down         true when every node below the row's scope holds it as well
#   writers      the tiers allowed to write it
#   conflict     the rule that decides between concurrent writes (lww by default):
#                lww, tier (higher tier wins), owner (the scope's node wins),
#                merge (column by column; conflict.COLUMN gives a column's rule), manual
#   delete       a delete against a concurrent update: later (default), delete, update
# Rules only decide between writes made concurrently; a write made after seeing another
# always supersedes it.
#
# Raise the version with each change rolled out to a running tree (new columns, new
# tables); a node reports the version it runs. See Protocols/SYNC.md section 2.1.
version = 1

# A big customer. Written at its city; provinces and the group read it and may correct
# it, and those edits flow back down to the owning city. Concentrated nationally.
# Several places edit it at once (a national account's virtual team), so it merges column
# by column: a city's new phone-book name and a province's class correction both survive.
# The group assigns the unified code, and a province corrects classes and managers for
# its cities: on those columns the higher tier wins. A credit rating decides money, so a
# clash on it waits for a person (the interim value is the later one).
[table.customer]
sql = "CREATE TABLE customer(id TEXT PRIMARY KEY, unified_code TEXT, name TEXT NOT NULL, classes TEXT, industry TEXT, manager TEXT, credit_level TEXT, status TEXT, scope TEXT NOT NULL)"
concentrate = group
down = false
writers = city, province, group
conflict = merge
conflict.unified_code = tier
conflict.classes = tier
conflict.manager = tier
conflict.credit_level = manual
delete = later

# A customer's contact person. Personal data: concentrated at the province, never national.
# The city that serves the customer knows the person: its write wins.
[table.contact]
sql = "CREATE TABLE contact(id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, name TEXT, phone TEXT, title TEXT, scope TEXT NOT NULL)"
concentrate = province
down = false
writers = city, province
conflict = owner

# Monthly revenue per customer, period (YYYY-MM) and service category, in fen.
# The city's billing is the source of the figures: its write wins over a concurrent one.
[table.revenue]
sql = "CREATE TABLE revenue(customer_id TEXT NOT NULL, period TEXT NOT NULL, category TEXT NOT NULL, amount_fen INTEGER NOT NULL, scope TEXT NOT NULL, PRIMARY KEY(customer_id, period, category))"
concentrate = group
down = false
writers = city, province
conflict = owner

# The national product catalogue: written at the group, held by every node.
# "One price list": should any lower tier write it, the group's version wins.
[table.product]
sql = "CREATE TABLE product(id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, monthly_fee_fen INTEGER, status TEXT, scope TEXT NOT NULL)"
concentrate = group
down = true
writers = group
conflict = tier

# Marketing plans and targets: written at a province or the group, held by every node
# below the plan's scope. The group sees the provinces' plans, and a target it sets wins
# over a concurrent provincial edit.
[table.marketing_plan]
sql = "CREATE TABLE marketing_plan(id TEXT PRIMARY KEY, title TEXT NOT NULL, period TEXT, target_fen INTEGER, body TEXT, scope TEXT NOT NULL)"
concentrate = group
down = true
writers = province, group
conflict = tier

# Fault tickets and complaints: handled at the city, concentrated at the province.
[table.ticket]
sql = "CREATE TABLE ticket(id TEXT PRIMARY KEY, customer_id TEXT, kind TEXT, summary TEXT, status TEXT, opened_at TEXT, scope TEXT NOT NULL)"
concentrate = province
down = false
writers = city
conflict = lww
"""#

    /// The default schema, parsed.
    public static let standard: SyncSchema = {
        do {
            return try SyncSchema(parsing: defaultText, fileName: "default schema")
        } catch {
            fatalError("the built-in default schema does not parse: \(error)")
        }
    }()
}
