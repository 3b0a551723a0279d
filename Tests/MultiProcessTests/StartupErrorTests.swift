import Foundation
import Testing
import TierSyncAuth
import TierSyncModel
import TierSyncTestTraits

/// Operator mistakes at start-up and in a node's configuration, made with real daemons:
/// each is refused with a message that names what to fix, and a refusal the systemd unit
/// must not retry exits with the status the unit names in `RestartPreventExitStatus`.
@Suite(.serialized, .daemons)
struct StartupErrorTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy/tiersync@.service")

    /// The exit statuses the shipped unit does not restart.
    static func statusesNotRestarted() throws -> [Int32] {
        let text = try String(contentsOf: unit, encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix("RestartPreventExitStatus=") } ?? ""
        return line.dropFirst("RestartPreventExitStatus=".count).split(separator: " ").compactMap { Int32($0) }
    }

    @Test func secondDaemonOnTheSameStoreIsRefusedNamingTheFirst() async throws {
        let tree = try TestTree(["cn"])
        try await tree.start()
        let first = try #require(tree.pid("cn"))
        let otherPort = try TestTree.freePort()
        let second = try tree.command(["serve", "--config", tree.nodes["cn"]!.config, "--node-listen", "127.0.0.1:\(otherPort)"], timeout: 20)
        #expect(second.output.contains("is already served by another tiersync daemon (pid \(first), listening on 127.0.0.1:\(tree.nodes["cn"]!.port))"), "\(second.output)")
        let notRestarted = try Self.statusesNotRestarted()
        #expect(second.status == 69 && notRestarted.contains(second.status), "\(second.status): \(second.output)")
        // The first daemon serves on, alone.
        let health = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "5", tree.url("cn", "/healthz")])
        #expect(health.output == "ok\n")
        let stray = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "2", "http://127.0.0.1:\(otherPort)/healthz"])
        #expect(stray.status != 0, "the second daemon listens: \(stray.output)")
    }

    @Test func busyListenAddressIsNamedAndNotRestarted() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let taken = "127.0.0.1:\(tree.nodes["cn"]!.port)"
        let result = try tree.command(["serve", "--config", tree.nodes["cn.gd"]!.config, "--node-listen", taken], timeout: 20)
        #expect(result.output.contains("node.listen \(taken) is in use by another process"), "\(result.output)")
        let notRestarted = try Self.statusesNotRestarted()
        #expect(result.status == 69 && notRestarted.contains(result.status), "\(result.status): \(result.output)")
        #expect(notRestarted.contains(64), "an invalid configuration is not restarted either")
    }

    @Test func parentURLWithAPathSaysItIsNotTheAPIRoot() async throws {
        let tree = try TestTree(["cn", "cn.gd"])
        try await tree.start(["cn"])
        let wrong = tree.url("cn", "/tiersync")
        let result = try tree.command(["sync", "--config", tree.nodes["cn.gd"]!.config, "--node-parent", wrong], timeout: 60)
        #expect(result.status != 0)
        #expect(result.output.contains("\(wrong) is not a TierSync node's API root (got 404 for /tiersync/v1/"), "\(result.output)")
        #expect(result.output.contains("node.parent must be the base URL, like http://host:port"), "\(result.output)")
    }

    @Test func cityPointedAtTheGroupIsToldWhereItsParentIs() async throws {
        let tree = try TestTree(["cn", "cn.gd", "cn.gd.sz"])
        try await tree.start(["cn"])
        let group = tree.url("cn")
        for _ in 0..<3 {
            let result = try tree.command(["sync", "--config", tree.nodes["cn.gd.sz"]!.config, "--node-parent", group], timeout: 60)
            #expect(result.status != 0)
            #expect(result.output.contains("node.parent (\(group)) points at cn (the group); cn.gd.sz's parent is cn.gd"), "\(result.output)")
        }
        // The group logs the refusal with the caller and the reason, once a minute.
        let stranger = try SignedCurl(tree: tree).call("cn", "GET", "/v1/pull?node=cn.js&after=0", key: NodeKey(generatingFor: try NodeID("cn.js"))).0
        #expect(stranger.status == 401, "\(stranger)")
        let logged = try await tree.eventually(10) { tree.log("cn").contains("sync.peer=cn.js sync.reason=unknown_signer") }
        #expect(logged, "\(tree.log("cn"))")
        let refusals = tree.log("cn").split(separator: "\n").filter { $0.contains("refused a child's request") }
        #expect(refusals.filter { $0.contains("sync.peer=cn.gd.sz") && $0.contains("sync.reason=not_a_child") && $0.contains("http.status=403") }.count == 1,
                "\(refusals.joined(separator: "\n"))")
    }

    @Test func misspelledEnvironmentVariableIsNamedWithTheNearestSetting() async throws {
        let tree = try TestTree(["cn"])
        try await tree.start(["cn"]) // status reads a node that has run
        let result = try tree.command(["status", "--config", tree.nodes["cn"]!.config], environment: ["TIERSYNC_SYNC_INTERVALL": "2"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("TIERSYNC_SYNC_INTERVALL matches no setting and is ignored; did you mean TIERSYNC_SYNC_INTERVAL (sync.interval)?"), "\(result.output)")
    }
}
