import Foundation
import Logging
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// The parent side of resync: digests of the rows a child should hold, and the states of
/// the rows in the digest leaves the child asks for.
///
/// The trees computed for a child's root request are kept for the requests that open
/// their ranges (``DigestCache``), so a table is read once per resync. The reads are
/// snapshots: pushes and pulls of every other node go on meanwhile.
public struct ResyncService: Sendable {
    /// The node's store.
    public let store: any ResyncStore
    let cache: DigestCache
    let service: ParentService
    let logger: Logger

    /// Creates the service over a store.
    public init(store: any ResyncStore, logger: Logger) {
        self.store = store
        self.logger = logger
        cache = DigestCache()
        service = ParentService(store: store, logger: logger)
    }

    /// Answers a digest request.
    public func digest(_ request: DigestRequest) async throws -> DigestResponse {
        let child = try service.child(request.node)
        guard (0...DigestTree.depth).contains(request.level) else {
            throw SyncError.badRequest("level must be 0 to \(DigestTree.depth), got \(request.level)")
        }
        let queries = request.tables ?? store.schema.tables.map { DigestQuery(table: $0.name) }
        for query in queries where store.schema.table(named: query.table) == nil {
            throw SyncError.badRequest("table \(query.table) is not synced here; this node syncs \(store.schema.tables.map(\.name).joined(separator: ", "))")
        }
        let scopes = ScopeSelection.sharedBy(parent: store.node, child: child)
        if request.level == 0 {
            let head = try await store.logHead()
            let digests = try await store.digests(of: queries.map(\.table), scopes: scopes)
            await cache.put(child, digests: digests, head: head, replacing: true)
            // A child whose cursor was refused takes this head as its cursor once repaired:
            // this log has served it everything through the head.
            try await store.recordContact(with: child, role: .child, pushed: nil, pulled: nil, error: nil)
            try await store.recordServed(to: child, through: head)
            if request.start == true {
                try await store.setResyncRequested(for: child, false)
                logger.info("resync started by child", metadata: ["sync.peer": "\(child)", "sync.head": "\(head)"])
            }
            return DigestResponse(algorithm: DigestTree.algorithm, epoch: store.epoch, head: head, level: 0, tables: queries.map { query in
                DigestAnswer(table: query.table, nodes: [digests[query.table]!.tree.root])
            })
        }
        let width = DigestTree.width(of: request.level - 1)
        var answers: [DigestAnswer] = []
        var head = try await store.logHead()
        for query in queries {
            let parents = query.parents ?? []
            guard parents.count <= width, parents.allSatisfy({ (0..<width).contains($0) }) else {
                throw SyncError.badRequest("table \(query.table): parents at level \(request.level - 1) must be at most \(width) indexes from 0 to \(width - 1)")
            }
            let digest: TableDigest
            if let cached = await cache.get(child, table: query.table) {
                digest = cached.digest
                head = cached.head
            } else {
                digest = try await store.digests(of: [query.table], scopes: scopes)[query.table]!
                await cache.put(child, digests: [query.table: digest], head: head, replacing: false)
            }
            answers.append(DigestAnswer(table: query.table, nodes: digest.tree.children(level: request.level, of: parents)))
        }
        return DigestResponse(algorithm: DigestTree.algorithm, epoch: store.epoch, head: head, level: request.level, tables: answers)
    }

    /// Answers a rows request: every state in the log, in those leaves, of a row the child
    /// holds under its current scope, with its values.
    public func rows(_ request: ResyncRowsRequest) async throws -> ResyncRowsResponse {
        let child = try service.child(request.node)
        guard let table = store.schema.table(named: request.table) else {
            throw SyncError.badRequest("table \(request.table) is not synced here; this node syncs \(store.schema.tables.map(\.name).joined(separator: ", "))")
        }
        guard !request.buckets.isEmpty, request.buckets.count <= DigestTree.leafCount,
              request.buckets.allSatisfy({ (0..<DigestTree.leafCount).contains($0) }) else {
            throw SyncError.badRequest("buckets must be 1 to \(DigestTree.leafCount) leaf indexes from 0 to \(DigestTree.leafCount - 1)")
        }
        // The locations the child's digest request noted, so the log is not read whole again.
        let locations = await cache.get(child, table: table.name)?.digest.locations
        let changes = try await store.states(of: table.name, buckets: Set(request.buckets), locations: locations, scopes: .heldBy(child))
        let schema = store.schema
        let purged = try await store.purgedHistory(of: table.name).seen.stamps
        return ResyncRowsResponse(
            columns: WireCoding.columns(for: changes, schema: schema), rules: WireCoding.rules(for: changes, schema: schema),
            changes: WireCoding.wireChanges(changes, schema: schema),
            purged: purged.isEmpty ? nil : Dictionary(uniqueKeysWithValues: purged.map { ($0.key.description, $0.value.rawValue) }))
    }
}

/// The digest trees computed for each child's last root request, kept for 10 minutes so
/// that opening their ranges does not read the tables again.
actor DigestCache {
    private struct Entry {
        var digests: [String: TableDigest]
        var head: Int64
        var at: Date
    }

    private var entries: [NodeID: Entry] = [:]
    private let lifetime: TimeInterval = 600

    /// Keeps trees: a root request replaces the child's entry, a later recomputation adds to it.
    func put(_ child: NodeID, digests: [String: TableDigest], head: Int64, replacing: Bool) {
        let now = Date()
        entries = entries.filter { now.timeIntervalSince($0.value.at) < lifetime }
        if !replacing, var entry = entries[child] {
            entry.digests.merge(digests) { $1 }
            entries[child] = entry
        } else {
            entries[child] = Entry(digests: digests, head: head, at: now)
        }
    }

    func get(_ child: NodeID, table: String) -> (digest: TableDigest, head: Int64)? {
        guard let entry = entries[child], Date().timeIntervalSince(entry.at) < lifetime, let digest = entry.digests[table] else { return nil }
        return (digest, entry.head)
    }
}
