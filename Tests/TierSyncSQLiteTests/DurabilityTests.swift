import Foundation
import Testing
import TierSyncSQLite
import TierSyncTestTraits

/// An acknowledged batch must survive a power loss at the parent: every connection that
/// commits TierSync's data runs WAL with a sync on every commit (`DurableConnection`).
@Suite(.ownThread)
struct DurabilityTests {
    @Test func theStoreCommitsWithASyncOnEveryCommit() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.store("cn.gd")
        let settings = try await store.writerSettings()
        #expect(settings.journalMode == "wal", "\(settings)")
        #expect(settings.synchronous == DurableConnection.synchronousLevel, "\(settings)")
        #expect(settings.survivesPowerLoss)
    }

    @Test func aPlainConnectionDoesNotCountAsDurable() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.store("cn.gd")
        // The file stays in WAL mode for every connection; NORMAL, SQLite's usual choice
        // for WAL, syncs only at checkpoints and must not count as durable.
        let application = try directory.application("cn.gd")
        let normal = try application.writeWithoutTransaction { db -> DurableConnection.Settings in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            return try DurableConnection.settings(db)
        }
        #expect(normal.journalMode == "wal" && normal.synchronous == 1 && !normal.survivesPowerLoss)
    }

    /// Every connection pool or queue the sources open on a node's file is opened by
    /// `DurableConnection.pool`, except the stand-ins for a local application (the demo's,
    /// and the tests' in TierSyncTesting), whose writes are the application's own, and the
    /// in-memory scratch database a table's declaration is read in (`DeclaredColumn`).
    @Test func everyConnectionTheSourcesOpenIsDurable() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let allowed: Set<String> = ["DurableConnection.swift", "DemoTree.swift", "TemporaryDirectory.swift", "DeclaredColumn.swift"]
        var durable = 0
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            durable += text.components(separatedBy: "DurableConnection.pool(path:").count - 1
            guard !allowed.contains(file.lastPathComponent) else { continue }
            for line in text.split(separator: "\n") where line.contains("DatabasePool(") || line.contains("DatabaseQueue(") {
                Issue.record("\(file.lastPathComponent) opens a connection without DurableConnection.pool: \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(durable >= 2, "the store and the reports open their pools through DurableConnection.pool")
    }
}
