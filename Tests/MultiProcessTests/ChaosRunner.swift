import Foundation

/// Runs a tree of real daemons through random faults while every tier writes: each trial
/// brings back what an earlier one broke when its time is up, writes at a few random
/// nodes, injects one fault, and lets the tree run a moment. The faults are a daemon
/// killed with SIGKILL (restarted one to three trials later), a clean restart (SIGTERM,
/// then start), a link partitioned through its ``FaultProxy`` (refusing or dropping, for
/// one to three trials), and a link's traffic delayed, cut, truncated or reset a few times.
///
/// At the end it heals every link, starts every daemon, waits (bounded) until the
/// ``TreeAudit`` finds every node holding exactly its scope with empty queues, and reports.
/// A request that a partition held open (a blackhole keeps its connections) ends at the
/// children's `sync.timeout`, 10 s here.
/// Every choice comes from one seeded generator: the same seed replays the same trials.
struct ChaosRunner {
    /// How long and how hard to run.
    struct Settings: CustomStringConvertible {
        /// The trials to run.
        var trials = 20
        /// The trials stop after this many seconds even when fewer have run.
        var seconds = 240.0
        /// After the trials, the tree has this long to converge.
        var convergeSeconds = 90.0
        /// The seed of every random choice.
        var seed = UInt64.random(in: 1...UInt64(UInt32.max))

        /// The settings from `TIERSYNC_CHAOS_TRIALS`, `TIERSYNC_CHAOS_SECONDS` and
        /// `TIERSYNC_CHAOS_SEED`, each defaulting as above.
        static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
            var settings = Settings()
            if let trials = environment["TIERSYNC_CHAOS_TRIALS"].flatMap(Int.init), trials > 0 { settings.trials = trials }
            if let seconds = environment["TIERSYNC_CHAOS_SECONDS"].flatMap(Double.init), seconds > 0 { settings.seconds = seconds }
            if let seed = environment["TIERSYNC_CHAOS_SEED"].flatMap(UInt64.init) { settings.seed = seed }
            return settings
        }

