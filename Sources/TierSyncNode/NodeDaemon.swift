import Foundation
import Hummingbird
import Logging
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL
import ServiceLifecycle
import TierSyncAuth
import TierSyncClient
import TierSyncEngine
import TierSyncModel
import TierSyncServer
import TierSyncSQLite
import TierSyncStore

/// A running node: its store, its HTTP API, and (below the group) its sync loop, as one
/// service group that stops cleanly on SIGTERM and SIGINT.
public enum NodeDaemon {
    /// Opens the node's store as configured; see ``SQLiteStore/init(path:node:schema:adoptingRows:)``
    /// for `adoptingRows`.
    public static func openStore(_ configuration: NodeConfiguration, adoptingRows: Bool = true) throws -> SQLiteStore {
        try SQLiteStore(path: configuration.databasePath, node: configuration.node, schema: try configuration.loadSchema(), adoptingRows: adoptingRows)
    }

    /// Opens the node's existing store for reading only, as `tiersync status` does.
    public static func readStore(_ configuration: NodeConfiguration) throws -> SQLiteStore {
        try SQLiteStore(readingAt: configuration.databasePath, node: configuration.node, schema: try configuration.loadSchema())
    }

    /// The node's key, from its key file; it must be the key of this node.
    /// - Throws: ``AuthError/keyFile(path:message:)`` saying how to fix the file.
    public static func loadKey(_ configuration: NodeConfiguration) throws -> NodeKey {
        let key = try NodeKey(contentsOf: configuration.keyPath)
        guard key.node == configuration.node else {
            throw AuthError.keyFile(path: configuration.keyPath, message: "belongs to \(key.node), not to \(configuration.node); point auth.key at this node's own key file")
        }
        return key
    }

    /// The children a node expects to hear from: those named in `node.children` and those
    /// whose keys it accepts under `[children]`.
    public static func expectedChildren(_ configuration: NodeConfiguration) -> [NodeID] {
        Set(configuration.expectedChildren).union(configuration.children.keys).sorted { $0.description < $1.description }
    }

    /// The request checks of a node: its own key for operator requests, its children's for sync.
    public static func verifier(_ configuration: NodeConfiguration, key: NodeKey) -> RequestVerifier {
        RequestVerifier(node: configuration.node, ownKey: key.publicKey, children: configuration.children,
                        retiring: configuration.retiringChildKeys, clockSkew: configuration.clockSkew)
    }

