import Foundation
import Testing
@testable import TierSyncTestTraits

/// The traits that place tests: a body in the scope of `.ownThread` runs outside the
/// cooperative pool, before and after it awaits, and the daemon lanes let no more than
/// their width in at once, in arrival order.
@Suite(.ownThread)
struct TestLaneTests {
    @Test func aTestRunsOnAThreadOfItsOwn() async throws {
        // The lane's scope, entered as Swift Testing enters it, with a body of our own; the
        // name is cut to Linux's 15 bytes, and the pool's threads are "…default-qos".
        let test = try #require(Test.current)
        for _ in 0..<20 {
            let seen = Seen()
            try await TestLane.ownThread.provideScope(for: test, testCase: Test.Case.current) {
                await seen.record(Self.threadName())
                try await Task.sleep(for: .milliseconds(1))
                await seen.record(Self.threadName())
            }
            #expect(await seen.names == ["test aTestRunsO", "test aTestRunsO"])
        }
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

    /// The name of the thread this runs on (a synchronous read: async code may not ask).
    static func threadName() -> String? { Thread.current.name }

    /// The names of the threads a body ran on, in order.
    actor Seen {
        var names: [String?] = []
        func record(_ name: String?) { names.append(name) }
    }

    /// The waiters that got a lane, in the order they got it.
    actor Entered {
        var order: [Int] = []
        func mark(_ waiter: Int) { order.append(waiter) }
    }
}
