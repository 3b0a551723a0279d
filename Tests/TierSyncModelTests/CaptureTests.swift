import Testing
import TierSyncModel

/// The metadata a local write gives its row (SYNC.md 10.5), the same for every backend.
struct CaptureTests {
    private let table = TableSchema(name: "t", createSQL: "", concentration: .group, conflict: .merge,
                                    columns: ["id", "a", "b", "scope"], keyColumns: ["id"])
    private let city = try! NodeID("cn.gd.sz")

    private func version(_ millis: Int64) -> Version { Version(stamp: HybridTimestamp(millis: millis), origin: city) }

    private func capture(_ operation: Capture.Operation, image: [SQLValue], changed: Int64? = nil) -> Capture {
        Capture(table: table, operation: operation, at: 0, scope: .text("cn.gd.sz"), changed: changed, image: image)
    }

    @Test func anUpdateReplacesTheRegistersItChangedAndKeepsTheirBases() throws {
        let row: [SQLValue] = [.text("k"), .text("a1"), .text("b1"), .text("cn.gd.sz")]
        let inserted = capture(.insert, image: [.text("k"), .null, .null, .null]).meta(after: nil, version: version(1000))
        #expect(inserted.context.covers(version(1000)))
        #expect(!inserted.isDeleted && inserted.bases.isEmpty)
        #expect(inserted.registers["a"]?.map(\.version) == [version(1000)] && inserted.registers["b"]?.map(\.version) == [version(1000)])

        // Bit 0 is register a: only it changes, with the value it had as its base.
        let updated = capture(.update, image: row, changed: 1).meta(after: inserted, version: version(2000))
        #expect(updated.registers["a"]?.map(\.version) == [version(2000)])
        #expect(updated.registers["b"]?.map(\.version) == [version(1000)])
        #expect(updated.bases["a"] == RegisterBase(version: version(1000), values: [.text("a1")]))
        #expect(updated.bases["b"] == nil)
        #expect(updated.context.covers(version(2000)))

        let deleted = capture(.delete, image: row).meta(after: updated, version: version(3000))
        #expect(deleted.isDeleted)
        #expect(deleted.registers == updated.registers, "a deletion keeps the content registers")
        #expect(capture(.insert, image: row).meta(after: deleted, version: version(4000)).bases.isEmpty, "an insert forgets the bases")
    }

    @Test func aDeletionIsLoggedUnderTheScopeTheRowHad() {
        let moved = Capture(table: table, operation: .delete, at: 0, scope: .text("cn.gd.sz"), changed: nil,
                            image: [.text("k"), .null, .null, .text("cn.gd.gz")])
        #expect(moved.loggedScope == .text("cn.gd.gz"))
        #expect(capture(.insert, image: [.text("k"), .null, .null, .null]).loggedScope == .text("cn.gd.sz"))
    }
}
