import Foundation
import TierSyncAuth
import TierSyncClient
import TierSyncModel

/// Three `tiersync serve` daemons on free loopback ports: group `cn`, province `cn.gd` and
/// city `cn.gd.sz`, each with a configuration written as `tiersync demo` writes its own
/// (`DemoTree.prepare`: id, listen, database, parent, `[sync] interval = 1`, each node's key
/// and its children's public keys).
final class DaemonTree {
    /// One daemon's identity and files.
    struct Node {
        /// The node's id.
        let id: String
        /// The loopback port of its HTTP API.
        let port: Int
        /// Its configuration file.
        let config: URL
        /// Its SQLite file.
        let database: String
        /// Where its standard output and error go.
        let log: URL
    }

    /// The nodes, parents first.
    private(set) var nodes: [Node] = []
    /// The directory of the configurations, databases and logs.
    let directory: URL
    /// Each daemon's resident memory once every daemon answered, by node id.
    private(set) var startMemory: [String: ProcessMemory] = [:]
    private let executable: String
    private var processes: [Process] = []

    /// Writes the configurations into `directory`. Nothing runs yet. A node whose parent is
    /// not among `ids` gets `absentParent` as its parent's URL.
    init(directory: URL, executable: String, ids: [String] = ["cn", "cn.gd", "cn.gd.sz"], absentParent: String? = nil) throws {
        self.executable = executable
        self.directory = directory
        var ports: [String: Int] = [:]
        let credentials = try LocalTreeKeys(nodes: ids.map { try NodeID($0) }, directory: directory)
        for id in ids {
            let port = try freeLoopbackPort()
            ports[id] = port
            var text = "# tiersync-bench node \(id)\n[node]\nid = \"\(id)\"\nlisten = \"127.0.0.1:\(port)\"\ndatabase = \"\(id).sqlite\"\n"
            let parent = id.split(separator: ".").dropLast().joined(separator: ".")
            if let parentPort = ports[parent] {
                text += "parent = \"http://127.0.0.1:\(parentPort)\"\n"
            } else if !parent.isEmpty, let absentParent {
                text += "parent = \"\(absentParent)\"\n"
            }
            text += "\n[sync]\ninterval = 1\n\n" + credentials.configurationLines(for: try NodeID(id))
            let config = directory.appendingPathComponent("\(id).conf")
            try text.write(to: config, atomically: true, encoding: .utf8)
            nodes.append(Node(id: id, port: port, config: config,
                              database: directory.appendingPathComponent("\(id).sqlite").path,
                              log: directory.appendingPathComponent("\(id).log")))
        }
    }

    deinit { stop() }

    /// The node with this id.
    func node(_ id: String) -> Node {
        nodes.first { $0.id == id }!
    }

    /// Starts every daemon, parents first, each answering `GET /v1/status` before the next
    /// starts (at most `timeout` seconds each).
    func start(timeout: Double = 30) async throws {
        for node in nodes {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["serve", "--config", node.config.path]
            _ = FileManager.default.createFile(atPath: node.log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: node.log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            ChildProcesses.register(process.processIdentifier)
            processes.append(process)
            try await waitUntilAnswering(node, process: process, timeout: timeout)
        }
        for node in nodes { startMemory[node.id] = memory(of: node) }
    }

    /// The resident memory of `node`'s daemon now; nil when it is not running or `/proc`
    /// does not say.
    func memory(of node: Node) -> ProcessMemory? {
        guard let index = nodes.firstIndex(where: { $0.id == node.id }), processes.indices.contains(index) else { return nil }
        return ProcessMemory.read(pid: processes[index].processIdentifier)
    }

    private func waitUntilAnswering(_ node: Node, process: Process, timeout: Double) async throws {
        let link = HTTPParentLink(baseURL: URL(string: "http://127.0.0.1:\(node.port)")!, key: nil, timeout: 2)
        let deadline = Date().addingTimeInterval(timeout)
        while (try? await link.status()) == nil {
            guard process.isRunning else {
                throw BenchError.failed("\(node.id) exited with status \(process.terminationStatus) at start:\n\(logTail(node))")
            }
            guard Date() < deadline else {
                throw BenchError.timeout("\(node.id) did not answer GET /v1/status within \(Int(timeout)) s:\n\(logTail(node))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Throws when a daemon has exited, with the end of its log.
    func checkAlive() throws {
        for (node, process) in zip(nodes, processes) where !process.isRunning {
            throw BenchError.failed("\(node.id) exited with status \(process.terminationStatus):\n\(logTail(node))")
        }
    }

    /// Ends every daemon this tree started: SIGTERM, then SIGKILL after 10 s.
    func stop() {
        for process in processes.reversed() { ChildProcesses.stop(process) }
        processes.removeAll()
    }

    /// The last lines of a daemon's log.
    func logTail(_ node: Node, lines: Int = 15) -> String {
        let text = (try? String(contentsOf: node.log, encoding: .utf8)) ?? "(no log at \(node.log.path))"
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
