import Foundation
import TierSyncModel

extension StampLead {
    /// Refuses received changes, before any is applied, when one names a stamp more than
    /// the bound ahead of this node's wall clock at `now`.
    ///
    /// - Parameter message: the refusal's text from the change's label (`change [i] to
    ///   TABLE [KEY]`) and the stamp beyond the bound.
    /// - Throws: ``SyncError/stampAhead(_:)`` with that text, for the first such change.
    func check(_ changes: [Change], now: Date = Date(), message: (String, Excess) -> String) throws {
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        for (index, change) in changes.enumerated() {
            if let excess = excess(in: change, nowMillis: nowMillis) {
                throw SyncError.stampAhead(message("change [\(index)] to \(change.table) \(change.key.map(\.description))", excess))
            }
        }
    }

    /// Refuses a parent's answer (`what` names it, e.g. `cn.gd's pull answer`) when one of
    /// its changes, or of its evictions' contexts, names a stamp beyond the bound.
    func check(answer changes: [Change], evictions: [Eviction] = [], what: String, now: Date = Date()) throws {
        func refusal(_ label: String, _ excess: Excess) -> String {
            "\(what), \(label): \(excess). Fix the clock of \(excess.writer), or this node's (NTP); nothing of the answer was applied"
        }
        try check(changes, now: now, message: refusal)
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        for (index, eviction) in evictions.enumerated() {
            if let excess = excess(in: eviction, nowMillis: nowMillis) {
                throw SyncError.stampAhead(refusal("eviction [\(index)] from \(eviction.table) \(eviction.key.map(\.description))", excess))
            }
        }
    }
}
