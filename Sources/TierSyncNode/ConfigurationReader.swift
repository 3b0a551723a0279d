import Foundation
import TierSyncAuth
import TierSyncModel

/// Reads a node's configuration from three layers: command-line flags override the
/// environment, which overrides the file, which overrides the defaults.
///
/// Every setting has a file key (`section.key`), an environment variable (`TIERSYNC_`,
/// then the key in capitals with `.` as `_`) and a flag (see ``Key/flag``).
public enum ConfigurationReader {
    /// One setting's names and meaning.
    public struct Key: Sendable {
        /// The key in the file, `section.key`.
        public let name: String
        /// What it sets, with its default.
        public let help: String

        /// The environment variable, for example `TIERSYNC_NODE_ID`.
        public var environment: String {
            ConfigurationReader.environmentPrefix + name.uppercased().replacingOccurrences(of: ".", with: "_")
        }

        /// The command-line flag, for example `--node-id`.
        public var flag: String {
            "--" + name.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
        }
    }

    /// Every setting a node reads.
    public static let keys: [Key] = [
        Key(name: "node.id", help: "the node's dotted id, e.g. cn.gd.sz (required)"),
        Key(name: "node.listen", help: "host:port of the HTTP API (default 127.0.0.1:7400)"),
        Key(name: "node.parent", help: "the parent's base URL, e.g. http://10.0.0.1:7400 (absent at the group)"),
        Key(name: "node.database", help: "the SQLite file (default <node id>.sqlite)"),
        Key(name: "node.schema", help: "a schema file replacing the built-in big-customer schema"),
        Key(name: "node.children", help: "the children this node expects, comma-separated, e.g. cn.gd.sz, cn.gd.gz (default: none; a child is known once it calls)"),
        Key(name: "sync.interval", help: "seconds between sync rounds when nothing changes locally (default 5)"),
        Key(name: "sync.timeout", help: "seconds a request to the parent may wait for its answer before the round is retried (default 30)"),
        Key(name: "sync.batch", help: "changes per push or pull batch (default 1000)"),
        Key(name: "sync.wire", help: "how pushes and pull answers travel: batch (compact binary, Protocols/BATCH.md) or json, for debugging (default batch)"),
        Key(name: "limits.body_bytes", help: "largest request body accepted, in bytes (default 67108864)"),
        Key(name: "limits.batch_changes", help: "most changes accepted in one push (default 20000)"),
        Key(name: "limits.clock_skew", help: "seconds a signed request's time may differ from this clock (default 300, at most 86400)"),
        Key(name: "limits.stamp_lead", help: "seconds a received stamp may lie ahead of this wall clock; input beyond is refused (default 30, at most 86400)"),
        Key(name: "retention.grace", help: "seconds a tombstone or eviction record is kept after its write once every peer has it (default 604800, 7 days)"),
        Key(name: "retention.every", help: "seconds between purges of acknowledged history; 0 never purges (default 60)"),
        Key(name: "status.stale_after", help: "seconds without contact after which a child's data is stale (default 300)"),
        Key(name: "log.level", help: "trace, debug, info, notice, warning or error (default info)"),
        Key(name: "auth.key", help: "this node's key file, made by `tiersync keygen` (default <node id>.key)"),
        Key(name: "tls.certificate", help: "PEM certificate chain; with tls.key the API serves HTTPS only (default none)"),
        Key(name: "tls.key", help: "PEM private key of tls.certificate (default none)"),
    ]

    /// The section naming each accepted child: `<child id> = "ed25519:<base64 public key>"`.
    public static let childrenSection = "children"

