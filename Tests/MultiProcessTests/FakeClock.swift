import Foundation

/// A process clock set minutes off the machine's, through Debian's libfaketime, whose
/// preloaded library shifts `clock_gettime` and `gettimeofday`: what Foundation's `Date` and
/// SQLite's `'now'` read. Monotonic clocks stay true, so timers and timeouts run as usual.
///
/// The daemon runs under the `faketime` program, as its child. Preloading the library
/// straight into a Swift program leaves `CommandLine.arguments` empty: without the shared
/// memory that `faketime` sets up, the library changes the environment as the process
/// starts, where the Swift runtime on Linux looks for the arguments. The sqlite3 shell,
/// a C program, takes the library directly.
enum FakeClock {
    static let program = "/usr/bin/faketime"

    /// The thread-safe libfaketime library, wherever this machine's multiarch layout puts it.
    static let library: String? = {
        let roots = ["/usr/lib"] + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []).map { "/usr/lib/\($0)" }
        return roots.map { "\($0)/faketime/libfaketimeMT.so.1" }.first { FileManager.default.fileExists(atPath: $0) }
    }()

    /// True when a test that needs libfaketime can run: it is installed, or this is CI,
    /// whose `.ci/run` installs it (there a missing one fails the test, not skips it).
    static var usable: Bool {
        (library != nil && FileManager.default.isExecutableFile(atPath: program)) || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The offset in libfaketime's form: seconds, signed.
    static func offset(_ seconds: Int) -> String { seconds < 0 ? "\(seconds)" : "+\(seconds)" }

    /// The launcher that runs a daemon `seconds` ahead of the machine's clock (behind when
    /// negative); see ``TestTree/start(_:environment:launcher:)``.
    static func launcher(offset seconds: Int) -> [String] {
        [program, "-m", "-f", offset(seconds)]
    }

    /// The environment every faked process gets: real monotonic clocks.
    static let daemonEnvironment = ["FAKETIME_DONT_FAKE_MONOTONIC": "1"]

    /// The environment that runs the sqlite3 shell `seconds` ahead of the machine's clock.
    static func environment(offset seconds: Int) -> [String: String] {
        guard let library else { return [:] }
        return daemonEnvironment.merging(["LD_PRELOAD": library, "FAKETIME": offset(seconds)]) { $1 }
    }
}