        var description: String {
            "seed \(seed), \(trials) trials, at most \(Int(seconds)) s of trials and \(Int(convergeSeconds)) s to converge"
        }
    }

    /// What a run did and what the audit found.
    struct Report: CustomStringConvertible {
        var settings: Settings
        var nodes: [String] = []
        var trials = 0
        /// Faults injected, by kind.
        var faults: [String: Int] = [:]
        /// Faults the proxies injected into traffic (each cut, reset, refusal or delayed chunk).
        var proxyFaults = 0
        var rowsWritten = 0
        var rowsDeleted = 0
        var writesByNode: [String: Int] = [:]
        var trialSeconds = 0.0
        var convergeSeconds = 0.0
        var audit = TreeAudit()

        var description: String {
            let kinds = faults.keys.sorted().map { "\($0) \(faults[$0]!)" }.joined(separator: ", ")
            let writers = writesByNode.keys.sorted().map { "\($0) \(writesByNode[$0]!)" }.joined(separator: ", ")
            return """
                TierSync chaos run: \(settings) (replay: TIERSYNC_CHAOS_SEED=\(settings.seed))
                tree: \(nodes.count) daemons (\(nodes.joined(separator: ", "))), each child behind a fault proxy
                trials: \(trials) in \(String(format: "%.1f", trialSeconds)) s
                faults injected: \(faults.values.reduce(0, +)) (\(kinds)); the proxies cut, reset, refused or delayed traffic \(proxyFaults) times
                rows written: \(rowsWritten) writes, \(rowsDeleted) of them deletes (\(writers))
                converged: \(audit.isClean ? "yes" : "NO"), \(String(format: "%.1f", convergeSeconds)) s after healing
                rows lost: \(audit.rowsLost), rows duplicated: \(audit.rowsDuplicated)
                audit: \(audit)
                duration: \(String(format: "%.1f", trialSeconds + convergeSeconds)) s
                """
        }
    }

    /// The tree: a group, two provinces, three cities.
    static let nodes = ["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz", "cn.js", "cn.js.nj"]

    /// Network faults a flaky link may get, with their kind's name.
    private static func networkFault(using random: inout SeededGenerator) -> (String, FaultProxy.Mode) {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: ("delay", .delay(milliseconds: Int.random(in: 50...400, using: &random)))
        case 1: ("cut request", .cutRequest(afterBytes: Int.random(in: 100...4000, using: &random)))
        case 2: ("cut response", .cutResponse(afterBytes: Int.random(in: 0...3000, using: &random)))
        case 3: ("truncate response", .truncateResponse(afterBytes: Int.random(in: 50...3000, using: &random)))
        default: ("reset", .reset)
        }
    }

    let settings: Settings

    /// Runs the trials, heals, waits for convergence and audits.
    func run() async throws -> Report {
        var random = SeededGenerator(seed: settings.seed)
        var report = Report(settings: settings, nodes: Self.nodes)
        let tree = try TestTree(Self.nodes, interval: 0.2, extra: "[sync]\nbatch = 200\ntimeout = 10\n", proxied: true)
        try await tree.start()
        var workload = ChaosWorkload()
        /// Trial at which a killed daemon comes back, and a partitioned link heals.
        var downUntil: [String: Int] = [:]
        var partitionedUntil: [String: Int] = [:]
        let started = Date()
        for trial in 0..<settings.trials {
            if Date().timeIntervalSince(started) > settings.seconds { break }
            report.trials += 1
            let due = downUntil.filter { $0.value <= trial }.keys.sorted { $0.count < $1.count }
            for id in due { downUntil[id] = nil }
            try await tree.start(due)
            for (child, until) in partitionedUntil where until <= trial {
                tree.proxies[child]?.set(.pass)
                partitionedUntil[child] = nil
            }
            for id in Self.nodes.shuffled(using: &random).prefix(Int.random(in: 2...4, using: &random)) {
                try workload.write(at: id, count: Int.random(in: 1...5, using: &random), database: tree.database(id), using: &random)
            }
            let running = Self.nodes.filter { tree.isRunning($0) }
            let links = Self.nodes.filter { tree.proxies[$0] != nil && partitionedUntil[$0] == nil }
            switch Int.random(in: 0..<4, using: &random) {
            case 0 where !running.isEmpty:
                let id = running.randomElement(using: &random)!
                tree.kill(id)
                downUntil[id] = trial + Int.random(in: 1...3, using: &random)
                report.faults["SIGKILL", default: 0] += 1
                print("chaos: trial \(trial): SIGKILL \(id), back at trial \(downUntil[id]!)")
            case 1 where !running.isEmpty:
                let id = running.randomElement(using: &random)!
                tree.stop(id)
                try await tree.start([id])
                report.faults["clean restart", default: 0] += 1
                print("chaos: trial \(trial): clean restart of \(id)")
            case 2 where !links.isEmpty:
                let child = links.randomElement(using: &random)!
                let mode: FaultProxy.Mode = Bool.random(using: &random) ? .refuse : .blackhole
                tree.proxies[child]?.set(mode)
                partitionedUntil[child] = trial + Int.random(in: 1...3, using: &random)
                report.faults["partition", default: 0] += 1
                print("chaos: trial \(trial): \(mode) between \(child) and its parent until trial \(partitionedUntil[child]!)")
            default:
                guard let child = links.randomElement(using: &random) else { break }
                let (kind, mode) = Self.networkFault(using: &random)
                let times = Int.random(in: 1...4, using: &random)
                tree.proxies[child]?.set(mode, times: times)
                report.faults[kind, default: 0] += 1
                print("chaos: trial \(trial): \(mode), \(times) times, between \(child) and its parent")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1200, using: &random)))
        }
        report.trialSeconds = Date().timeIntervalSince(started)

        // Heal: every link passes, every daemon runs; then wait for the audit to come out clean.
        for proxy in tree.proxies.values { proxy.set(.pass) }
        try await tree.start(Self.nodes.filter { !tree.isRunning($0) })
        let healed = Date()
        var audit = try TreeAudit.audit(tree, against: workload.expected)
        var reported = Date()
        while !audit.isClean, Date().timeIntervalSince(healed) < settings.convergeSeconds {
            if Date().timeIntervalSince(reported) >= 10 {
                print(String(format: "chaos: %.0f s after healing: ", Date().timeIntervalSince(healed)) + "\(audit)")
                reported = Date()
            }
            try await Task.sleep(for: .seconds(1))
            audit = try TreeAudit.audit(tree, against: workload.expected)
        }
        report.convergeSeconds = Date().timeIntervalSince(healed)
        report.audit = audit
        report.proxyFaults = tree.proxies.values.map(\.faults).reduce(0, +)
        report.rowsWritten = workload.expected.written + workload.expected.deleted
        report.rowsDeleted = workload.expected.deleted
        report.writesByNode = workload.writesByNode
        if !audit.isClean {
            for id in Self.nodes { print("---- \(id) log (tail)\n" + tree.log(id).suffix(3000)) }
        }
        return report
    }
}
