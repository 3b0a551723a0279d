import Synchronization

/// The push position a parent acknowledged that a child has not written to its store yet,
/// and when it last wrote it: the one piece of a child's bookkeeping it keeps in memory
/// between rounds. Lost in a crash, it costs a resend of what the parent already applied,
/// which the parent skips.
final class PushPosition: Sendable {
    private struct State {
        var unwritten: Int64?
        var writtenAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    /// The acknowledged position not written yet, if any.
    var unwritten: Int64? { state.withLock { $0.unwritten } }

    /// Keeps `position` as acknowledged, to be written later.
    func acknowledge(_ position: Int64) {
        state.withLock { $0.unwritten = position }
    }

    /// Notes a write of the contact record, with `position` when one was waiting: unless a
    /// newer one was acknowledged meanwhile, nothing waits any more.
    func wrote(_ position: Int64?) {
        state.withLock { state in
            if state.unwritten == position { state.unwritten = nil }
            state.writtenAt = .now
        }
    }

    /// True when the last write is at least `every` old, or there was none.
    func isDue(every: Duration) -> Bool {
        state.withLock { state in state.writtenAt.map { ContinuousClock.now - $0 >= every } ?? true }
    }
}
