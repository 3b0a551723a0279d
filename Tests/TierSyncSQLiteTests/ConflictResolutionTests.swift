import Foundation
import Testing
import TierSyncModel
import TierSyncStore
import TierSyncTesting

/// What an operator's choice writes (``ConflictResolution``), decided from the row's state
/// alone, as every backend asks it.
struct ConflictResolutionTests {
    static let node = try! NodeID("cn.gd")
    static let local = Version(stamp: HybridTimestamp(millis: 1_000), origin: try! NodeID("cn.gd"))
    static let remote = Version(stamp: HybridTimestamp(millis: 2_000), origin: try! NodeID("cn.gd.sz"))
    static let customer = TemporaryDirectory.standard.table(named: "customer")!

    /// A record of a conflict on `register` of customer C1, still open.
    static func record(_ register: String, local: [SQLValue]?, remote: [SQLValue]?, status: ConflictRecord.Status = .open) -> ConflictRecord {
        ConflictRecord(id: 7, detectedAt: Date(), peer: "cn.gd.sz", table: "customer", key: [.text("C1")], register: register, rule: "manual",
                       localVersion: ConflictRecord.text(Self.local), localValues: local, remoteVersion: ConflictRecord.text(Self.remote),
                       remoteValues: remote, baseVersion: nil, baseValues: nil, winner: "remote", status: status, resolution: nil)
    }

    /// Metadata in which both sides of `register` still stand (or only `standing`).
    static func meta(_ register: String, standing: [Version] = [local, remote]) -> RowMeta {
        let siblings = standing.map { Sibling(version: $0, priority: 0, values: nil) }
        return register == Conflict.existence ? RowMeta(existence: siblings) : RowMeta(registers: [register: siblings])
    }

    /// A customer row of C1 held here, in the given scope.
    static func row(scope: String = "cn.gd.sz") -> [SQLValue] {
        customer.columns.map { $0 == "id" ? .text("C1") : $0 == "scope" ? .text(scope) : .text("x") }
    }

    func decide(_ record: ConflictRecord, _ choice: ConflictChoice, _ state: ConflictResolution.RowState) throws -> ConflictResolution.Write {
        try ConflictResolution.decide(record, choice: choice, table: Self.customer, row: state, node: Self.node)
    }

    @Test func aColumnTakesTheChosenValueWithTheWritersPriority() throws {
        let record = Self.record("classes", local: [.text("A")], remote: [.text("B")])
        let state = ConflictResolution.RowState(meta: Self.meta("classes"), deleted: false, current: Self.row(), tomb: nil)
        // classes decides by tier: a province's write has priority 1.
        #expect(try decide(record, .local, state) == .updateColumn(name: "classes", value: .text("A"), priority: 1))
        #expect(try decide(record, .value(.text("C")), state) == .updateColumn(name: "classes", value: .text("C"), priority: 1))
        let gone = ConflictResolution.RowState(meta: Self.meta("classes"), deleted: true, current: nil, tomb: nil)
        #expect(throws: StoreError.self) { try decide(record, .remote, gone) }
    }

    @Test func aLaterWriteClosesTheRecordWithoutWriting() throws {
        let record = Self.record("classes", local: [.text("A")], remote: [.text("B")])
        let later = ConflictResolution.RowState(meta: Self.meta("classes", standing: [Self.remote]), deleted: false, current: Self.row(), tomb: nil)
        guard case .superseded = try decide(record, .local, later) else {
            Issue.record("a record whose local side no longer stands must be closed as superseded")
            return
        }
    }

    @Test func whatCannotBeDecidedHereIsRefusedWithTheReason() throws {
        let state = ConflictResolution.RowState(meta: Self.meta(RowMeta.wholeRow), deleted: false, current: Self.row(), tomb: nil)
        let whole = Self.record(RowMeta.wholeRow, local: Self.row(), remote: nil)
        #expect(try decide(whole, .local, state) == .updateRow(Self.row()))
        for (record, choice, reason) in [(whole, ConflictChoice.value(.text("v")), "chooses one column's value"),
                                         (whole, .remote, "remote value is not known"),
                                         (Self.record(RowMeta.wholeRow, local: Self.row(), remote: nil, status: .resolved), .local, "resolved already")] {
            #expect {
                try decide(record, choice, state)
            } throws: { error in
                "\(error)".contains(reason)
            }
        }
        #expect {
            try ConflictResolution.decide(whole, choice: .local, table: nil, row: state, node: Self.node)
        } throws: { error in
            "\(error)".contains("no longer synced")
        }
    }

    @Test func aDeleteAgainstAnUpdateDeletesOrBringsTheRowBack() throws {
        let deletion = Self.record(Conflict.existence, local: [.integer(1)], remote: [.integer(0)])
        let live = ConflictResolution.RowState(meta: Self.meta(Conflict.existence), deleted: false, current: Self.row(), tomb: nil)
        #expect(try decide(deletion, .local, live) == .delete)
        #expect(try decide(deletion, .remote, live) == .nothing)
        let deleted = ConflictResolution.RowState(meta: Self.meta(Conflict.existence), deleted: true, current: nil, tomb: Self.row())
        #expect(try decide(deletion, .local, deleted) == .nothing)
        #expect(try decide(deletion, .remote, deleted) == .insert(Self.row()))
        let elsewhere = ConflictResolution.RowState(meta: Self.meta(Conflict.existence), deleted: true, current: nil, tomb: Self.row(scope: "cn.js.nj"))
        #expect(throws: StoreError.self) { try decide(deletion, .remote, elsewhere) }
        let notHeld = ConflictResolution.RowState(meta: Self.meta(Conflict.existence), deleted: false, current: nil, tomb: nil)
        #expect(throws: StoreError.self) { try decide(deletion, .local, notHeld) }
    }
}
