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

    @Test func observingARemoteStampMovesLaterTicksPastIt() {
        var clock = HybridClock()
        _ = clock.tick(nowMillis: 1_000)
        let remote = HybridTimestamp(millis: 50_000, counter: 3)
        clock.observe(remote)
        let next = clock.tick(nowMillis: 1_001)
        #expect(next > remote)
        clock.observe(HybridTimestamp(millis: 1, counter: 0))
        #expect(clock.tick(nowMillis: 1_002) > next)
    }
}
