import Foundation
import Logging
import TierSyncEngine
import TierSyncModel
import TierSyncReports
import TierSyncStore

/// What the report routes, the status page and the metrics read: the node's store, its
/// reports (at the group and provinces), and how it judges its children's freshness.
public struct ReportService: Sendable {
    /// The node's store.
    public let store: any ChangeStore
    /// The reports, or nil where they are not served.
    public let reports: ReportDatabase?
    /// Why there are no reports here, when there are none.
    public let unavailable: ReportError?
    /// The children this node expects (`node.children`); one never heard from is `missing`.
    public let expected: [NodeID]
    /// Seconds without contact after which a child's data is `stale` (`status.stale_after`).
    public let staleAfter: TimeInterval

    /// Creates the service.
    public init(store: any ChangeStore, reports: ReportDatabase?, unavailable: ReportError?, expected: [NodeID], staleAfter: TimeInterval) {
        self.store = store
        self.reports = reports
        self.unavailable = unavailable
        self.expected = expected
        self.staleAfter = staleAfter
    }

    /// Opens the reports of a node's file and installs their aggregates (which can take a
    /// while, once, on a large file). A city, or a schema without what the reports read,
    /// gets no reports, and says why.
    public static func open(store: any ChangeStore, path: String, expected: [NodeID], staleAfter: TimeInterval, logger: Logger) async -> ReportService {
        do {
            let reports = try ReportDatabase(path: path, node: store.node)
            do {
                if let seconds = try await reports.prepare() {
                    logger.notice("built the report aggregates", metadata: ["reports.seconds": "\(String(format: "%.1f", seconds))"])
                }
            } catch {
                try? reports.close()
                throw error
            }
            return ReportService(store: store, reports: reports, unavailable: nil, expected: expected, staleAfter: staleAfter)
        } catch {
            let reason = error as? ReportError ?? .database("\(error)")
            if case .notServed = reason {} else {
                logger.warning("reports are not served", metadata: ["reports.reason": "\(reason)"])
            }
            return ReportService(store: store, reports: nil, unavailable: reason, expected: expected, staleAfter: staleAfter)
        }
    }

    /// How current each child's data is.
    public func freshness(now: Date = Date()) async throws -> [ChildFreshness] {
        ChildFreshness.children(of: store.node, peers: try await store.peers(), subtrees: try await store.subtrees(),
                                expected: expected, staleAfter: staleAfter, now: now)
    }

    /// Makes a report.
    /// - Throws: ``ReportError`` (``ReportError/notServed(node:)`` where there are no reports).
    public func report(_ query: ReportQuery, now: Date = Date()) async throws -> Report {
        guard let reports else { throw unavailable ?? .notServed(node: store.node.description) }
        return try await reports.report(query, freshness: try await freshness(now: now), now: now)
    }

    /// The headline figures, or nil where there are no reports.
    public func headline(now: Date = Date()) async throws -> Headline? {
        guard let reports else { return nil }
        return try await reports.headline(freshness: try await freshness(now: now), now: now)
    }

    /// This node and the tree below it, as its children last reported.
    public func tree(now: Date = Date()) async throws -> [NodeSummary] {
        try await SubtreeReporter.subtree(of: store, expected: expected, now: now)
    }

    /// A node's freshness state from the time its parent last heard from it.
    public func state(lastContact: Date?, now: Date) -> ChildFreshness.State {
        guard let lastContact else { return .missing }
        return now.timeIntervalSince(lastContact) <= staleAfter ? .current : .stale
    }
}
