import Foundation
import Testing
import TierSyncAuth
import TierSyncModel
import TierSyncNode

/// `tiersync init`: the tree file, and every node's configuration and key written from it.
struct TreeInitTests {
    static let sample = DeploySamplesTests.deploy.appendingPathComponent("national.tree")

    /// A fresh directory, removed when the test ends.
    final class Directory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-init-\(UUID().uuidString.prefix(8))")
        init() { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    static func tree(_ text: String) throws -> TreeFile {
        try TreeFile(parsing: text, file: "tree")
    }

    @Test func theNationalSampleHasThirtyOneProvincesWithCitiesEach() throws {
        let tree = try TreeFile(parsing: String(contentsOf: Self.sample, encoding: .utf8), file: "national.tree")
        let provinces = tree.nodes.filter { $0.id.tier == .province }
        #expect(provinces.count == 31)
        for province in provinces { #expect(tree.children(of: province.id).count >= 2, "\(province.id)") }
        #expect(tree.nodes.filter { $0.id.tier == .group }.map(\.id.description) == ["cn"])
    }

    /// Every node's configuration reads back; a parent accepts exactly its children's keys
    /// and expects exactly them; a child's parent URL is its parent's address; keys are 0600.
    @Test func everyParentAcceptsExactlyItsChildrensKeys() throws {
        let directory = Directory()
        let tree = try TreeFile(parsing: String(contentsOf: Self.sample, encoding: .utf8), file: "national.tree")
        let report = try TreeInit(tree: tree, directory: directory.url).run()
        #expect(report.keysCreated.count == tree.nodes.count && report.unchanged.isEmpty && report.stale.isEmpty)
        for node in tree.nodes {
            let configuration = try ConfigurationReader.read(file: directory.path("\(node.id).conf"), environment: [:], flags: [:])
            let key = try NodeKey(contentsOf: configuration.keyPath)
            #expect(key.node == node.id && configuration.listenHost == node.host && configuration.listenPort == node.port)
            let mode = try FileManager.default.attributesOfItem(atPath: configuration.keyPath)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            let children = tree.children(of: node.id).map(\.id)
            #expect(Set(configuration.children.keys) == Set(children) && Set(configuration.expectedChildren) == Set(children))
            for child in children {
                #expect(configuration.children[child] == (try NodeKey(contentsOf: directory.path("\(child).key"))).publicKey)
            }
            if let parent = node.id.parent, let up = tree.node(parent) {
                #expect(configuration.parent?.absoluteString == "http://\(up.host):\(up.port)")
            } else {
                #expect(configuration.parent == nil)
            }
        }
        let instances = try String(contentsOfFile: directory.path("instances.txt"), encoding: .utf8)
        #expect(instances.contains("10.19.2.1\tsystemctl enable --now tiersync@cn.gd.sz.service"))
    }

    /// Run again with a city removed and one added: only the files that change are written,
    /// only the new city gets a key, no key is replaced, and the removed city is reported.
    @Test func runningAgainChangesOnlyWhatItMust() throws {
        let directory = Directory()
        let first = try Self.tree("cn 127.0.0.1:7400\ncn.gd 127.0.0.1:7401\ncn.gd.sz 127.0.0.1:7402\ncn.gd.gz 127.0.0.1:7403\ncn.js 127.0.0.1:7404\n")
        _ = try TreeInit(tree: first, directory: directory.url).run()
        let keys = try ["cn", "cn.gd", "cn.gd.sz", "cn.js"].map { try String(contentsOfFile: directory.path("\($0).key"), encoding: .utf8) }
        let again = try TreeInit(tree: first, directory: directory.url).run()
        #expect(again.written.isEmpty && again.keysCreated.isEmpty && again.unchanged.count == 6)

        let second = try Self.tree("cn 127.0.0.1:7400\ncn.gd 127.0.0.1:7401\ncn.gd.sz 127.0.0.1:7402\ncn.js 127.0.0.1:7404\ncn.js.nj 127.0.0.1:7405 /srv/nj.sqlite\n")
        let report = try TreeInit(tree: second, directory: directory.url).run()
        #expect(report.keysCreated == [try NodeID("cn.js.nj")])
        #expect(Set(report.written) == ["cn.js.nj.key", "cn.js.nj.conf", "cn.gd.conf", "cn.js.conf", "instances.txt"])
        #expect(report.stale == [try NodeID("cn.gd.gz")])
        #expect(try ["cn", "cn.gd", "cn.gd.sz", "cn.js"].map { try String(contentsOfFile: directory.path("\($0).key"), encoding: .utf8) } == keys)
        let province = try ConfigurationReader.read(file: directory.path("cn.gd.conf"), environment: [:], flags: [:])
        #expect(Array(province.children.keys) == [try NodeID("cn.gd.sz")])
        let city = try ConfigurationReader.read(file: directory.path("cn.js.nj.conf"), environment: [:], flags: [:])
        #expect(city.databasePath == "/srv/nj.sqlite")
    }

    @Test(arguments: [
        ("cn 10.0.0.1:7400\ncn 10.0.0.2:7400\n", "tree:2: cn is listed twice (first on line 1)"),
        ("cn 10.0.0.1:7400\ncn.gd.sz 10.0.0.2:7400\n", "tree:2: the parent cn.gd of cn.gd.sz is not in the tree"),
        ("cn 10.0.0.1\n", "tree:1: address '10.0.0.1' of cn is not host:port"),
        ("cn 10.0.0.1:70000\n", "tree:1: address '10.0.0.1:70000' of cn is not host:port"),
        ("# none\ncn.gd 10.0.0.1:7400\n", "tree: the tree has no group node"),
        ("cn 10.0.0.1:7400\nus 10.0.0.2:7400\n", "tree:2: the tree has more than one group node: cn, us"),
        ("cn 10.0.0.1:7400\ncn.gd 10.0.0.1:7400\n", "tree:2: cn.gd and cn share the address 10.0.0.1:7400"),
        ("cn\n", "tree:1: node cn has no address"),
        ("CN 10.0.0.1:7400\n", "tree:1: "),
        ("cn 10.0.0.1:7400 a.sqlite extra\n", "tree:1: expected 'id host:port [database]', found 4 fields"),
    ])
    func aMistakeIsNamedWithItsLine(_ text: String, _ message: String) {
        #expect(throws: TreeFile.Mistake.self) { try Self.tree(text) }
        do {
            _ = try Self.tree(text)
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    /// A rotation: the node gets a new key, its old one retires, and its parent accepts
    /// both; a second rotation waits for the retirement; retiring leaves the new key alone.
    @Test func aKeyRotationTakesTwoRunsAndTheParentAcceptsBothBetween() throws {
        let directory = Directory()
        let tree = try Self.tree("cn 127.0.0.1:7400\ncn.gd 127.0.0.1:7401\ncn.gd.sz 127.0.0.1:7402\n")
        _ = try TreeInit(tree: tree, directory: directory.url).run()
        let sz = try NodeID("cn.gd.sz")
        let old = try NodeKey(contentsOf: directory.path("cn.gd.sz.key")).publicKey
        var rotation = TreeInit(tree: tree, directory: directory.url)
        rotation.rotate = [sz]
        let rotated = try rotation.run()
        #expect(rotated.rotated == [sz] && Set(rotated.written) == ["cn.gd.sz.key", "cn.gd.conf"])
        let new = try NodeKey(contentsOf: directory.path("cn.gd.sz.key")).publicKey
        #expect(new != old)
        let during = try ConfigurationReader.read(file: directory.path("cn.gd.conf"), environment: [:], flags: [:])
        #expect(during.children[sz] == new && during.retiringChildKeys[sz] == old)
        // Running again keeps both; rotating again is refused until the old key retires.
        #expect(try TreeInit(tree: tree, directory: directory.url).run().written.isEmpty)
        #expect { try rotation.run() } throws: { "\($0)".contains("a rotation of cn.gd.sz is under way") }
        var retirement = TreeInit(tree: tree, directory: directory.url)
        retirement.retire = [sz]
        let retired = try retirement.run()
        #expect(retired.retired == [sz] && retired.written == ["cn.gd.conf"])
        let after = try ConfigurationReader.read(file: directory.path("cn.gd.conf"), environment: [:], flags: [:])
        #expect(after.children[sz] == new && after.retiringChildKeys.isEmpty)
        #expect { try retirement.run() } throws: { "\($0)".contains("cn.gd.sz has no retiring key") }
        var group = TreeInit(tree: tree, directory: directory.url)
        group.rotate = [try NodeID("cn")]
        #expect { try group.run() } throws: { "\($0)".contains("cn is the group") }
    }

    @Test func aChildsEntryHoldsOneKeyOrTwoDuringARotation() throws {
        let directory = Directory()
        let one = NodeKey(generatingFor: try NodeID("cn.gd.sz")).publicKey, two = NodeKey(generatingFor: try NodeID("cn.gd.sz")).publicKey
        for (value, accepted) in [("\(one)", true), ("\(one), \(two)", true), ("\(one), \(two), \(one)", false), ("\(one),", false)] {
            try "[node]\nid = \"cn.gd\"\nparent = \"http://127.0.0.1:7400\"\n[children]\ncn.gd.sz = \"\(value)\"\n"
                .write(toFile: directory.path("p.conf"), atomically: true, encoding: .utf8)
            if accepted {
                let configuration = try ConfigurationReader.read(file: directory.path("p.conf"), environment: [:], flags: [:])
                #expect(configuration.retiringChildKeys[try NodeID("cn.gd.sz")] == (value.contains(",") ? two : nil))
            } else {
                #expect { try ConfigurationReader.read(file: directory.path("p.conf"), environment: [:], flags: [:]) } throws: {
                    "\($0)".contains("the new key, a comma and the retiring one")
                }
            }
        }
    }
}
