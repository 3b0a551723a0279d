import Foundation
import TierSyncAuth
import TierSyncModel
import TierSyncEngine

/// Everything a node needs to run, with documented defaults. Built by
/// ``ConfigurationReader`` from a file, the environment and command-line flags.
public struct NodeConfiguration: Sendable, Equatable {
    /// The node's dotted id, for example `cn.gd.sz`. Required.
    public var node: NodeID
    /// The address the HTTP API listens on. The default is `127.0.0.1`.
    public var listenHost: String
    /// The port the HTTP API listens on. The default is 7400.
    public var listenPort: Int
    /// The parent's base URL; nil at the group, required elsewhere.
    public var parent: URL?
    /// The SQLite file. The default is `<node id>.sqlite` in the working directory.
    public var databasePath: String
    /// A schema file to use instead of the built-in big-customer schema. The default is nil.
    public var schemaPath: String?
    /// Seconds between sync rounds when nothing is written locally. The default is 5.
    public var syncInterval: Double
    /// Seconds a request to the parent may wait for its answer (a held pull waits its hold
    /// beyond this) before it fails and the round is retried. The default is 30.
    public var requestTimeout: Double
    /// Whether pushes and pull answers to and from the parent travel in the compact batch
    /// form (`Protocols/BATCH.md`) rather than JSON. The default is true; JSON is for
    /// debugging with a proxy or a capture.
    public var batchForm: Bool
    /// The most changes per push or pull batch. The default is 1000: smaller batches keep
    /// a daemon's memory lower and let the next hop start sooner.
    public var batchSize: Int
    /// The largest request body the API accepts, in bytes. The default is 64 MiB.
    public var bodyLimit: Int
    /// The most changes one push may carry. The default is 20000.
    public var batchLimit: Int
    /// How far apart, in seconds, a request's signing time may be from this node's clock.
    /// The default is 300.
    public var clockSkew: Int
    /// How far ahead of this node's wall clock a received stamp may lie: a change's version,
    /// its registers' writes, its causal context (`limits.stamp_lead`). The default is 30
    /// seconds (``StampLead/defaultSeconds``).
    public var stampLead: StampLead
    /// The log level: trace, debug, info, notice, warning, error or critical. The default is info.
    public var logLevel: String
    /// The node's key file (``NodeKey``). The default is `<node id>.key` in the working directory.
    public var keyPath: String
    /// The public key of each child this node accepts sync requests from. The default is none.
    public var children: [NodeID: PublicKey]
    /// A child's previous key, accepted beside its key while the child rotates to the new
    /// one (written after it in `[children]`). The default is none.
    public var retiringChildKeys: [NodeID: PublicKey]
    /// A PEM certificate chain: when set with ``tlsKeyPath``, the API serves HTTPS only.
    public var tlsCertificatePath: String?
    /// The PEM private key of ``tlsCertificatePath``.
    public var tlsKeyPath: String?
    /// The children this node expects; one never heard from shows as missing on the status
    /// page and in the reports' freshness. The default is none (children are known once
    /// they call).
    public var expectedChildren: [NodeID]
    /// Seconds without contact after which a child's data counts as stale. The default is 300.
    public var staleAfter: Double
    /// Seconds a tombstone or eviction record is kept after its write, once every peer has
    /// it (`retention.grace`). The default is 7 days (``Retention/defaultGraceSeconds``).
    public var retentionGrace: Int
    /// Seconds between purges of acknowledged history; 0 never purges (`retention.every`).
    /// The default is 60.
    public var purgeEvery: Int

    /// Creates a configuration with the defaults for everything but the node id.
    public init(node: NodeID) {
        self.node = node
        listenHost = "127.0.0.1"
        listenPort = 7400
        parent = nil
        databasePath = "\(node).sqlite"
        schemaPath = nil
        syncInterval = 5
        requestTimeout = 30
        batchForm = true
        batchSize = 1000
        bodyLimit = 64 << 20
        batchLimit = 20000
        clockSkew = 300
        stampLead = StampLead()
        logLevel = "info"
        keyPath = "\(node).key"
        children = [:]
        retiringChildKeys = [:]
        tlsCertificatePath = nil
        tlsKeyPath = nil
        expectedChildren = []
        staleAfter = 300
        retentionGrace = Retention.defaultGraceSeconds
        purgeEvery = 60
    }

    /// When this node forgets history: the grace period, and every child it accepts or
    /// expects, each of which must pull an entry before it goes.
    public var retention: Retention {
        Retention(graceSeconds: retentionGrace, children: Array(Set(children.keys).union(expectedChildren)).sorted())
    }

    /// The schema this node syncs: its schema file, or the built-in default.
    public func loadSchema() throws -> SyncSchema {
        guard let schemaPath else { return .standard }
        let text: String
        do {
            text = try String(contentsOfFile: schemaPath, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadable(path: schemaPath, message: "\(error.localizedDescription)")
        }
        return try SyncSchema(parsing: text, fileName: schemaPath)
    }
}
