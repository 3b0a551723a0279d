import Foundation
import Testing
import TierSyncTesting

/// Where a test runs: on a thread of its own, and, for tests that start daemons, only while
/// one of a bounded number of lanes is free.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core.
/// A test that waits synchronously (for a `sqlite3` or `curl` process, for a daemon to
/// exit) holds one of those threads while it waits; on a 2-core machine a few such tests
/// held both, and unrelated tests of the same process, unit tests included, waited for
/// minutes and missed their deadlines. On a thread of its own, a test's waits hold only
/// that thread.
///
/// The lanes bound how many daemon-driving tests run at once, so that a loaded machine
/// slows each of them down by a bounded factor rather than by the number of suites. A
/// test waits for a lane before its own clock starts: its deadlines are never spent in
/// the queue. The width is `TIERSYNC_TEST_LANES` when set, else twice the core count.
///
/// Apply it to a suite (`@Suite(.serialized, .daemons)`) or to one test; it applies to
/// each test case separately.
public struct TestLane: SuiteTrait, TestTrait, TestScoping {
    /// Whether the test must hold one of the daemon lanes while it runs.
    public let holdsDaemonLane: Bool

    /// Applies to every test of a suite it is given to.
    public var isRecursive: Bool { true }

    /// One scope per test case: never around a whole suite, whose tests would share a thread.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> TestLane? {
        testCase == nil ? nil : self
    }

    /// Runs the test case on a new thread of its own, holding a daemon lane if it needs one.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if holdsDaemonLane { await DaemonLanes.shared.enter() }
        let executor = DedicatedThreadExecutor(name: "test \(test.name)")
        do {
            try await withTaskExecutorPreference(executor) { try await function() }
        } catch {
            executor.shutdown()
            if holdsDaemonLane { await DaemonLanes.shared.leave() }
            throw error
        }
        executor.shutdown()
        if holdsDaemonLane { await DaemonLanes.shared.leave() }
    }
}

extension Trait where Self == TestLane {
    /// Runs each test on a thread of its own: for long synchronous work between awaits.
    public static var ownThread: TestLane { TestLane(holdsDaemonLane: false) }
    /// Runs each test on a thread of its own, while holding one of the bounded daemon lanes:
    /// for tests that start `tiersync` daemons or other processes and wait for them.
    public static var daemons: TestLane { TestLane(holdsDaemonLane: true) }
}

/// The bounded lanes of ``TestLane/daemons``: a counting semaphore whose waiters enter in
/// the order they came.
actor DaemonLanes {
    /// The one set of lanes of the test process.
    static let shared = DaemonLanes(width: DaemonLanes.configuredWidth)

    /// `TIERSYNC_TEST_LANES` when set to a positive number, else twice the core count.
    static var configuredWidth: Int {
        if let text = ProcessInfo.processInfo.environment["TIERSYNC_TEST_LANES"], let width = Int(text), width > 0 {
            return width
        }
        return max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)
    }

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    /// Waits until a lane is free and takes it.
    func enter() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives the lane back, to the longest waiter if there is one.
    func leave() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
