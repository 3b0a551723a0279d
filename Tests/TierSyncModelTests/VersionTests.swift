import Testing
import TierSyncModel

struct VersionTests {
    private func version(_ millis: Int64, _ origin: String) throws -> Version {
        Version(stamp: HybridTimestamp(millis: millis), origin: try NodeID(origin))
    }

    @Test func higherStampWins() throws {
        #expect(try version(2, "cn.gd.sz") > version(1, "cn"))
    }

    @Test func originBreaksTiesInByteOrder() throws {
        #expect(try version(5, "cn.gd") < version(5, "cn.gd.sz"))
        #expect(try version(5, "cn.gd.sz") < version(5, "cn.js"))
        #expect(try version(5, "cn") < version(5, "cn.gd"))
    }

    @Test func orderIsTotalAndTheSameInAnyArrivalOrder() throws {
        let versions = try [version(3, "cn.js.nj"), version(3, "cn"), version(1, "cn.gd.sz"), version(3, "cn.gd"), version(2, "cn.js")]
        let winner = versions.max()!
        for rotation in 0..<versions.count {
            let arrival = Array(versions[rotation...] + versions[..<rotation])
            #expect(arrival.reduce(arrival[0]) { max($0, $1) } == winner)
            #expect(arrival.reversed().reduce(arrival.last!) { max($0, $1) } == winner)
        }
        #expect(winner == (try version(3, "cn.js.nj")))
    }
}
