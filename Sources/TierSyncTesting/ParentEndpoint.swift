import Synchronization
import TierSyncEngine

/// Where a child reaches its parent in process: the parent's current ``ParentService``.
/// A test that "restarts" the parent (its store closed and opened again) puts the new
/// service here, and every child's ``InProcessLink`` reaches it from then on, as a child
/// reaches a restarted daemon at the same address.
public final class ParentEndpoint: Sendable {
    private let current: Mutex<ParentService>

    /// Creates the endpoint of `service`.
    public init(_ service: ParentService) {
        current = Mutex(service)
    }

    /// The service that answers now.
    public var service: ParentService {
        current.withLock { $0 }
    }

    /// Puts `service` in place of the one that answered before.
    public func restart(with service: ParentService) {
        current.withLock { $0 = service }
    }
}
