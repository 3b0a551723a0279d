import Foundation

/// A fresh temporary directory for one run's databases, configurations and daemon logs.
struct ScratchDirectory: Sendable {
    /// The directory.
    let url: URL

    /// Creates `tiersync-bench-XXXXXXXX` in the system's temporary directory.
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-bench-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// A subdirectory, created if missing.
    func subdirectory(_ name: String) throws -> URL {
        let directory = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Deletes an SQLite file with its `-wal` and `-shm` companions.
    func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
