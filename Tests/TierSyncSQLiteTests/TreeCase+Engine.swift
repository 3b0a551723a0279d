import Foundation
import TierSyncEngine
import TierSyncModel
import TierSyncStore
import TierSyncTesting

/// The sync side of a case: the real replicators and parent services, faulty links,
/// crashes, and the heal.
extension TreeCase {
    /// The parent side of `node` over its current store.
    func service(_ node: NodeID) -> ParentService {
        ParentService(store: pool.stores[node]!, logger: InProcessLink.quiet)
    }

    /// The running replicator of `child`, started (again) when it has none: small batches,
    /// and either every push position written at the end of its round or all kept in memory
    /// until a crash loses them.
    mutating func replicator(_ child: NodeID) -> ChildReplicator {
        if let running = replicators[child] { return running }
        let faults = faults[child] ?? LinkFaults()
        self.faults[child] = faults
        let link = InProcessLink(endpoint: endpoints[child.parent!]!, faults: faults, form: InProcessLink.Form.allCases.randomElement(using: &rng)!)
        var replicator = ChildReplicator(store: pool.stores[child]!, link: link, batchSize: Int.random(in: 1...4, using: &rng),
                                         scanLimit: Int.random(in: 2...50, using: &rng), logger: InProcessLink.quiet)
        replicator.flushEvery = Bool.random(using: &rng) ? .zero : .seconds(3600)
        replicators[child] = replicator
        return replicator
    }

    /// One round of a random child, or a pull it holds, with faults queued on its link for
    /// the requests it makes. A round cut short by a fault is normal; any other failure fails the case.
    mutating func exchange() async throws {
        guard let child = nodes.filter({ $0.parent != nil }).randomElement(using: &rng) else { return }
        let replicator = replicator(child)
        // Replays weigh double: one before the edge's first push is a plain delivery.
        let kinds = LinkFault.allCases + [.replayEarlier]
        let queued = (0..<Int.random(in: 1...4, using: &rng)).map { _ in kinds.randomElement(using: &rng)! }
        faults[child]!.queue(queued)
        defer { faults[child]!.clear() }
        let kind = Int.random(in: 0..<5, using: &rng)
        do {
            switch kind {
            case 0: _ = try await replicator.awaitParent(wait: 0)
            case 1: _ = try await replicator.round(pulling: false, summary: false)
            default: _ = try await replicator.round(summary: false)
            }
            log.append("\(child) \(kind == 0 ? "held pull" : kind == 1 ? "push" : "round") with \(queued)")
        } catch let failure as LinkFailure {
            log.append("\(child) \(kind == 0 ? "held pull" : kind == 1 ? "push" : "round") with \(queued): \(failure.fault)")
        }
    }

    /// A crash of a random node between steps: its store is closed and opened again from
    /// its file; as a child it starts a new replicator, as a parent a new service behind
    /// the same endpoint.
    mutating func crash() throws {
        let node = nodes.randomElement(using: &rng)!
        _ = try pool.reopen(node)
        replicators[node] = nil
        endpoints[node]?.restart(with: service(node))
        tally.crashes += 1
        log.append("\(node) crashes and restarts")
    }

    /// Without faults, and in whole batches: pushes of every child, deepest first, then
    /// rounds of every child, shallowest first, which bring each child what its parent has
    /// just received. The tree has settled when those rounds pushed nothing and no child
    /// has anything left to push; otherwise the heal goes round again.
    mutating func heal() async throws {
        for linkFaults in faults.values { linkFaults.clear() }
        let children = nodes.filter { $0.parent != nil }.sorted { $0.depth > $1.depth }
        for child in children {
            var running = replicator(child)
            running.batchSize = 5000
            running.scanLimit = 50000
            replicators[child] = running
        }
        for _ in 0..<8 {
            _ = try await pushes(children)
            var pushed = 0
            for child in children.reversed() {
                let report = try await replicator(child).round(summary: false)
                guard report.caughtUp else { throw CaseFailure(description: "\(child) did not catch up: \(report)\n" + log.joined(separator: "\n")) }
                pushed += report.pushed
            }
            if pushed == 0, try await pushes(children) == 0 { return }
        }
        throw CaseFailure(description: "the tree did not settle after 8 passes\n" + log.joined(separator: "\n"))
    }

    /// Push-only rounds of `children` in order; returns the changes they pushed.
    mutating func pushes(_ children: [NodeID]) async throws -> Int {
        var pushed = 0
        for child in children { pushed += try await replicator(child).round(pulling: false, summary: false).pushed }
        return pushed
    }
}
