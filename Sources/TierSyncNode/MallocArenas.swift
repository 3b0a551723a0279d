import CMallocArenas
import Foundation

/// The malloc arenas a daemon keeps. glibc gives each thread that allocates concurrently an
/// arena of its own, up to eight per core, and returns little of their free space to the
/// system; a daemon's event loops, database connections and task threads each take one.
/// Two arenas cut a province daemon's peak memory under a bulk push from about 246 MB to
/// about 177 MB in the end-to-end benchmark, at the same speed.
enum MallocArenas {
    /// The arenas kept unless the environment sets `MALLOC_ARENA_MAX` itself.
    static let limit: Int32 = 2

    /// Limits the arenas to ``limit`` before the daemon starts its threads, unless
    /// `MALLOC_ARENA_MAX` is set (glibc then follows it). Returns the limit applied, if any.
    @discardableResult
    static func limitUnlessConfigured(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32? {
        guard environment["MALLOC_ARENA_MAX"] == nil else { return nil }
        return tiersync_limit_malloc_arenas(limit) == 1 ? limit : nil
    }
}
