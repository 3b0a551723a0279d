import TierSyncModel
import TierSyncStore

extension StoreConformance {
    /// Concurrent writes: recorded once, listed, and resolved by an operator.
    static let conflictChecks: [Check] = [
        Check(name: "concurrentWritesAreRecordedOnce",
              promise: "concurrent writes under a manual rule are one open conflict, listed with both sides, not recorded again when they come again") { context in
            let province = try await context.open("cn.gd")
            let first = try context.note(province, "N", body: "from sz", scope: "cn.gd", origin: "cn.gd.sz", millis: 10)
            let second = try context.note(province, "N", body: "from gz", scope: "cn.gd", origin: "cn.gd.gz", millis: 20)
            let outcome = try await province.apply([first, second], cursor: .none)
            try context.expect(outcome.conflicts == 1, "the apply should report 1 conflict, got \(outcome)")
            try context.expectEqual(try await province.conflictCount(), 1, "conflicts recorded")
            try context.expectEqual(try await province.openConflictCount(), 1, "open conflicts")
            let listed = try await province.conflicts(all: false, limit: 10)
            try context.expect(listed.count == 1 && listed[0].table == "note" && listed[0].status == .open && listed[0].rule == "manual",
                               "the open conflict should be listed as a manual conflict of note, got \(listed)")
            let versions = Set([listed[0].localVersion, listed[0].remoteVersion])
            try context.expectEqual(versions, Set([first.version, second.version].map(ConflictRecord.text)), "the versions of the two sides")
            _ = try await province.apply([second, first], cursor: .none)
            try context.expectEqual(try await province.conflictCount(), 1, "conflicts recorded after both sides came again")
        },
        Check(name: "anOperatorResolvesAConflict",
              promise: "resolveConflict writes the chosen side as a new local write and closes the record in one transaction") { context in
            let province = try await context.open("cn.gd")
            let first = try context.note(province, "N", body: "from sz", scope: "cn.gd", origin: "cn.gd.sz", millis: 10)
            let second = try context.note(province, "N", body: "from gz", scope: "cn.gd", origin: "cn.gd.gz", millis: 20)
            _ = try await province.apply([first, second], cursor: .none)
            guard let open = try await province.conflicts(all: false, limit: 10).first else {
                throw ConformanceFailure(check: "anOperatorResolvesAConflict", message: "concurrent manual writes left no conflict to resolve")
            }
            let resolved = try await province.resolveConflict(id: open.id, keep: .remote)
            try context.expectEqual(resolved.status, .resolved, "the record's status")
            try context.expectEqual(try await province.openConflictCount(), 0, "open conflicts after the resolution")
            try context.expect(try await province.conflicts(all: false, limit: 10).isEmpty, "a resolved conflict is still listed without `all`")
            try context.expectEqual(try await province.conflicts(all: true, limit: 10).map(\.id), [open.id], "conflicts listed with `all`")
            let written = try await context.logged(province, "note", "N")
            try context.expect(written?.version.origin == province.node && written.map { $0.version > second.version } == true,
                               "the resolution should be a new local write at \(province.node), got \(String(describing: written?.version))")
            try context.expectEqual(written?.values, open.remoteValues, "the row's values after keeping the remote side")
            do {
                _ = try await province.resolveConflict(id: open.id, keep: .local)
                try context.expect(false, "a resolved conflict was resolved again")
            } catch StoreError.cannotResolve {}
        },
    ]
}
