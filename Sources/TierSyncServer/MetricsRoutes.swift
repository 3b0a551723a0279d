import Foundation
import Hummingbird
import Metrics
import NIOCore
import Prometheus
import TierSyncEngine
import TierSyncStore

/// `GET /metrics`: everything the process recorded through swift-metrics, in the Prometheus
/// text format, after the figures read from the database at each scrape are brought up to
/// date: local writes captured, log head, backlog, error queue, open conflicts, and for
/// each child its lag (seconds since this node last heard from it) and backlog.
public struct MetricsRoutes: Sendable {
    let registry: PrometheusCollectorRegistry
    let service: ReportService
    let captured = CapturedTally()

    /// Creates the route over the registry the process bootstrapped swift-metrics with.
    public init(registry: PrometheusCollectorRegistry, service: ReportService) {
        self.registry = registry
        self.service = service
    }

    /// Adds the route to a router.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/metrics") { _, _ in
            do {
                try await refresh()
            } catch {
                throw APIError.from(error)
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }

    /// Reads the figures that live in the database and records them.
    func refresh(now: Date = Date()) async throws {
        let store = service.store
        Counter(label: "tiersync_changes_captured_total").increment(by: await captured.advance(to: try await store.capturedCount()))
        Gauge(label: "tiersync_log_head").record(try await store.logHead())
        Gauge(label: "tiersync_rejected_changes").record(try await store.rejectedCount())
        Gauge(label: "tiersync_open_conflicts").record(try await store.openConflictCount())
        if let backlog = try await StatusReporter.backlog(of: store) {
            Gauge(label: "tiersync_backlog").record(backlog)
        }
        for child in try await service.freshness(now: now) {
            let dimensions = [("child", child.node)]
            if let contact = child.lastContact {
                Gauge(label: "tiersync_child_lag_seconds", dimensions: dimensions).record(max(0, now.timeIntervalSince(contact)))
            }
            if let backlog = child.backlog {
                Gauge(label: "tiersync_child_backlog", dimensions: dimensions).record(backlog)
            }
        }
    }
}

/// The captured-writes count already turned into counter increments, so each scrape adds
/// only what is new.
actor CapturedTally {
    private var counted: Int64?

    /// The increment that brings the counter from what was counted to `total`; the first
    /// call counts everything the file has captured so far.
    func advance(to total: Int64) -> Int64 {
        let increment = max(0, total - (counted ?? 0))
        counted = max(counted ?? 0, total)
        return increment
    }
}
