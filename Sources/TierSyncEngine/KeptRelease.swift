import Logging
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// Applies the changes a node kept from a newer schema (``KeptChange``) once they fit the
/// schema it runs: at every start, since only a new schema file makes them fit.
///
/// Each is applied as its push or pull answer would have been, with its sender's rights,
/// in the order received. A change received since that supersedes it is not undone, since
/// a merge does not depend on the order changes arrive in; an eviction kept with them is
/// applied only after every change of its table kept before it (SYNC.md 2.1).
public enum KeptRelease {
    /// How many kept changes one read, and one transaction, takes at most.
    static let page = 500

    /// Applies every kept change that fits the store's schema now, and leaves the others
    /// kept, each with a warning that says why. Returns how many were released.
    public static func run(_ store: any ChangeStore, logger: Logger) async throws -> Int {
        var after: Int64 = 0
        var released = 0
        // Tables with a kept change left behind: their kept evictions wait for it.
        var blocked: Set<String> = []
        var pending = Pending()
        while true {
            let kept = try await store.keptChanges(after: after, limit: page)
            guard let last = kept.last else { break }
            after = last.id
            for item in kept {
                if let source = pending.source, source != item.source || pending.fromChild != item.fromChild {
                    released += try await pending.flush(store)
                }
                switch BatchIntake.reread(item, schema: store.schema) {
                case let .change(change):
                    // Its shape and its sender's rights are checked by the apply, which
                    // refuses it into the error queue as it would have refused it then.
                    pending.add(item, change: change)
                case let .eviction(eviction) where !blocked.contains(item.table):
                    pending.add(item, eviction: eviction)
                    // An eviction follows the changes before it: they go in one apply, the
                    // eviction after them.
                    released += try await pending.flush(store)
                case .eviction:
                    stays(item, "a change of its table kept before it is still kept", blocked: &blocked, logger: logger)
                case let .stays(reason):
                    stays(item, reason, blocked: &blocked, logger: logger)
                }
            }
            released += try await pending.flush(store)
        }
        if released > 0 {
            logger.info("applied changes kept from a newer schema", metadata: ["sync.released": "\(released)"])
        }
        return released
    }

    private static func stays(_ item: KeptChange, _ reason: String, blocked: inout Set<String>, logger: Logger) {
        blocked.insert(item.table)
        logger.warning("a change kept from a newer schema stays kept", metadata: [
            "sync.kept": "\(item.id)", "sync.table": "\(item.table)", "sync.peer": "\(item.source)",
            "sync.schema_version": "\(item.schemaVersion)", "sync.reason": "\(reason)",
        ])
    }

    /// The kept changes of one sender read so far and not yet applied.
    private struct Pending {
        var source: NodeID?
        var fromChild = false
        var ids: [Int64] = []
        var changes: [Change] = []
        var evictions: [Eviction] = []

        mutating func add(_ item: KeptChange, change: Change? = nil, eviction: Eviction? = nil) {
            source = item.source
            fromChild = item.fromChild
            ids.append(item.id)
            if let change { changes.append(change) }
            if let eviction { evictions.append(eviction) }
        }

        /// Applies what was read, and removes it from the keeping, in one transaction.
        mutating func flush(_ store: any ChangeStore) async throws -> Int {
            guard let source, !ids.isEmpty else { return 0 }
            _ = try await store.apply(changes, evictions: evictions, keeping: [], cursor: .released(kept: ids, source: source, fromChild: fromChild))
            let count = ids.count
            self = Pending()
            return count
        }
    }
}
