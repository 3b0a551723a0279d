import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import TierSyncAuth
import TierSyncModel
import TierSyncTesting

/// A tree of real `tiersync serve` daemons on loopback ports, each with its own
/// configuration and SQLite file in a fresh temporary directory.
final class TestTree: @unchecked Sendable {
    struct Node {
        let id: String
        let port: Int
        let parent: String?
        let config: String
        let database: String
    }

    let directory: URL
    private(set) var nodes: [String: Node] = [:]
    /// Each node's signing key, also written to `<id>.key` beside its configuration.
    let credentials: LocalTreeKeys
    private var processes: [String: Process] = [:]
    /// The nodes whose daemon runs under a launcher, as its child.
    private var launched: Set<String> = []
    /// With `proxied`, the fault proxy each child reaches its parent through, by child id.
    private(set) var proxies: [String: FaultProxy] = [:]

    /// Creates configurations for `ids` (parents before children). Nothing runs yet. With
    /// `proxied`, each child's `parent` is a ``FaultProxy`` in front of its parent's port.
    init(_ ids: [String], interval: Double = 0.3, extra: String = "", proxied: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        credentials = try LocalTreeKeys(nodes: ids.map { try NodeID($0) }, directory: directory)
        for id in ids {
            let parent = id.split(separator: ".").count > 1 ? id.split(separator: ".").dropLast().joined(separator: ".") : nil
            let port = try TestTree.freePort()
            var text = "[node]\nid = \"\(id)\"\nlisten = \"127.0.0.1:\(port)\"\ndatabase = \"\(id).sqlite\"\n"
            if let parent, let parentNode = nodes[parent] {
                if proxied {
                    let proxy = try FaultProxy(forwardingTo: parentNode.port)
                    proxies[id] = proxy
                    text += "parent = \"\(proxy.url)\"\n"
                } else {
                    text += "parent = \"http://127.0.0.1:\(parentNode.port)\"\n"
                }
            }
            text += credentials.configurationLines(for: try NodeID(id))
            text += "[sync]\ninterval = \(interval)\n[log]\nlevel = \"info\"\n" + extra
            let config = directory.appendingPathComponent("\(id).conf").path
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            nodes[id] = Node(id: id, port: port, parent: parent, config: config, database: directory.appendingPathComponent("\(id).sqlite").path)
        }
    }

