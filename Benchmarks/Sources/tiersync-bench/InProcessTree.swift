import Foundation
import GRDB
import TierSyncEngine
import TierSyncModel
import TierSyncSQLite
import TierSyncTesting

/// A whole tree in one process, made of the real parts: one `SQLiteStore` file per node,
/// each parent's `ParentService`, and each child's `ChildReplicator` reaching its parent
/// through `InProcessLink` (every request and answer through the wire encoding, every
/// refusal as HTTP would report it). No daemon, no socket: what is left is the stores'
/// work and the protocol's.
final class InProcessTree {
    /// What one pass of rounds over some children did.
    struct Pass: Sendable {
        /// Children that ran a round.
        var children = 0
        /// Changes they pushed.
        var pushed = 0
        /// Changes they pulled and applied.
        var pulled = 0
        /// Children whose round did not end caught up.
        var behind: [NodeID] = []
        /// Wall-clock seconds of the pass.
        var seconds = 0.0
    }

    /// Where the files are.
    let directory: URL
    /// Each node's store.
    let stores: [NodeID: SQLiteStore]
    /// Each child's replicator, talking to its parent's service.
    let replicators: [NodeID: ChildReplicator]
    private var closed = false

    /// Opens (creating them) the stores of `nodes` under `schema` in `directory`, a parent
    /// service for every node with a child among them, and a replicator for every child.
    /// - Throws: ``BenchError/failed(_:)`` naming the node whose store did not open; the
    ///   stores opened before it are closed.
    init(nodes: [NodeID], schema: SyncSchema, directory: URL) throws {
        self.directory = directory
        var stores: [NodeID: SQLiteStore] = [:]
        for node in nodes {
            do {
                stores[node] = try SQLiteStore(path: Self.path(of: node, in: directory), node: node, schema: schema)
            } catch {
                for store in stores.values { try? store.close() }
                throw BenchError.failed("national: cannot open the store of \(node) (\(stores.count) of \(nodes.count) open): \(error)")
            }
        }
        var services: [NodeID: ParentService] = [:]
        for node in nodes where nodes.contains(where: { $0.parent == node }) {
            services[node] = ParentService(store: stores[node]!, logger: InProcessLink.quiet)
        }
        var replicators: [NodeID: ChildReplicator] = [:]
        for node in nodes {
            guard let parent = node.parent, let service = services[parent] else { continue }
            replicators[node] = ChildReplicator(store: stores[node]!, link: InProcessLink(service: service), logger: InProcessLink.quiet)
        }
        self.stores = stores
        self.replicators = replicators
    }

    deinit { close() }

    /// The database file of `node` in `directory`.
    static func path(of node: NodeID, in directory: URL) -> String {
        directory.appendingPathComponent("\(node).sqlite").path
    }

    /// One round (push, pull and subtree summary, as the daemon's loop runs it) of every
    /// child in `children`, at most `concurrency` at a time.
    /// - Throws: ``BenchError/timeout(_:)`` when `deadline` passes before every round has
    ///   started; ``BenchError/failed(_:)`` naming the child whose round failed, or any
    ///   change refused.
    func round(of children: [NodeID], concurrency: Int, deadline: ContinuousClock.Instant) async throws -> Pass {
        let watch = Stopwatch()
        var pass = Pass()
        let replicators = try children.map { child in
            guard let replicator = self.replicators[child] else { throw BenchError.failed("national: \(child) has no parent in the tree") }
            return (child, replicator)
        }
        try await withThrowingTaskGroup(of: (NodeID, RoundReport).self) { group in
            var waiting = replicators.makeIterator()
            func startNext() throws {
                guard let (child, replicator) = waiting.next() else { return }
                guard ContinuousClock.now < deadline else {
                    throw BenchError.timeout("national: the deadline passed during the rounds, before \(child)'s round")
                }
                group.addTask {
                    do {
                        return (child, try await replicator.round())
                    } catch {
                        throw BenchError.failed("national: the round of \(child) with its parent failed: \(error)")
                    }
                }
            }
            for _ in 0..<concurrency { try startNext() }
            while let (child, report) = try await group.next() {
                guard report.rejected == 0 else {
                    throw BenchError.failed("national: \(report.rejected) changes refused in the round of \(child) with its parent; see _ts_rejected in \(directory.path)")
                }
                pass.children += 1
                pass.pushed += report.pushed
                pass.pulled += report.pulled
                if !report.caughtUp { pass.behind.append(child) }
                try startNext()
            }
        }
        pass.seconds = watch.seconds
        return pass
    }

    /// The rows of `table` at `node`, counted by scope, read through a plain read-only
    /// connection as another process would.
    func heldByScope(_ node: NodeID, table: String) throws -> [String: Int] {
        let reader = try PlainSQLite.openReadOnly(Self.path(of: node, in: directory))
        defer { try? reader.close() }
        return try reader.read { db in
            var held: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT scope, count(*) FROM \"\(table)\" GROUP BY scope") {
                held[row[0]] = row[1]
            }
            return held
        }
    }

    /// The changes refused anywhere in the tree (every node's error queue), by node.
    func refusals() async throws -> [NodeID: Int] {
        var refused: [NodeID: Int] = [:]
        for (node, store) in stores {
            let count = try await store.rejectedCount()
            if count > 0 { refused[node] = count }
        }
        return refused
    }

    /// The bytes of the tree's files now: databases with their `-wal` and `-shm`.
    func fileBytes() -> Int64 {
        Self.fileBytes(of: stores.keys.map { Self.path(of: $0, in: directory) })
    }

    /// The bytes of `paths` with their `-wal` and `-shm` companions, those that exist.
    static func fileBytes(of paths: [String]) -> Int64 {
        var total: Int64 = 0
        for path in paths {
            for suffix in ["", "-wal", "-shm"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
                total += size ?? 0
            }
        }
        return total
    }

    /// Closes every store; later calls do nothing.
    /// Returns the stores that failed to close, with why.
    @discardableResult
    func close() -> [String] {
        guard !closed else { return [] }
        closed = true
        var failures: [String] = []
        for (node, store) in stores {
            do { try store.close() } catch { failures.append("\(node): \(error)") }
        }
        return failures
    }
}
