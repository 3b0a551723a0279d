import Synchronization

/// Wakes the tasks of one process that wait for the node's change log to move: a parent's
/// held pulls (long-poll) and the child's sync loop.
///
/// Whatever may have moved the log signals it: an apply of a child's push or of a pull
/// answer, and the watcher of the database file for commits made by any connection. A
/// signal says only "look again"; each waiter reads the log head itself. A waiter reads
/// ``generation`` before it looks at the log and passes it to ``wait(after:until:)``, so
/// that a signal sent between its look and its wait is not lost.
public final class LogNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var finished = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Creates a notifier that has not signalled yet.
    public init() {}

    /// The number of signals so far.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// True once ``finish()`` was called.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Wakes every task waiting now.
    public func signal() {
        let woken = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume(returning: true) }
    }

    /// Wakes every waiter, now and later, without a signal: the node is shutting down, and
    /// held requests answer at once.
    public func finish() {
        let woken = state.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume(returning: false) }
    }

    /// Waits until a signal after `generation`, and returns true; returns false at
    /// `deadline`, when the task is cancelled, or once the notifier is finished. Returns at
    /// once when a signal came after `generation` already.
    public func wait(after generation: UInt64, until deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.signalled(after: generation) }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Suspends until a signal after `generation` (true), or until cancelled or finished (false).
    private func signalled(after generation: UInt64) async -> Bool {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now: Bool? = state.withLock { state in
                    if state.generation != generation { return true }
                    // A cancellation before this point found no waiter to wake: look here.
                    if state.finished || Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }
}
