import Foundation
import Testing
@testable import TierSyncTestTraits

/// The traits that place tests: a test of `.ownThread` runs outside the cooperative pool,
/// and the daemon lanes let no more than their width in at once, in arrival order.
@Suite(.ownThread)
struct TestLaneTests {
    @Test func aTestRunsOnAThreadOfItsOwn() {
        // The name, cut to Linux's 15 bytes; the cooperative pool's threads are "…default-qos".
        #expect(Thread.current.name == "test aTestRunsO", "\(Thread.current.name ?? "unnamed")")
    }

    @Test func theLanesLetTheirWidthInAndThenTheLongestWaiter() async throws {
        let lanes = DaemonLanes(width: 2)
        await lanes.enter()
        await lanes.enter()
        let entered = Entered()
        let third = Task { await lanes.enter(); await entered.mark(3) }
        try await Task.sleep(for: .milliseconds(200))
        let fourth = Task { await lanes.enter(); await entered.mark(4) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(await entered.order == [], "no lane was free")
        await lanes.leave()
        await third.value
        try await Task.sleep(for: .milliseconds(200))
        #expect(await entered.order == [3], "one lane freed lets one waiter in, the first")
        await lanes.leave()
        await fourth.value
        #expect(await entered.order == [3, 4])
    }

    /// The waiters that got a lane, in the order they got it.
    actor Entered {
        var order: [Int] = []
        func mark(_ waiter: Int) { order.append(waiter) }
    }
}
