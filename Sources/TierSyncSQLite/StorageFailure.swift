import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif
import TierSyncStore

/// Recognises a write that failed because the database file could not grow, and names why.
///
/// SQLite reports a full disk (`ENOSPC`) or a full database (`max_page_count`) as
/// `SQLITE_FULL`. A file-size limit (`EFBIG`, `ulimit -f`) or an exhausted quota (`EDQUOT`)
/// comes as an I/O error, and the connection's last system error is not always kept by
/// then: after such an error the process's file-size limit and the disk's free space are
/// checked instead. Other I/O errors are not storage running out, and pass unchanged.
enum StorageFailure {
    /// Free bytes below which a disk counts as full when a write failed.
    static let nearlyFull: UInt64 = 1 << 20
    /// How close to the file-size limit a file must be to have hit it: a write is at most a
    /// WAL frame of the largest page size.
    static let frameBytes = 65536 + 24

    /// The cause when `error`, raised on `db` for the database at `path`, means the file
    /// could not grow; else nil.
    static func cause(of error: DatabaseError, on db: Database, path: String) -> String? {
        if error.resultCode == .SQLITE_FULL { return "the database or its disk is full (SQLITE_FULL)" }
        guard error.resultCode == .SQLITE_IOERR else { return nil }
        switch sqlite3_system_errno(db.sqliteConnection) {
        case ENOSPC: return "the disk is full (ENOSPC)"
        case EFBIG: return fileSizeCause(limit: fileSizeLimit())
        case EDQUOT: return "the disk quota is exhausted (EDQUOT)"
        default: break
        }
        let files = [path, path + "-wal", path + "-journal"]
        let largest = files.compactMap { (try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int }.max() ?? 0
        if let limit = fileSizeLimit(), UInt64(largest) + UInt64(frameBytes) >= limit {
            return fileSizeCause(limit: limit)
        }
        if let free = freeBytes(near: path), free < nearlyFull {
            return "the disk is full (\(free) bytes free)"
        }
        return nil
    }

    /// Runs `body`, turning a failure to grow the file at `path` into ``StoreError/storageFull(database:cause:)``.
    static func mapping<T>(_ db: Database, path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            if let cause = cause(of: error, on: db, path: path) {
                throw StoreError.storageFull(database: path, cause: "\(cause); SQLite said: \(error.message ?? error.description)")
            }
            throw error
        }
    }

    private static func fileSizeCause(limit: UInt64?) -> String {
        "the file-size limit of the process\(limit.map { " (\($0) bytes)" } ?? "") was reached (EFBIG; ulimit -f, LimitFSIZE=)"
    }

    /// The process's file-size limit (soft), nil when there is none (RLIM_INFINITY, all ones).
    static func fileSizeLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// The bytes free to this process on the file system holding `path`.
    static func freeBytes(near path: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(URL(fileURLWithPath: path).deletingLastPathComponent().path, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }
}
