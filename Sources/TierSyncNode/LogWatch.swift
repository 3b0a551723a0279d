import Logging
import ServiceLifecycle
import TierSyncEngine
import TierSyncSQLite

/// Signals the node's ``LogNotifier`` within milliseconds of a commit that moved its change
/// log: a local application's write, in any process, and this daemon's own applies. It
/// watches the database file's data version (``CommitWatcher``) and reads the log head
/// after each commit, so that TierSync's own bookkeeping (contact records, summaries) wakes
/// nobody. On graceful shutdown it finishes the notifier: pulls held for the children answer
/// at once, and the HTTP server, stopped after it, does not wait for them.
struct LogWatch: Service {
    let store: SQLiteStore
    let notifier: LogNotifier
    let logger: Logger
    /// How often the data version is read. The default is 5 ms.
    let every: Duration

    init(store: SQLiteStore, notifier: LogNotifier, logger: Logger, every: Duration = .milliseconds(5)) {
        self.store = store
        self.notifier = notifier
        self.logger = logger
        self.every = every
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await watch()
        }
        notifier.finish()
    }

    private func watch() async {
        let head = HeadMark(store: store, notifier: notifier)
        await head.look()
        do {
            let watcher = try CommitWatcher(path: store.path)
            defer { watcher.close() }
            await watcher.watch(every: every) { await head.look() }
        } catch {
            // Without its own connection it still sees the log move, later: by polling the head.
            logger.warning("cannot watch the database for commits; polling the log head every 200 ms", metadata: ["sync.error": "\(error)"])
            while !Task.isCancelled {
                await head.look()
                do {
                    try await Task.sleep(for: .milliseconds(200))
                } catch {
                    return
                }
            }
        }
    }
}

/// The log head last seen by ``LogWatch``, and the signal when it moves.
private actor HeadMark {
    let store: SQLiteStore
    let notifier: LogNotifier
    var seen: Int64 = -1

    init(store: SQLiteStore, notifier: LogNotifier) {
        self.store = store
        self.notifier = notifier
    }

    /// Reads the log head; signals when it moved since the last look.
    func look() async {
        guard let head = try? await store.logHead(), head != seen else { return }
        let first = seen < 0
        seen = head
        if !first { notifier.signal() }
    }
}
