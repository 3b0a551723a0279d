import Testing
import TierSyncModel

struct RoutingTests {
    let schema = SyncSchema.standard

    private func node(_ text: String) throws -> NodeID { try NodeID(text) }

    private func holds(_ node: String, _ table: String, _ scope: String) throws -> Bool {
        Routing.holds(try NodeID(node), table: schema.table(named: table)!, scope: try NodeID(scope))
    }

    @Test func customerIsConcentratedNationally() throws {
        #expect(try holds("cn.gd.sz", "customer", "cn.gd.sz"))
        #expect(try holds("cn.gd", "customer", "cn.gd.sz"))
        #expect(try holds("cn", "customer", "cn.gd.sz"))
        #expect(try !holds("cn.gd.gz", "customer", "cn.gd.sz"))
        #expect(try !holds("cn.js", "customer", "cn.gd.sz"))
        #expect(try !holds("cn.js.nj", "customer", "cn.gd.sz"))
    }

    @Test func contactAndTicketStopAtTheProvince() throws {
        for table in ["contact", "ticket"] {
            #expect(try holds("cn.gd", table, "cn.gd.sz"))
            #expect(try !holds("cn", table, "cn.gd.sz"))
        }
    }

    @Test func catalogueFlowsDownEverywhere() throws {
        for id in ["cn", "cn.gd", "cn.gd.sz", "cn.js.nj"] {
            #expect(try holds(id, "product", "cn"))
        }
    }

    @Test func provincePlanFlowsDownWithinItsScopeAndUpToTheGroup() throws {
        #expect(try holds("cn.gd.sz", "marketing_plan", "cn.gd"))
        #expect(try holds("cn", "marketing_plan", "cn.gd"))
        #expect(try !holds("cn.js.nj", "marketing_plan", "cn.gd"))
        #expect(try !holds("cn.js", "marketing_plan", "cn.gd"))
    }

    private func entry(_ table: String, scope: String, origin: String, previous: String? = nil) throws -> LogEntry {
        LogEntry(sequence: 1, table: table, keyText: "[\"k\"]",
                 version: Version(stamp: HybridTimestamp(millis: 1), origin: try node(origin)),
                 scope: try node(scope), previousScope: try previous.map(node), deleted: false)
    }

    @Test func childPushesOnlyWritesFromItsSubtreeThatItsParentHolds() throws {
        let customer = schema.table(named: "customer")!
        let contact = schema.table(named: "contact")!
        #expect(Routing.shouldPush(try entry("customer", scope: "cn.gd.sz", origin: "cn.gd.sz"), from: try node("cn.gd.sz"), table: customer))
        #expect(Routing.shouldPush(try entry("customer", scope: "cn.gd.sz", origin: "cn.gd.sz"), from: try node("cn.gd"), table: customer))
        #expect(!Routing.shouldPush(try entry("contact", scope: "cn.gd.sz", origin: "cn.gd.sz"), from: try node("cn.gd"), table: contact))
        // An edit that came from above is not sent back up.
        #expect(!Routing.shouldPush(try entry("customer", scope: "cn.gd.sz", origin: "cn"), from: try node("cn.gd.sz"), table: customer))
    }

    @Test func parentSendsWhatTheChildHoldsAndDidNotWrite() throws {
        let customer = schema.table(named: "customer")!
        #expect(Routing.shouldSend(try entry("customer", scope: "cn.gd.sz", origin: "cn"), to: try node("cn.gd.sz"), table: customer))
        #expect(!Routing.shouldSend(try entry("customer", scope: "cn.gd.sz", origin: "cn.gd.sz"), to: try node("cn.gd.sz"), table: customer))
        #expect(!Routing.shouldSend(try entry("customer", scope: "cn.gd.sz", origin: "cn"), to: try node("cn.gd.gz"), table: customer))
        // A row moved away from a city is not sent there: the city gets an eviction instead.
        #expect(!Routing.shouldSend(try entry("customer", scope: "cn.gd.gz", origin: "cn.gd", previous: "cn.gd.sz"), to: try node("cn.gd.sz"), table: customer))
    }

    private func eviction(scope: String, current: String?, source: String = "cn", born: Int64? = nil, writers: [String] = []) throws -> EvictionEntry {
        EvictionEntry(sequence: 10, table: "customer", keyText: "[\"k\"]", scope: try node(scope), currentScope: try current.map(node),
                      source: try node(source), born: born, writers: try writers.map(node))
    }

    @Test func evictionsGoToTheOldBranchOnlyAndOnlyWhereTheRowMayHaveBeen() throws {
        let customer = schema.table(named: "customer")!
        let moved = try eviction(scope: "cn.gd.sz", current: "cn.js.nj")
        #expect(Routing.shouldEvict(moved, to: try node("cn.gd"), after: 0, table: customer))
        #expect(Routing.shouldEvict(moved, to: try node("cn.gd.sz"), after: 0, table: customer))
        // The new branch gets the row itself; a branch that never held the scope gets nothing.
        #expect(!Routing.shouldEvict(moved, to: try node("cn.js"), after: 0, table: customer))
        #expect(!Routing.shouldEvict(moved, to: try node("cn.gd.gz"), after: 0, table: customer))
        // A province that holds both scopes keeps the row.
        #expect(!Routing.shouldEvict(try eviction(scope: "cn.gd.sz", current: "cn.gd.gz"), to: try node("cn.gd"), after: 0, table: customer))
        // Not back into the subtree that moved it.
        #expect(!Routing.shouldEvict(try eviction(scope: "cn.gd.sz", current: "cn.js.nj", source: "cn.gd"), to: try node("cn.gd"), after: 0, table: customer))
        // A child whose cursor is older than the row's first entry here, and that wrote
        // nothing to it, never held it.
        let young = try eviction(scope: "cn.gd.sz", current: "cn.js.nj", born: 7)
        #expect(!Routing.shouldEvict(young, to: try node("cn.gd"), after: 6, table: customer))
        #expect(Routing.shouldEvict(young, to: try node("cn.gd"), after: 7, table: customer))
        #expect(Routing.shouldEvict(try eviction(scope: "cn.gd.sz", current: "cn.js.nj", born: 7, writers: ["cn.gd.sz"]), to: try node("cn.gd"), after: 6, table: customer))
    }
}
