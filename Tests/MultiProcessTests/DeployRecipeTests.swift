import Foundation
import Testing

/// The recipe in Deploy/README.md for trying the samples on one machine, run as written:
/// it works on copies (the tracked samples stay as they are), starts `serve` for each
/// node with no flag the configuration already sets, and a customer written at the city
/// reaches the group.
struct DeployRecipeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shell blocks of the README section `title`, in order.
    static func shellBlocks(of readme: String, section title: String) -> [String] {
        guard let start = readme.range(of: "## \(title)\n") else { return [] }
        let rest = readme[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        return section.components(separatedBy: "```sh\n").dropFirst().compactMap { $0.components(separatedBy: "\n```").first }
    }

    @Test func theSamplesRecipeRunsAsWrittenAndLeavesTheSamplesAlone() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("Deploy/README.md"), encoding: .utf8)
        let blocks = Self.shellBlocks(of: readme, section: "Trying the samples on one machine")
        #expect(blocks.count == 2)
        let script = blocks.joined(separator: "\n")
        #expect(script.contains("tiersync serve") && !script.contains("tiersync sync"), "the recipe runs daemons with serve")
        for flag in ["--node-database", "--auth-key", "--node-id", "--node-listen", "--node-parent"] {
            #expect(!script.contains(flag), "the configuration already sets \(flag)")
        }
        let samples = ["group.conf", "province.conf", "city.conf"].map { Self.root.appendingPathComponent("Deploy/\($0)") }
        let before = try samples.map { try Data(contentsOf: $0) }

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-recipe-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        // Bounded in time; fails on the first error, and never leaves a daemon behind.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["120", "/bin/bash", "-c", "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script]
        process.currentDirectoryURL = Self.root
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = TestTree.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["TMPDIR"] = scratch.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the recipe failed (124: it took more than 120 s):\n\(text)")
        #expect(text.contains("SZ-1|Shenzhen Port"), "the customer reached the group:\n\(text)")
        #expect(try samples.map { try Data(contentsOf: $0) } == before, "the recipe must not edit the samples in Deploy/")
    }
}
