import Foundation
import TierSyncModel
import TierSyncStore

/// When a node may forget history (SYNC.md 14): a tombstone or an eviction record goes once
/// every peer that needs it has acknowledged it, and once it is older than the grace period.
///
/// - Up: the parent's acknowledgement of this node's pushes (`pushed` in the parent's peer
///   record here). The parent keeps the entry in its own log until its own peers have it.
/// - Down: every child's acknowledgement of its pulls (`pulled`: what it has applied). A
///   child named in the configuration that has never pulled holds everything back, as
///   does one that stopped pulling, until it returns or an operator removes it
///   (`tiersync children remove`).
/// - Grace: an entry stays until every peer has had it for ``graceSeconds`` (the horizon
///   as it stood that long ago, kept by the store) and its write is that old too, so that a
///   delayed or replayed copy of an older write, or a node restored from a backup younger
///   than the grace period, cannot bring the row back.
///
/// A new local write of a purged key starts from what the purged tombstones had seen
/// (``PurgedHistory``), and a resync deletes at a child the rows its parent's purged
/// history covers, so tombstones of every table go, whatever its rules.
public struct Retention: Sendable {
    /// The default grace period: 7 days.
    public static let defaultGraceSeconds = 7 * 86_400

    /// Seconds a tombstone or eviction record is kept once every peer has it (and after its
    /// write).
    public var graceSeconds: Int
    /// The children that must pull an entry before it goes, besides those the store has a
    /// record of (a configured child that never called holds everything back).
    public var children: [NodeID]

    /// Creates the rules for a node.
    public init(graceSeconds: Int = Retention.defaultGraceSeconds, children: [NodeID] = []) {
        self.graceSeconds = graceSeconds
        self.children = children
    }

    /// The lowest position some peer of `node` still needs, and which peer that is: the
    /// log head when the node has no peer at all.
    public func horizon(of node: NodeID, peers: [PeerState], head: Int64) -> RetentionHorizon {
        var lowest: (position: Int64, peer: String, role: PeerRole)?
        func consider(_ position: Int64, _ peer: NodeID, _ role: PeerRole) {
            if lowest == nil || position < lowest!.position || (position == lowest!.position && peer.description < lowest!.peer) {
                lowest = (position, peer.description, role)
            }
        }
        let records = Dictionary(peers.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        if let parent = node.parent {
            consider(records[parent]?.pushed ?? 0, parent, .parent)
        }
        let recorded = peers.filter { $0.role == .child }.map(\.node)
        for child in Set(children + recorded) {
            consider(records[child]?.pulled ?? 0, child, .child)
        }
        return RetentionHorizon(through: min(lowest?.position ?? head, head), heldBy: lowest?.peer, heldByRole: lowest?.role,
                                graceSeconds: graceSeconds)
    }

    /// The node's horizon now.
    public func horizon(of store: any ChangeStore) async throws -> RetentionHorizon {
        horizon(of: store.node, peers: try await store.peers(), head: try await store.logHead())
    }

    /// Purges what every peer has and the grace period has passed, in transactions of at
    /// most `limit` items each, and returns what went in all.
    public func purge(_ store: any ChangeStore, now: Date = Date(), limit: Int = 5000) async throws -> PurgeOutcome {
        let horizon = try await horizon(of: store)
        // The grace period runs from the acknowledgement, not only from the write: a
        // deletion written long ago that reached every peer a minute ago stays for the grace.
        let acknowledgedLongAgo = try await store.recordHorizon(horizon.through, at: now, age: graceSeconds)
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        let request = PurgeRequest(
            through: min(horizon.through, acknowledgedLongAgo), before: HybridTimestamp(millis: nowMillis - Int64(graceSeconds) * 1000),
            tables: Set(store.schema.tables.map(\.name)), limit: limit)
        var total = PurgeOutcome(tombstones: 0, evictionRecords: 0, purgedThrough: 0, more: true)
        while total.more {
            let outcome = try await store.purge(request)
            total = PurgeOutcome(tombstones: total.tombstones + outcome.tombstones, evictionRecords: total.evictionRecords + outcome.evictionRecords,
                                 purgedThrough: outcome.purgedThrough,
                                 more: outcome.more && outcome.tombstones + outcome.evictionRecords > 0)
        }
        return total
    }
}
