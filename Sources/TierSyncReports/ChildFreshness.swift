import Foundation
import TierSyncModel
import TierSyncStore

/// How current one child's data is at this node: when the child was last heard from, the
/// time of the newest change received from it, and its backlog as it last reported it.
public struct ChildFreshness: Codable, Sendable, Equatable {
    /// The child's id (a province at the group, a city at a province).
    public var node: String
    /// ``State/current``, ``State/stale`` or ``State/missing``.
    public var state: State
    /// When this node last heard from the child (a push, a pull or a summary).
    public var lastContact: Date?
    /// The stamp time of the newest change received from the child.
    public var newestChange: Date?
    /// Changes the child held that this node had not acknowledged, as the child last
    /// reported; absent when it has not reported.
    public var backlog: Int?
    /// When the child reported that backlog.
    public var reportedAt: Date?
    /// The child's last failure to reach this node, as it reported it.
    public var lastError: String?

    /// How current a child's data is.
    public enum State: String, Codable, Sendable {
        /// Heard from within the staleness limit.
        case current
        /// Not heard from within the limit: its latest data may be missing here.
        case stale
        /// Never heard from, although configured or known: none of its data is here.
        case missing
    }

    /// The freshness of every child of `node`: those it has peer records or summaries of,
    /// and those `expected` names, in id order.
    /// - Parameters:
    ///   - staleAfter: seconds without contact after which a child's data is `stale`.
    public static func children(of node: NodeID, peers: [PeerState], subtrees: [SubtreeRecord], expected: [NodeID],
                                staleAfter: TimeInterval, now: Date) -> [ChildFreshness] {
        let children = peers.filter { $0.role == .child }
        var ids = Set(children.map(\.node)).union(subtrees.map(\.child))
        ids.formUnion(expected.filter { $0.parent == node })
        return ids.sorted().map { child in
            let peer = children.first { $0.node == child }
            let reported = subtrees.first { $0.child == child }?.nodes.first { $0.node == child }
            let state: State
            if let contact = peer?.lastContact {
                state = now.timeIntervalSince(contact) <= staleAfter ? .current : .stale
            } else {
                state = .missing
            }
            return ChildFreshness(
                node: child.description, state: state, lastContact: peer?.lastContact, newestChange: peer?.newestChange,
                backlog: reported?.backlog, reportedAt: reported?.madeAt, lastError: reported?.lastError)
        }
    }
}
