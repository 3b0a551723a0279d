import Foundation

/// A process's resident memory, from `/proc/PID/status` (Linux): `VmRSS` now and `VmHWM`,
/// the peak the kernel has recorded since the process started.
struct ProcessMemory: Sendable {
    /// Resident set size now, in MB (MiB).
    let currentMB: Double
    /// Peak resident set size, in MB (MiB).
    let peakMB: Double

    /// The memory of process `pid`; nil where `/proc` does not say (not Linux, or the
    /// process has exited).
    static func read(pid: Int32) -> ProcessMemory? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func megabytes(_ field: String) -> Double? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
            // "VmHWM:\t   12345 kB"
            let kilobytes = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
            return kilobytes.map { $0 / 1024 }
        }
        guard let current = megabytes("VmRSS"), let peak = megabytes("VmHWM") else { return nil }
        return ProcessMemory(currentMB: current, peakMB: peak)
    }

    /// The memory of this process; nil where `/proc` does not say.
    static func ofThisProcess() -> ProcessMemory? {
        read(pid: getpid())
    }

    /// Sets this process's recorded peak (`VmHWM`) back to its resident memory now, by
    /// writing 5 to `/proc/self/clear_refs` (Linux 4.0 and later), so that a later
    /// ``ofThisProcess()`` reports the peak of what ran since. Returns false where that is
    /// not possible: the peak then covers the whole process's life.
    static func resetPeak() -> Bool {
        guard let file = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? file.close() }
        do {
            try file.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }
}

extension DaemonTree {
    /// The highest acceptable peak resident memory of a daemon, in MB.
    static let memoryTarget = 100.0

    /// Prints and emits each daemon's peak resident memory (`VmHWM`) as figure
    /// `PREFIX.rss.NODE`, beside its resident memory once it answered at start.
    func reportPeakMemory(figure prefix: String) {
        var cells: [String] = []
        for node in nodes {
            guard let peak = memory(of: node), let start = startMemory[node.id] else {
                say("          peak memory of \(node.id): /proc/PID/status is not readable here; left out")
                continue
            }
            let figure = Figure.cost("\(prefix).rss.\(node.id)", Figure.Measure("peak resident memory (VmHWM)", peak.peakMB, "MB"),
                                     baseline: Figure.Measure("resident memory after start", start.currentMB, "MB"),
                                     target: .valueAtMost(Self.memoryTarget), details: ["current_mb": peak.currentMB])
            Output.emit(figure)
            cells.append("\(node.id) \(String(format: "%.1f", peak.peakMB)) MB (\(verdict(figure.met ?? false)), at start \(String(format: "%.1f", start.currentMB)))")
        }
        if !cells.isEmpty {
            say(resultLine("", ["peak RSS " + cells.joined(separator: ", ") + "; target <= \(Int(Self.memoryTarget)) MB"]))
        }
    }
}
