import Foundation
import Testing
import TierSyncModel
import TierSyncTestTraits

/// A store closed after writes leaves its changes in the database file itself, not in a
/// write-ahead log beside it.
@Suite(.ownThread)
struct StoreCloseTests {
    @Test func aClosedStoreLeavesNoWriteAheadLogBehind() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd.sz")
        let application = try directory.application("cn.gd.sz")
        try await application.write { db in
            for index in 0..<200 { try db.execute(sql: "INSERT INTO customer(id, name, scope) VALUES (?, 'x', 'cn.gd.sz')", arguments: ["C\(index)"]) }
        }
        try application.close()
        // A read folds the captured writes into the log: the store itself writes too.
        _ = try await store.changes(after: 0, limit: 10, scanLimit: 10, selecting: .everything)
        let wal = directory.databasePath("cn.gd.sz") + "-wal"
        #expect(Self.size(wal) > 0, "the writes should be in the write-ahead log before the close")
        try store.close()
        #expect(Self.size(wal) == 0, "a closed store left \(Self.size(wal)) bytes of write-ahead log")
        let reopened = try directory.store("cn.gd.sz")
        #expect(try await reopened.rowCounts()["customer"] == 200)
        try reopened.close()
    }

    /// The size of a file in bytes; 0 when it does not exist.
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