    /// Builds the configuration.
    /// - Parameters:
    ///   - file: the configuration file, or nil.
    ///   - environment: the process environment.
    ///   - flags: settings given on the command line, by key name.
    /// - Throws: ``ConfigurationError`` or ``ModelError`` naming the key and where it came from.
    public static func read(file: String?, environment: [String: String], flags: [String: String]) throws -> NodeConfiguration {
        var values: [String: (value: String, source: String)] = [:]
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError.unreadable(path: file, message: error.localizedDescription)
            }
            let document = try KeyValueDocument(text: text, fileName: file)
            for entry in document.entries {
                guard keys.contains(where: { $0.name == entry.key }) || entry.key.hasPrefix(childrenSection + ".") else {
                    throw ConfigurationError.unknownKey(entry.key, source: "\(file):\(entry.line)")
                }
                values[entry.key] = (entry.value, "\(file):\(entry.line)")
            }
        }
        for key in keys {
            if let value = environment[key.environment] { values[key.name] = (value, "environment \(key.environment)") }
        }
        for (name, value) in flags {
            guard let key = keys.first(where: { $0.name == name }) else { throw ConfigurationError.unknownKey(name, source: "command line") }
            values[name] = (value, "flag \(key.flag)")
        }
        return try build(values, baseDirectory: file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
    }

    private static func build(_ values: [String: (value: String, source: String)], baseDirectory: String?) throws -> NodeConfiguration {
        guard let id = values["node.id"] else {
            throw ConfigurationError.missing(key: "node.id", hint: "set [node] id = \"cn.gd.sz\" in the file, TIERSYNC_NODE_ID, or --node-id")
        }
        var configuration = NodeConfiguration(node: try NodeID(id.value))
        func integer(_ key: String, minimum: Int, maximum: (value: Int, meaning: String)? = nil) throws -> Int? {
            guard let entry = values[key] else { return nil }
            guard let number = Int(entry.value), number >= minimum else {
                throw ConfigurationError.invalid(key: key, value: entry.value, expected: "a whole number of at least \(minimum)", source: entry.source)
            }
            if let maximum, number > maximum.value {
                throw ConfigurationError.invalid(key: key, value: entry.value, expected: "at most \(maximum.value) \(maximum.meaning)", source: entry.source)
            }
            return number
        }
        if let listen = values["node.listen"] {
            guard let colon = listen.value.lastIndex(of: ":"), let port = Int(listen.value[listen.value.index(after: colon)...]),
                  (0...65535).contains(port) else {
                throw ConfigurationError.invalid(key: "node.listen", value: listen.value, expected: "host:port, e.g. 127.0.0.1:7400", source: listen.source)
            }
            configuration.listenHost = String(listen.value[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            configuration.listenPort = port
        }
        if let parent = values["node.parent"], !parent.value.isEmpty {
            guard let url = URL(string: parent.value), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ConfigurationError.invalid(key: "node.parent", value: parent.value, expected: "an http:// or https:// URL", source: parent.source)
            }
            configuration.parent = url
        }
        if let database = values["node.database"] { configuration.databasePath = resolve(database.value, against: baseDirectory) }
        if let schema = values["node.schema"] { configuration.schemaPath = resolve(schema.value, against: baseDirectory) }
        if let interval = values["sync.interval"] {
            guard let seconds = Double(interval.value), seconds > 0 else {
                throw ConfigurationError.invalid(key: "sync.interval", value: interval.value, expected: "a positive number of seconds", source: interval.source)
            }
            configuration.syncInterval = seconds
        }
        if let timeout = values["sync.timeout"] {
            guard let seconds = Double(timeout.value), seconds >= 1, seconds <= 3600 else {
                throw ConfigurationError.invalid(key: "sync.timeout", value: timeout.value, expected: "a number of seconds from 1 to 3600", source: timeout.source)
            }
            configuration.requestTimeout = seconds
        }
        if let wire = values["sync.wire"] {
            guard ["batch", "json"].contains(wire.value) else {
                throw ConfigurationError.invalid(key: "sync.wire", value: wire.value, expected: "batch or json", source: wire.source)
            }
            configuration.batchForm = wire.value == "batch"
        }
        if let children = values["node.children"] {
            configuration.expectedChildren = try children.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.map { text in
                    guard let child = try? NodeID(text), child.parent == configuration.node else {
                        throw ConfigurationError.invalid(key: "node.children", value: children.value,
                                                         expected: "ids of children of \(configuration.node), comma-separated ('\(text)' is not one)", source: children.source)
                    }
                    return child
                }
        }
        if let stale = values["status.stale_after"] {
            guard let seconds = Double(stale.value), seconds > 0 else {
                throw ConfigurationError.invalid(key: "status.stale_after", value: stale.value, expected: "a positive number of seconds", source: stale.source)
            }
            configuration.staleAfter = seconds
        }
        if let batch = try integer("sync.batch", minimum: 1) { configuration.batchSize = batch }
        if let body = try integer("limits.body_bytes", minimum: 1024) { configuration.bodyLimit = body }
        if let changes = try integer("limits.batch_changes", minimum: 1) { configuration.batchLimit = changes }
        let day = (value: 86_400, meaning: "seconds (a day)")
        if let skew = try integer("limits.clock_skew", minimum: 1, maximum: day) { configuration.clockSkew = skew }
        if let lead = try integer("limits.stamp_lead", minimum: 1, maximum: day) { configuration.stampLead = StampLead(seconds: lead) }
        let year = (value: 366 * 86_400, meaning: "seconds (a year)")
        if let grace = try integer("retention.grace", minimum: 0, maximum: year) { configuration.retentionGrace = grace }
        if let every = try integer("retention.every", minimum: 0, maximum: day) { configuration.purgeEvery = every }
        if let key = values["auth.key"] { configuration.keyPath = resolve(key.value, against: baseDirectory) }
        configuration.tlsCertificatePath = values["tls.certificate"].map { resolve($0.value, against: baseDirectory) }
        configuration.tlsKeyPath = values["tls.key"].map { resolve($0.value, against: baseDirectory) }
        if (configuration.tlsCertificatePath == nil) != (configuration.tlsKeyPath == nil) {
            throw ConfigurationError.missing(key: configuration.tlsKeyPath == nil ? "tls.key" : "tls.certificate", hint: "HTTPS needs both tls.certificate and tls.key")
        }
        for (name, entry) in values where name.hasPrefix(childrenSection + ".") {
            let id = String(name.dropFirst(childrenSection.count + 1))
            guard let child = try? NodeID(id), child.parent == configuration.node else {
                throw ConfigurationError.invalid(key: name, value: entry.value, expected: "a direct child of \(configuration.node) as the key", source: entry.source)
            }
            let keys = entry.value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            do {
                guard (1...2).contains(keys.count) else { throw AuthError.invalidPublicKey(entry.value) }
                configuration.children[child] = try PublicKey(keys[0])
                if keys.count == 2 { configuration.retiringChildKeys[child] = try PublicKey(keys[1]) }
            } catch {
                throw ConfigurationError.invalid(key: name, value: entry.value, expected: "ed25519:<base64>, as `tiersync keygen` prints it, or during a key rotation the new key, a comma and the retiring one", source: entry.source)
            }
        }
        if let level = values["log.level"] {
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level.value) else {
                throw ConfigurationError.invalid(key: "log.level", value: level.value, expected: "trace, debug, info, notice, warning, error or critical", source: level.source)
            }
            configuration.logLevel = level.value
        }
        configuration.batchSize = min(configuration.batchSize, configuration.batchLimit)
        if configuration.node.parent != nil && configuration.parent == nil {
            throw ConfigurationError.missing(key: "node.parent", hint: "\(configuration.node) is a \(configuration.node.tier) node; give the URL of \(configuration.node.parent!)'s daemon")
        }
        if configuration.node.parent == nil && configuration.parent != nil {
            throw ConfigurationError.invalid(key: "node.parent", value: configuration.parent!.absoluteString, expected: "no parent: \(configuration.node) is the group, the root of the tree", source: values["node.parent"]!.source)
        }
        return configuration
    }

    /// Relative paths in a file are relative to the file's directory.
    private static func resolve(_ path: String, against base: String?) -> String {
        guard let base, !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: base).appendingPathComponent(path).path
    }
}
