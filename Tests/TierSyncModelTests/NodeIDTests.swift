import Testing
import TierSyncModel

struct NodeIDTests {
    @Test func tiersFollowFromDepth() throws {
        #expect(try NodeID("cn").tier == .group)
        #expect(try NodeID("cn.gd").tier == .province)
        #expect(try NodeID("cn.gd.sz").tier == .city)
        #expect(try NodeID("cn.gd.sz").parent == NodeID("cn.gd"))
        #expect(try NodeID("cn").parent == nil)
    }

    @Test func containmentFollowsThePath() throws {
        let province = try NodeID("cn.gd")
        #expect(province.contains(try NodeID("cn.gd.sz")))
        #expect(province.contains(province))
        #expect(!province.isAncestor(of: province))
        #expect(!province.contains(try NodeID("cn.gdx")))
        #expect(!province.contains(try NodeID("cn")))
    }

    @Test(arguments: ["", "cn..gd", "CN", "cn.gd.sz.x", "cn/gd", ".cn"])
    func invalidIDsAreRefusedWithAReason(_ text: String) {
        #expect(throws: ModelError.self) { try NodeID(text) }
    }
}
