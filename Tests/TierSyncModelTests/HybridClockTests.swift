import Testing
import TierSyncModel

struct HybridClockTests {
    @Test func stampsPackMillisAndCounter() {
        let stamp = HybridTimestamp(millis: 1_700_000_000_000, counter: 7)
        #expect(stamp.millis == 1_700_000_000_000)
        #expect(stamp.counter == 7)
        #expect(HybridTimestamp(millis: 5, counter: 65535) < HybridTimestamp(millis: 6, counter: 0))
    }

    @Test func tickNeverGoesBackwardsWhenTheWallClockDoes() {
        var clock = HybridClock()
        let first = clock.tick(nowMillis: 10_000)
        let second = clock.tick(nowMillis: 9_000)
        let third = clock.tick(nowMillis: 9_000)
        #expect(first < second && second < third)
        #expect(second.millis == 10_000 && second.counter == 1)
    }

    @Test func observingARemoteStampMovesLaterTicksPastIt() throws {
        let group = try NodeID("cn")
        var clock = HybridClock()
        _ = clock.tick(nowMillis: 1_000)
        let remote = HybridTimestamp(millis: 30_500, counter: 3)
        #expect(clock.observe(remote, from: group, nowMillis: 1_000) == nil, "29.5 s ahead is within the default bound")
        let next = clock.tick(nowMillis: 1_001)
        #expect(next > remote)
        clock.observe(HybridTimestamp(millis: 1, counter: 0), from: group, nowMillis: 1_002)
        #expect(clock.tick(nowMillis: 1_002) > next)
    }

    @Test func aStampBeyondTheLeadLeavesTheClockWhereItWas() throws {
        var clock = HybridClock()
        let before = clock.tick(nowMillis: 1_000)
        let far = HybridTimestamp(millis: 61_000, counter: 0)
        let excess = try #require(clock.observe(far, from: try NodeID("cn.gd"), nowMillis: 1_000))
        #expect(excess.leadMillis == 60_000 && excess.limit == 30 && excess.writer.description == "cn.gd")
        #expect(clock.last == before, "the clock did not move")
        #expect(clock.observe(far, from: try NodeID("cn.gd"), nowMillis: 1_000, lead: StampLead(seconds: 60)) == nil)
        #expect(clock.last == far)
    }
}