    /// The HTTP server: HTTPS when a certificate and key are configured, else plain HTTP.
    static func server(_ configuration: NodeConfiguration) throws -> HTTPServerBuilder {
        let http = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: NodeHTTPServer.channelHandlers()))
        guard let certificate = configuration.tlsCertificatePath, let privateKey = configuration.tlsKeyPath else { return http }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
            return try .tls(http, tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } catch {
            throw ConfigurationError.unreadable(path: "\(certificate) / \(privateKey)", message: "the TLS certificate or key cannot be loaded (\(error)); give PEM files")
        }
    }

    /// The resync of a child node against its parent over HTTP; its replicator is the
    /// node's normal round.
    public static func resync(_ configuration: NodeConfiguration, store: any ResyncStore, key: NodeKey, logger: Logger) -> Resync? {
        guard let parent = configuration.parent else { return nil }
        var resync = Resync(store: store, link: HTTPParentLink(baseURL: parent, key: key, timeout: configuration.requestTimeout, batchForm: configuration.batchForm), batchSize: configuration.batchSize, logger: logger)
        resync.replicator.expectedChildren = expectedChildren(configuration)
        resync.replicator.stampLead = configuration.stampLead
        return resync
    }

    /// Runs the node until a shutdown signal.
    /// - Throws: ``StartError`` when another daemon serves the database or another process
    ///   listens on the address; any other error stops the node.
    public static func run(_ configuration: NodeConfiguration, logger: Logger) async throws {
        // A file-size limit (ulimit -f, LimitFSIZE=) would kill the daemon with SIGXFSZ when
        // the database reaches it; ignored, the write fails with EFBIG instead, which the
        // store reports as storage full while the daemon keeps serving and retrying.
        signal(SIGXFSZ, SIG_IGN)
        MallocArenas.limitUnlessConfigured()
        let key = try loadKey(configuration)
        let address = "\(configuration.listenHost):\(configuration.listenPort)"
        let lock = try DaemonLock(database: configuration.databasePath, address: address)
        let registry = NodeMetrics.registry
        let store = try openStore(configuration)
        if let taken = store.restoredBackupTakenAt {
            logger.notice("this file is a restored backup: new log epoch; children resync, and a resync with the parent follows", metadata: [
                "sync.backup_taken_at": "\(ISO8601DateFormatter().string(from: taken))", "sync.epoch": "\(store.epoch)",
            ])
        }
        // Applies, local commits (LogWatch) and held pulls meet here.
        let notifier = LogNotifier()
        let service = ParentService(store: store, pullLimit: configuration.batchSize, stampLead: configuration.stampLead, notifier: notifier,
                                    retention: configuration.retention, logger: logger)
        let router = Router()
        let limits = APILimits(bodyBytes: configuration.bodyLimit, batchChanges: configuration.batchLimit)
        let verifier = verifier(configuration, key: key)
        let refusals = RefusalLog(logger: logger)
        let sync = SyncRoutes(service: service, verifier: verifier, limits: limits, refusals: refusals)
        sync.add(to: router)
        sync.addSummary(to: router)
        ResyncRoutes(service: ResyncService(store: store, logger: logger), verifier: verifier, limits: limits, refusals: refusals).add(to: router)
        let reports = await ReportService.open(store: store, path: configuration.databasePath, expected: expectedChildren(configuration),
                                               staleAfter: configuration.staleAfter, logger: logger)
        if let database = reports.reports { store.observeApplies(with: database.applyObserver) }
        // Changes kept from a newer schema that the schema of this start fits are applied
        // before anything syncs (SYNC.md 2.1).
        _ = try await KeptRelease.run(store, logger: logger)
        ReportRoutes(service: reports).add(to: router)
        StatusPage(service: reports).add(to: router)
        MetricsRoutes(registry: registry, service: reports).add(to: router)
        let node = configuration.node
        let secure = configuration.tlsCertificatePath != nil
        if !secure && !["127.0.0.1", "localhost", "::1"].contains(configuration.listenHost) {
            logger.warning("serving plain HTTP beyond loopback: requests are signed but not encrypted; set tls.certificate and tls.key")
        }
        let app = Application(
            router: router,
            server: try server(configuration),
            configuration: .init(address: .hostname(configuration.listenHost, port: configuration.listenPort), serverName: "tiersync"),
            onServerRunning: { channel in
                logger.info("listening", metadata: [
                    "node.id": "\(node)", "node.tier": "\(node.tier)",
                    "node.address": "\(channel.localAddress?.description ?? "?")",
                    "node.parent": "\(configuration.parent?.absoluteString ?? "none")",
                    "node.tls": "\(secure)", "node.children": "\(configuration.children.keys.map(\.description).sorted().joined(separator: ","))",
                ])
            },
            logger: logger)
        // Stopped in reverse order: the sync loop first, then the watcher, whose stop
        // answers the pulls held for the children, then the HTTP server.
        var services: [any Service] = [app, LogWatch(store: store, notifier: notifier, logger: logger), CaptureGuard(store: store, logger: logger)]
        if configuration.purgeEvery > 0 {
            services.append(RetentionService(store: store, retention: configuration.retention, every: .seconds(configuration.purgeEvery), logger: logger))
        }
        if var resync = resync(configuration, store: store, key: key, logger: logger) {
            resync.replicator.notifier = notifier
            services.append(SyncLoop(resync: resync, interval: .milliseconds(Int(configuration.syncInterval * 1000)), notifier: notifier, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartError.addressInUse(address: address)
        }
        try reports.reports?.close()
        try store.close()
        withExtendedLifetime(lock) {}
    }
}
