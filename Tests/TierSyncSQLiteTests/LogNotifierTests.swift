import Foundation
import Testing
import TierSyncEngine
import TierSyncTestTraits

/// The in-process signal that wakes held pulls and the sync loop when the log may have moved.
/// A wait says why it returned (true: a signal), so the checks do not depend on how fast a
/// loaded machine runs the test.
@Suite(.ownThread)
struct LogNotifierTests {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func aWaiterWakesAtTheSignalNotAtTheDeadline() async throws {
        let notifier = LogNotifier()
        let seen = notifier.generation
        let start = ContinuousClock.now
        async let woken = notifier.wait(after: seen, until: .now + .seconds(60))
        try await Task.sleep(for: .milliseconds(100))
        notifier.signal()
        #expect(await woken, "the waiter must wake at the signal, not at its deadline")
        #expect(Self.seconds(since: start) >= 0.09)
    }

    @Test func aSignalBetweenLookingAndWaitingIsNotLost() async {
        let notifier = LogNotifier()
        let seen = notifier.generation
        notifier.signal()
        #expect(await notifier.wait(after: seen, until: .now + .seconds(60)))
    }

    @Test func withoutASignalTheWaitEndsAtItsDeadline() async {
        let notifier = LogNotifier()
        let start = ContinuousClock.now
        #expect(await !notifier.wait(after: notifier.generation, until: .now + .milliseconds(300)))
        let waited = Self.seconds(since: start)
        #expect(waited >= 0.29, "waited \(waited) s")
    }

    @Test func everyWaiterWakesAndFinishEndsWaitsForGood() async throws {
        let notifier = LogNotifier()
        let seen = notifier.generation
        let waiters = (0..<5).map { _ in Task { await notifier.wait(after: seen, until: .now + .seconds(60)) } }
        try await Task.sleep(for: .milliseconds(100))
        notifier.signal()
        for waiter in waiters { #expect(await waiter.value) }

        let held = Task { await notifier.wait(after: notifier.generation, until: .now + .seconds(60)) }
        try await Task.sleep(for: .milliseconds(100))
        notifier.finish()
        #expect(await !held.value, "finish answers a held wait without a signal")
        #expect(await !notifier.wait(after: notifier.generation, until: .now + .seconds(600)), "a wait after finish returns at once")
        #expect(notifier.isFinished)
    }

    @Test func aCancelledWaitReturnsAtOnce() async throws {
        let notifier = LogNotifier()
        let waiter = Task { await notifier.wait(after: notifier.generation, until: .now + .seconds(600)) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        waiter.cancel()
        #expect(await !waiter.value)
        #expect(Self.seconds(since: start) < 50, "a cancelled wait must not last until its deadline")
    }
}
