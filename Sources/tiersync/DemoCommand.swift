import ArgumentParser
import Foundation
import GRDB
import TierSyncClient
import TierSyncWire

/// `tiersync demo`: brings up a local tree (the group, two provinces, two cities each) as
/// real daemons on loopback, writes sample data where each tier writes it, and shows the
/// tree converging.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a local tree of 7 daemons with sample data and show it converging.")

    @Option(help: "Directory for the nodes' configurations, databases and logs (emptied first).")
    var dir = "tiersync-demo"

    @Option(help: "First of 7 consecutive loopback ports.")
    var basePort = 7400

    @Option(help: "Customers written at each city.")
    var customers = 200

    @Option(help: "Seconds to wait for convergence before giving up.")
    var timeout = 90.0

    @Flag(help: "Keep the daemons running after convergence, until Ctrl-C.")
    var keepRunning = false

    func run() async throws {
        let tree = DemoTree(directory: URL(fileURLWithPath: dir).standardizedFileURL, basePort: basePort, customersPerCity: customers)
        try tree.prepare()
        say("TierSync demo: 7 nodes in \(tree.directory.path), ports \(basePort)-\(basePort + 6)")
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var processes: [Process] = []
        let stopAll = {
            for process in processes where process.isRunning { process.terminate() }
            for process in processes { process.waitUntilExit() }
        }
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
        interrupt.setEventHandler {
            stopAll()
            Foundation.exit(130)
        }
        interrupt.resume()
        do {
            for node in tree.nodes {
                processes.append(try tree.start(node, executable: executable))
            }
            try await tree.waitUntilHealthy()
            say("all 7 daemons answer; writing sample data as each tier's applications would")
            try tree.writeSampleData()
            let started = Date()
            let converged = try await tree.watchUntilConverged(timeout: timeout)
            guard converged else {
                say("not converged after \(Int(timeout)) s; the daemons' logs are in \(tree.directory.path)")
                stopAll()
                throw ExitCode(1)
            }
            say(String(format: "converged in %.1f s: every node holds exactly the rows in its scope", Date().timeIntervalSince(started)))
            try await tree.demonstrateEdits()
            if keepRunning {
                say("daemons keep running; status page: http://127.0.0.1:\(basePort)/  reports: curl 'http://127.0.0.1:\(basePort)/v1/reports/revenue?format=text'  (Ctrl-C stops them)")
                while true { try await Task.sleep(for: .seconds(3600)) }
            }
        } catch {
            stopAll()
            throw error
        }
        stopAll()
        say("daemons stopped; databases and logs remain in \(tree.directory.path)")
    }
}
