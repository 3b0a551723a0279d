import Synchronization
import TierSyncWire

/// The faults an ``InProcessLink`` applies, in order, one per request: a test queues
/// them (``queue(_:)``), and a request that finds the queue empty is delivered. Also keeps
/// the child's recent pushes, for ``LinkFault/replayEarlier``, and counts what was applied.
///
/// Shared by every link of one edge, so that a child that "restarts" with a new link meets
/// the faults queued for it and its old pushes can still arrive late.
public final class LinkFaults: Sendable {
    private struct State {
        var queued: [LinkFault] = []
        var recent: [PushRequest] = []
        var applied: [LinkFault: Int] = [:]
    }

    private let state = Mutex(State())
    /// How many recent pushes are kept for replays.
    public let memory: Int

    /// Creates an empty plan that keeps the last `memory` pushes.
    public init(memory: Int = 8) {
        self.memory = memory
    }

    /// Queues faults for the next requests, after those queued before.
    public func queue(_ faults: [LinkFault]) {
        state.withLock { $0.queued += faults }
    }

    /// Drops the faults still queued: every later request is delivered.
    public func clear() {
        state.withLock { $0.queued.removeAll() }
    }

    /// How many times each fault was applied so far (``LinkFault/deliver`` included).
    public var applied: [LinkFault: Int] {
        state.withLock { $0.applied }
    }

    /// Takes the fault for the next request; `push` is that request when it is a push. A
    /// replay queued before the child's first push is a delivery.
    func next(push: PushRequest?) -> (fault: LinkFault, replay: PushRequest?) {
        state.withLock { state in
            var fault = state.queued.isEmpty ? .deliver : state.queued.removeFirst()
            var replay: PushRequest?
            if fault == .replayEarlier {
                // The oldest push kept; it may come again at a later replay.
                replay = state.recent.first
                if replay == nil { fault = .deliver }
            }
            state.applied[fault, default: 0] += 1
            if let push {
                state.recent.append(push)
                if state.recent.count > memory { state.recent.removeFirst() }
            }
            return (fault, replay)
        }
    }
}
