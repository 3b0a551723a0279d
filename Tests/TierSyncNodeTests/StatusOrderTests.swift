import Foundation
import Testing
import TierSyncModel
import TierSyncStore

/// The orders of the status page and `tiersync status`: the children in trouble first.
struct StatusOrderTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)

    /// Four children: one failing, one never heard from, one quiet for an hour with errors,
    /// one current.
    static let ranks: [StatusOrder.Rank] = [
        .init(node: try! NodeID("cn.gd.aa"), lastContact: now.addingTimeInterval(-5), problems: 0, failing: false),
        .init(node: try! NodeID("cn.gd.bb"), lastContact: now.addingTimeInterval(-3600), problems: 4, failing: false),
        .init(node: try! NodeID("cn.gd.cc"), lastContact: nil, problems: 0, failing: false),
        .init(node: try! NodeID("cn.gd.dd"), lastContact: now.addingTimeInterval(-10), problems: 1, failing: true),
    ]

    static func order(_ order: StatusOrder) -> [String] {
        order.sorted(ranks, now: now) { $0 }.map(\.node.description)
    }

    @Test func eachOrderPutsItsTroubleFirst() {
        #expect(Self.order(.worst) == ["cn.gd.dd", "cn.gd.cc", "cn.gd.bb", "cn.gd.aa"])
        #expect(Self.order(.lag) == ["cn.gd.cc", "cn.gd.bb", "cn.gd.dd", "cn.gd.aa"])
        #expect(Self.order(.errors) == ["cn.gd.dd", "cn.gd.bb", "cn.gd.cc", "cn.gd.aa"])
        #expect(Self.order(.tree) == ["cn.gd.aa", "cn.gd.bb", "cn.gd.cc", "cn.gd.dd"])
    }

    @Test func aFilterShowsOneSubtreeAndAnUnknownOrderIsNamed() throws {
        let province = try NodeID("cn.gd")
        let city = try NodeID("cn.gd.sz"), elsewhere = try NodeID("cn.js.nj"), group = try NodeID("cn")
        #expect(StatusOrder.shows(city, filter: province) && StatusOrder.shows(province, filter: province))
        #expect(!StatusOrder.shows(elsewhere, filter: province) && !StatusOrder.shows(group, filter: province))
        #expect(StatusOrder.shows(group, filter: nil))
        #expect { try StatusOrder(parsing: "slow", key: "sort") } throws: { "\($0)" == "invalid value 'slow' for sort: expected worst, lag, errors, tree" }
    }
}
