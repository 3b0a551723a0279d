import Foundation
import Testing
import TierSyncAuth
import TierSyncTestTraits

/// A tree set up by `tiersync init` from one tree file runs: the daemons start on the
/// configurations and keys it wrote, every parent accepts its children, and rows flow up
/// and down.
@Suite(.serialized, .daemons)
struct InitTreeTests {
    @Test func aTreeWrittenByInitSyncs() async throws {
        let ids = ["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz"]
        let tree = try TestTree(ids)
        // The test tree's own keys and configurations are replaced by init's.
        for id in ids { try FileManager.default.removeItem(atPath: tree.directory.appendingPathComponent("\(id).key").path) }
        let file = tree.directory.appendingPathComponent("test.tree").path
        try ids.map { "\($0) 127.0.0.1:\(tree.nodes[$0]!.port) \(tree.database($0))" }.joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let made = try tree.command(["init", "--tree", file, "--out", tree.directory.path])
        #expect(made.status == 0 && made.output.contains("4 new key(s)"), "\(made.output)")
        try await tree.start()
        try SQLiteShell.run(tree.database("cn.gd.sz"), "INSERT INTO customer(id, name, scope) VALUES ('SZ-1', 'Port', 'cn.gd.sz');")
        try SQLiteShell.run(tree.database("cn"), "INSERT INTO product(id, name, scope) VALUES ('P-1', 'Line', 'cn');")
        let synced = try await tree.eventually(60) {
            try SQLiteShell.value(tree.database("cn"), "SELECT count(*) FROM customer WHERE id = 'SZ-1'") == "1"
                && SQLiteShell.value(tree.database("cn.gd.sz"), "SELECT count(*) FROM product") == "1"
                && SQLiteShell.value(tree.database("cn.gd.gz"), "SELECT count(*) FROM product") == "1"
        }
        #expect(synced, "\(tree.log("cn.gd.sz"))\n\(tree.log("cn.gd"))")
        let again = try tree.command(["init", "--tree", file, "--out", tree.directory.path])
        #expect(again.status == 0 && again.output.contains("wrote 0 file(s)") && again.output.contains("0 new key(s)"), "\(again.output)")
    }

    /// A key rotation while the tree syncs: the parent accepts both keys, the city moves to
    /// its new key, the old one retires; every write arrives, no request of the city is
    /// refused, and once retired the old key is.
    @Test func aCitysKeyRotatesWithoutARefusedRequest() async throws {
        let ids = ["cn", "cn.gd", "cn.gd.sz"]
        let tree = try TestTree(ids)
        for id in ids { try FileManager.default.removeItem(atPath: tree.directory.appendingPathComponent("\(id).key").path) }
        let file = tree.directory.appendingPathComponent("test.tree").path
        try ids.map { "\($0) 127.0.0.1:\(tree.nodes[$0]!.port) \(tree.database($0))" }.joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let initialize = { (extra: [String]) in try tree.command(["init", "--tree", file, "--out", tree.directory.path] + extra) }
        #expect(try initialize([]).status == 0)
        try await tree.start()
        let city = tree.database("cn.gd.sz"), group = tree.database("cn")
        func arrives(_ id: String) async throws -> Bool {
            try SQLiteShell.run(city, "INSERT INTO customer(id, name, scope) VALUES ('\(id)', 'Port', 'cn.gd.sz');")
            return try await tree.eventually(60) { try SQLiteShell.value(group, "SELECT count(*) FROM customer WHERE id = '\(id)'") == "1" }
        }
        #expect(try await arrives("SZ-1"))

        // The rotation: the province accepts both keys; the running city still signs with the old one.
        let rotated = try initialize(["--rotate", "cn.gd.sz"])
        #expect(rotated.status == 0 && rotated.output.contains("rotated cn.gd.sz"), "\(rotated.output)")
        let old = try NodeKey(contentsOf: tree.directory.appendingPathComponent("cn.gd.sz.key.retiring").path)
        tree.stop("cn.gd")
        try await tree.start(["cn.gd"])
        #expect(try await arrives("SZ-2"), "\(tree.log("cn.gd.sz"))")
        // The city moves to its new key.
        tree.stop("cn.gd.sz")
        try await tree.start(["cn.gd.sz"])
        #expect(try await arrives("SZ-3"), "\(tree.log("cn.gd.sz"))")
        // The old key retires.
        let retired = try initialize(["--retire", "cn.gd.sz"])
        #expect(retired.status == 0 && retired.output.contains("retired the old key of cn.gd.sz"), "\(retired.output)")
        tree.stop("cn.gd")
        try await tree.start(["cn.gd"])
        #expect(try await arrives("SZ-4"), "\(tree.log("cn.gd.sz"))")
        #expect(!tree.log("cn.gd.sz").contains("unauthenticated"), "\(tree.log("cn.gd.sz"))")
        let stale = try SignedCurl(tree: tree).call("cn.gd", "GET", "/v1/pull?node=cn.gd.sz&after=0", key: old).0
        #expect(stale.status == 401 && stale.body.contains("unauthenticated"), "\(stale)")
    }
}
