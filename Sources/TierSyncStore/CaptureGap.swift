import Foundation
import TierSyncModel

/// Capture triggers that were found missing and reinstalled: writes made to their tables
/// while they were missing were not captured, and do not flow to other nodes. Recorded in
/// the node's file until a resync of every table clears it or an operator acknowledges it.
public struct CaptureGap: Sendable, Equatable, Codable {
    /// When the first missing trigger was found (and reinstalled).
    public var since: Date
    /// When the latest was found.
    public var lastFound: Date
    /// The triggers found missing, by name, for example `_ts_customer_update`.
    public var triggers: [String]

    /// Creates a record.
    public init(since: Date, lastFound: Date, triggers: [String]) {
        self.since = since
        self.lastFound = lastFound
        self.triggers = triggers
    }

    /// What happened and what to do, for the status, the log and the status page. A node
    /// with a parent recovers by `tiersync resync`; the group has none to resync against.
    public func message(node: NodeID) -> String {
        let found = "capture trigger(s) \(triggers.joined(separator: ", ")) were missing (found and reinstalled at \(ISO8601DateFormatter().string(from: lastFound))): "
            + "writes made to their tables while they were missing were not captured and did not sync. "
        guard node.parent != nil else {
            return found + "Check those tables at \(node) and write the missed changes again, then run `tiersync status --acknowledge-capture-gap --config FILE`"
        }
        return found + "Run `tiersync resync --config FILE` to recover them and bring \(node) back into agreement with its parent "
            + "(rows added, updated or deleted meanwhile become new local writes of \(node), sent on like any other; "
            + "a row its parent changed since was overwritten by that change), "
            + "or acknowledge with `tiersync status --acknowledge-capture-gap --config FILE`"
    }
}
