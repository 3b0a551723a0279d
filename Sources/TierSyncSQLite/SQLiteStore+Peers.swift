import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// The cursor and contact record kept for a peer, if any.
    public func peer(_ node: NodeID) async throws -> PeerState? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(SQLiteStore.peerColumns) FROM _ts_peer WHERE node = ?", arguments: [node.description]).map(SQLiteStore.peerState)
        }
    }

    /// All peer records, parent first, then children by id.
    public func peers() async throws -> [PeerState] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(SQLiteStore.peerColumns) FROM _ts_peer ORDER BY role = 'child', node").map(SQLiteStore.peerState)
        }
    }

    /// Records a contact that moved no data, and optionally corrects the cursors.
    public func recordContact(with node: NodeID, role: PeerRole, pushed: Int64?, pulled: Int64?, error: String?) async throws {
        try await writeTransaction { db in
            try SQLiteStore.ensurePeer(db, node: node, role: role)
            if let error {
                try db.execute(sql: "UPDATE _ts_peer SET last_error = ? WHERE node = ?", arguments: [error, node.description])
            } else {
                try db.execute(sql: "UPDATE _ts_peer SET last_error = NULL, last_contact = ? WHERE node = ?",
                               arguments: [Date().timeIntervalSince1970, node.description])
            }
            if let pushed {
                try db.execute(sql: "UPDATE _ts_peer SET pushed = ? WHERE node = ?", arguments: [pushed, node.description])
            }
            if let pulled {
                try db.execute(sql: "UPDATE _ts_peer SET pulled = ? WHERE node = ?", arguments: [pulled, node.description])
            }
        }
    }

    /// Records the highest log position a pull answer to `child` covered. The pull recorded
    /// the child when it came in; a record removed since (``removeChild(_:)`` while the
    /// pull was held) stays removed.
    public func recordServed(to child: NodeID, through: Int64) async throws {
        try await writeTransaction { db in
            try db.execute(sql: "UPDATE _ts_peer SET served = max(coalesce(served, 0), ?) WHERE node = ?", arguments: [through, child.description])
        }
    }

    /// Forgets a child that is gone: its peer record (cursors, the position served to it,
    /// an operator's resync request, the summary of its subtree) and the error-queue
    /// entries of changes it pushed, in one transaction. Rows of its scope that this node
    /// holds, and conflicts met in its changes, stay: they are this node's data and history.
    /// - Returns: what was deleted; nil when this node has no record of `child` as a child.
    public func removeChild(_ child: NodeID) async throws -> RemovedChild? {
        try await writeTransaction { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(SQLiteStore.peerColumns), summary FROM _ts_peer WHERE node = ? AND role = 'child'",
                                             arguments: [child.description]) else { return nil }
            let peer = try SQLiteStore.peerState(row)
            let summarized = (row["summary"] as String?).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Any] }?.count ?? 0
            try db.execute(sql: "DELETE FROM _ts_rejected WHERE peer = ?", arguments: [child.description])
            let rejected = db.changesCount
            try db.execute(sql: "DELETE FROM _ts_peer WHERE node = ? AND role = 'child'", arguments: [child.description])
            return RemovedChild(peer: peer, rejected: rejected, summarizedNodes: summarized)
        }
    }

    /// The columns of a peer record, without the subtree summary a child sent.
    static let peerColumns = "node, role, pushed, pulled, epoch, last_contact, last_error, newest_change, served, resync"

    static func ensurePeer(_ db: Database, node: NodeID, role: PeerRole) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO _ts_peer(node, role) VALUES (?, ?)", arguments: [node.description, role.rawValue])
    }

    static func peerState(_ row: Row) throws -> PeerState {
        let lastContact: Double? = row["last_contact"]
        let newest: Int64? = row["newest_change"]
        return PeerState(
            node: try NodeID(row["node"] as String), role: PeerRole(rawValue: row["role"]) ?? .child,
            pushed: row["pushed"], pulled: row["pulled"], epoch: row["epoch"],
            lastContact: lastContact.map { Date(timeIntervalSince1970: $0) }, lastError: row["last_error"],
            served: row["served"], resyncRequested: (row["resync"] as Int64?).flatMap { $0 != 0 ? true : nil },
            newestChange: newest.flatMap { $0 > 0 ? HybridTimestamp(rawValue: $0).date : nil })
    }
}
