import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TierSyncClient
import TierSyncEngine
import TierSyncModel
import TierSyncServer
import TierSyncSQLite
import TierSyncStore

/// A running node: its store, its HTTP API, and (below the group) its sync loop, as one
/// service group that stops cleanly on SIGTERM and SIGINT.
public enum NodeDaemon {
    /// Opens the node's store as configured.
    public static func openStore(_ configuration: NodeConfiguration) throws -> SQLiteStore {
        try SQLiteStore(path: configuration.databasePath, node: configuration.node, schema: try configuration.loadSchema())
    }

    /// The replicator of a child node, reaching its parent over HTTP.
    public static func replicator(_ configuration: NodeConfiguration, store: any ChangeStore, logger: Logger) -> ChildReplicator? {
        guard let parent = configuration.parent else { return nil }
        var replicator = ChildReplicator(store: store, link: HTTPParentLink(baseURL: parent), batchSize: configuration.batchSize, logger: logger)
        replicator.expectedChildren = configuration.expectedChildren
        return replicator
    }

    /// Runs the node until a shutdown signal.
    public static func run(_ configuration: NodeConfiguration, logger: Logger) async throws {
        let registry = NodeMetrics.registry
        let store = try openStore(configuration)
        let service = ParentService(store: store, pullLimit: configuration.batchSize, logger: logger)
        let router = Router()
        let limits = APILimits(bodyBytes: configuration.bodyLimit, batchChanges: configuration.batchLimit)
        let sync = SyncRoutes(service: service, limits: limits)
        sync.add(to: router)
        sync.addSummary(to: router)
        let reports = await ReportService.open(store: store, path: configuration.databasePath, expected: configuration.expectedChildren,
                                               staleAfter: configuration.staleAfter, logger: logger)
        if let database = reports.reports { store.observeApplies(with: database.applyObserver) }
        ReportRoutes(service: reports).add(to: router)
        StatusPage(service: reports).add(to: router)
        MetricsRoutes(registry: registry, service: reports).add(to: router)
        let node = configuration.node
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: NodeHTTPServer.channelHandlers())),
            configuration: .init(address: .hostname(configuration.listenHost, port: configuration.listenPort), serverName: "tiersync"),
            onServerRunning: { channel in
                logger.info("listening", metadata: [
                    "node.id": "\(node)", "node.tier": "\(node.tier)",
                    "node.address": "\(channel.localAddress?.description ?? "?")",
                    "node.parent": "\(configuration.parent?.absoluteString ?? "none")",
                ])
            },
            logger: logger)
        var services: [any Service] = [app]
        if let replicator = replicator(configuration, store: store, logger: logger) {
            services.append(SyncLoop(replicator: replicator, interval: .milliseconds(Int(configuration.syncInterval * 1000)), logger: logger))
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        try reports.reports?.close()
        try store.close()
    }
}
