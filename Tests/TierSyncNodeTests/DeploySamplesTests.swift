import Foundation
import Testing
import TierSyncModel
import TierSyncNode

/// The sample configurations in Deploy/ parse, and each sits at the tier it claims.
struct DeploySamplesTests {
    static let deploy = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy")

    @Test(arguments: [("group.conf", Tier.group), ("province.conf", .province), ("city.conf", .city)])
    func sampleParses(_ name: String, _ tier: Tier) throws {
        let configuration = try ConfigurationReader.read(file: Self.deploy.appendingPathComponent(name).path, environment: [:], flags: [:])
        #expect(configuration.node.tier == tier)
        #expect((configuration.parent == nil) == (tier == .group))
    }
}
