import Logging
import ServiceLifecycle
import TierSyncSQLite

/// Watches the node's capture triggers while the daemon runs: every few seconds it looks
/// for triggers someone dropped, reinstalls them and logs the gap as an error, which
/// `status` and the status page also show until a resync or an operator clears it.
struct CaptureGuard: Service {
    let store: SQLiteStore
    let logger: Logger
    /// How often the triggers are checked. The default is 2 s.
    let every: Duration

    init(store: SQLiteStore, logger: Logger, every: Duration = .seconds(2)) {
        self.store = store
        self.logger = logger
        self.every = every
    }

    func run() async throws {
        // A gap found when the store opened (triggers dropped while the daemon was down).
        if let gap = try? await store.captureGap() {
            logger.error("capture gap", metadata: ["capture.triggers": "\(gap.triggers.joined(separator: ","))", "capture.error": "\(gap.message(node: store.node))"])
        }
        await cancelWhenGracefulShutdown {
            await watch()
        }
    }

    private func watch() async {
        while !Task.isCancelled {
            do {
                let reinstalled = try await store.checkCapture()
                if !reinstalled.isEmpty, let gap = try await store.captureGap() {
                    logger.error("capture triggers were missing; reinstalled", metadata: [
                        "capture.triggers": "\(reinstalled.joined(separator: ","))", "capture.error": "\(gap.message(node: store.node))",
                    ])
                }
            } catch {
                logger.error("cannot check the capture triggers", metadata: ["capture.error": "\(error)"])
            }
            do {
                try await Task.sleep(for: every)
            } catch {
                return
            }
        }
    }
}
