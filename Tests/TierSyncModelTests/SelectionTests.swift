import Testing
import TierSyncModel

/// The selections a store backend is given instead of code: each applies the routing rule
/// it names, and nothing else.
struct SelectionTests {
    let schema = SyncSchema.standard

    private func entry(table: String = "customer", scope: String, source: String, deleted: Bool = false) throws -> LogEntry {
        LogEntry(sequence: 1, table: table, keyText: "[\"k\"]", version: Version(stamp: HybridTimestamp(rawValue: 1), origin: try NodeID(source)),
                 scope: try NodeID(scope), previousScope: nil, deleted: deleted, source: try NodeID(source))
    }

    @Test func aPushTakesWhatTheSubtreeMadeAndTheParentHolds() throws {
        let customer = schema.table(named: "customer")!
        let contact = schema.table(named: "contact")!
        let push = LogSelection.pushedBy(try NodeID("cn.gd"))
        #expect(push.includes(try entry(scope: "cn.gd.sz", source: "cn.gd.sz"), table: customer))
        // Made above (unchanged here), or a province-only table: not pushed to the group.
        #expect(!push.includes(try entry(scope: "cn.gd.sz", source: "cn"), table: customer))
        #expect(!push.includes(try entry(table: "contact", scope: "cn.gd.sz", source: "cn.gd.sz"), table: contact))
        #expect(!push.readsEvictions)
    }

    @Test func aPullTakesWhatTheChildHoldsAndDidNotMake() throws {
        let customer = schema.table(named: "customer")!
        let pull = LogSelection.pulledBy(try NodeID("cn.gd.sz"), after: 0)
        #expect(pull.includes(try entry(scope: "cn.gd.sz", source: "cn.gd"), table: customer))
        #expect(!pull.includes(try entry(scope: "cn.gd.sz", source: "cn.gd.sz"), table: customer))
        #expect(!pull.includes(try entry(scope: "cn.gd.gz", source: "cn.gd"), table: customer))
        #expect(pull.readsEvictions)
        let record = EvictionEntry(sequence: 2, table: "customer", keyText: "[\"k\"]", scope: try NodeID("cn.gd.sz"),
                                   currentScope: try NodeID("cn.js.nj"), source: try NodeID("cn"), born: nil, writers: [])
        #expect(pull.includes(record, table: customer))
        #expect(!LogSelection.pulledBy(try NodeID("cn.gd.gz"), after: 0).includes(record, table: customer))
        #expect(!LogSelection.pushedBy(try NodeID("cn.gd.sz")).includes(record, table: customer))
    }

    @Test func scopeSelectionsCountWhatTheirNodesHold() throws {
        let customer = schema.table(named: "customer")!
        let (group, province, city) = (try NodeID("cn"), try NodeID("cn.gd"), try NodeID("cn.gd.sz"))
        let shared = ScopeSelection.sharedBy(parent: province, child: city)
        #expect(shared.includes(table: customer, scopeText: "cn.gd.sz"))
        #expect(!shared.includes(table: customer, scopeText: "cn.gd"))
        #expect(!shared.includes(table: customer, scopeText: "not a node"))
        // A child counts the rows it should not hold at all, and text that is no node id,
        // so that a resync finds and removes them.
        let compared = ScopeSelection.comparedWith(parent: province, child: city)
        #expect(compared.includes(table: customer, scopeText: "cn.gd.sz"))
        #expect(compared.includes(table: customer, scopeText: "cn.js.nj"))
        #expect(compared.includes(table: customer, scopeText: "not a node"))
        #expect(ScopeSelection.heldBy(group).includes(table: customer, scopeText: "cn.js.nj"))
        #expect(!ScopeSelection.heldBy(city).includes(table: customer, scopeText: "cn.js.nj"))
        #expect(ScopeSelection.everything.includes(table: customer, scopeText: "not a node"))
    }
}