    deinit {
        stopAll()
        for proxy in proxies.values { proxy.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    func database(_ id: String) -> String { nodes[id]!.database }

    /// The signing key of node `id`.
    func key(_ id: String) -> NodeKey? { (try? NodeID(id)).flatMap { credentials.keys[$0] } }
    /// Appends settings to one node's configuration file, before it starts.
    func configure(_ id: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: nodes[id]!.config))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(("\n" + text + "\n").utf8))
    }

    /// The base URL of a node's HTTP API.
    func url(_ id: String, _ path: String = "") -> String { "http://127.0.0.1:\(nodes[id]!.port)\(path)" }

    /// The `tiersync` binary built beside this test bundle.
    static var executable: URL {
        let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = bundle.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("tiersync")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "tiersync")
    }

    /// Runs `tiersync` with arguments to completion, or until `timeout` seconds pass (then
    /// it is killed); returns exit status and output.
    func command(_ arguments: [String], timeout: Double? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try TestTree.run(TestTree.executable, arguments, timeout: timeout, environment: environment)
    }

    /// Runs a program to completion, killing it after `timeout` seconds when given; returns
    /// its exit status and its combined output. `environment` adds to this process's.
    static func run(_ executable: URL, _ arguments: [String], timeout: Double? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if process.isRunning { Glibc.kill(pid, SIGKILL) }
            }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts the daemons of `ids` (all when nil) and waits until each answers /healthz.
    /// `environment` is added to the test's own for these daemons; `launcher`, when given,
    /// is a program and its arguments that run the daemon as its one child (`faketime`).
    func start(_ ids: [String]? = nil, environment: [String: String] = [:], launcher: [String] = []) async throws {
        for id in ids ?? nodes.keys.sorted(by: { $0.count < $1.count }) {
            let node = nodes[id]!
            let process = Process()
            let arguments = ["serve", "--config", node.config]
            if let program = launcher.first {
                process.executableURL = URL(fileURLWithPath: program)
                process.arguments = launcher.dropFirst() + [TestTree.executable.path] + arguments
                launched.insert(id)
            } else {
                process.executableURL = TestTree.executable
                process.arguments = arguments
                launched.remove(id)
            }
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            let log = directory.appendingPathComponent("\(id).log")
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            processes[id] = process
            try await waitUntilHealthy(node)
        }
    }

    /// Waits until the daemon answers `/healthz`. Generous: on a loaded 2-core machine,
    /// with the whole suite's daemons starting at once, a start has taken over 20 s.
    private func waitUntilHealthy(_ node: Node) async throws {
        let deadline = Date().addingTimeInterval(120)
        let secure = (try? String(contentsOfFile: node.config, encoding: .utf8))?.contains("[tls]") == true
        // The deadline is checked after each probe, never before one: a test process whose
        // tasks were held up past the deadline still asks the daemon once.
        while true {
            // Each probe is bounded to 2 s: one stalled request must not use up the whole
            // wait while the suite's daemons start at once. The test's self-signed
            // certificate is checked by the TLS tests themselves.
            if secure {
                if (try? TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sk", "--max-time", "2", "https://127.0.0.1:\(node.port)/healthz"]).output) == "ok\n" {
                    return
                }
            } else {
                var probe = URLRequest(url: URL(string: "http://127.0.0.1:\(node.port)/healthz")!)
                probe.timeoutInterval = 2
                if let (_, response) = try? await URLSession.shared.data(for: probe), (response as? HTTPURLResponse)?.statusCode == 200 {
                    return
                }
            }
            if processes[node.id]?.isRunning == false || Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SQLiteShell.Failure(description: "\(node.id) did not start: \(log(node.id))")
    }

    /// The process id of a running daemon (not of its launcher), nil when it is not running.
    func pid(_ id: String) -> Int32? {
        guard let process = processes[id], process.isRunning else { return nil }
        guard launched.contains(id) else { return process.processIdentifier }
        let children = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// Sends SIGKILL to one daemon and waits for it to die.
    func kill(_ id: String) {
        guard let process = processes[id] else { return }
        Glibc.kill(pid(id) ?? process.processIdentifier, SIGKILL)
        TestTree.awaitExit(process, seconds: 10)
        processes[id] = nil
    }

    /// Stops one daemon with SIGTERM, and with SIGKILL if it has not exited 10 s later.
    func stop(_ id: String) {
        guard let process = processes[id] else { return }
        Glibc.kill(pid(id) ?? process.processIdentifier, SIGTERM)
        if !TestTree.awaitExit(process, seconds: 10) {
            Glibc.kill(pid(id) ?? process.processIdentifier, SIGKILL)
            TestTree.awaitExit(process, seconds: 5)
        }
        processes[id] = nil
    }

    /// Polls until the process has exited, or `seconds` pass. It reads the kernel's process
    /// state rather than waiting on Foundation's run loop, which no longer turns while the
    /// test process tears down (when the last trees are released).
    @discardableResult
    static func awaitExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
            // The state follows the parenthesised command name: Z (zombie) or gone means exited.
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            if !process.isRunning || stat.isEmpty || state == "Z" || state == "X" { return true }
            usleep(20_000)
        }
        return false
    }

    func stopAll() {
        for id in processes.keys { stop(id) }
    }

    /// Whether the daemon of `id` was started and has not been stopped or killed since.
    func isRunning(_ id: String) -> Bool { processes[id] != nil }

    /// The daemon's log so far, for failure messages.
    func log(_ id: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("\(id).log"), encoding: .utf8)) ?? "(no log)"
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass. The default is
    /// generous: it bounds a wait that normally ends in seconds, on a machine that may be
    /// running the whole suite at once.
    func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }

    /// A loopback port that is free right now and that no other tree of this process got
    /// (two trees of suites running in parallel must never share one).
    static func freePort() throws -> Int {
        try LoopbackPort.free()
    }
}
