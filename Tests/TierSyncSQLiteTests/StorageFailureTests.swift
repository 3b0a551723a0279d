import Foundation
import GRDB
import Testing
@testable import TierSyncSQLite
import TierSyncModel
import TierSyncStore
import TierSyncTestTraits

/// A database that cannot grow is reported as storage full, naming the file and the cause;
/// other failures pass through unchanged. (The file-size limit, EFBIG, is exercised on a
/// running daemon by `DiskFullTests`.)
@Suite(.ownThread)
struct StorageFailureTests {
    @Test func aFullDatabaseIsStorageFullAndKeepsWhatWasCommitted() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("full.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t(v BLOB)")
            try db.execute(sql: "INSERT INTO t VALUES (zeroblob(100))")
        }
        // SQLite answers SQLITE_FULL once the file would pass max_page_count, as on a full disk.
        try queue.inDatabase { db in try db.execute(sql: "PRAGMA max_page_count = 8") }
        do {
            try queue.inDatabase { db in
                try StorageFailure.mapping(db, path: path) {
                    try db.inTransaction {
                        try db.execute(sql: "INSERT INTO t SELECT zeroblob(100000)")
                        return .commit
                    }
                }
            }
            Issue.record("the insert should not fit")
        } catch let StoreError.storageFull(database, cause) {
            #expect(database == path)
            #expect(cause.contains("SQLITE_FULL"), "\(cause)")
            let message = StoreError.storageFull(database: database, cause: cause).description
            #expect(message.contains("no room to write \(path)") && message.contains("free space"), "\(message)")
        }
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t") } == 1)
        #expect(try queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    /// A pushed batch whose rows cannot be stored fails whole: no row goes to the error
    /// queue as if it did not fit its table, and the child's position stays, so that the
    /// child sends the batch again once there is room.
    @Test func anApplyThatCannotGrowTheFileFailsWholeAndRejectsNothing() async throws {
        let directory = try TemporaryDirectory()
        let province = try directory.store("cn.gd")
        let child = try NodeID("cn.gd.sz")
        let batch = try (1...3).map { index in
            try Change.write(TemporaryDirectory.resolved("customer"),
                             values: [.text("C\(index)"), .null, .text(String(repeating: "x", count: 20000)), .null, .null, .null, .null, .null, .text("cn.gd.sz")],
                             version: Version(stamp: HybridTimestamp(millis: 1000 + Int64(index)), origin: child))
        }
        // Room for a few small pages more (an error-queue entry), not for the rows.
        try await province.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages + 4)")
        }
        await #expect(throws: StoreError.self) {
            _ = try await province.apply(batch, cursor: .pushedBy(child: child, after: 0, through: 3))
        }
        #expect(try await province.rejectedCount() == 0, "rows refused for lack of space would be lost")
        #expect(try await province.rowCounts()["customer"] == 0)
        #expect(try await province.peer(child)?.pushed ?? 0 == 0)
        // Room again: the same batch goes through.
        try await province.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let outcome = try await province.apply(batch, cursor: .pushedBy(child: child, after: 0, through: 3))
        #expect(outcome.applied == 3 && outcome.rejected.isEmpty)
        #expect(try await province.peer(child)?.pushed == 3)
    }

    @Test func otherFailuresPassThrough() throws {
        let directory = try TemporaryDirectory()
        let queue = try DatabaseQueue(path: directory.path("other.sqlite"))
        #expect(throws: DatabaseError.self) {
            try queue.inDatabase { db in
                try StorageFailure.mapping(db, path: "other.sqlite") { try db.execute(sql: "INSERT INTO missing VALUES (1)") }
            }
        }
    }
}
