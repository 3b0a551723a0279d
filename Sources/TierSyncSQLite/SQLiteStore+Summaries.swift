import Foundation
import GRDB
import TierSyncModel
import TierSyncStore

extension SQLiteStore {
    /// Keeps the summaries a child sent of its subtree in its peer record, as JSON,
    /// replacing those it sent before; the summary counts as a contact.
    public func recordSubtree(_ nodes: [NodeSummary], from child: NodeID) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        let text = String(decoding: try encoder.encode(nodes), as: UTF8.self)
        try await writeTransaction { db in
            try SQLiteStore.ensurePeer(db, node: child, role: .child)
            let now = Date().timeIntervalSince1970
            try db.execute(sql: "UPDATE _ts_peer SET summary = ?, summary_at = ?, last_contact = ? WHERE node = ?",
                           arguments: [text, now, now, child.description])
        }
    }

    /// The subtree summaries every child last sent. A record that no longer decodes (for
    /// example one written by a later TierSync) is left out.
    public func subtrees() async throws -> [SubtreeRecord] {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT node, summary, summary_at FROM _ts_peer WHERE role = 'child' AND summary IS NOT NULL ORDER BY node")
                .map { row -> (node: String, summary: String?, at: Double) in (row["node"], row["summary"], row["summary_at"] ?? 0) }
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return rows.compactMap { row in
            guard let child = try? NodeID(row.node), let text = row.summary,
                  let nodes = try? decoder.decode([NodeSummary].self, from: Data(text.utf8)) else { return nil }
            return SubtreeRecord(child: child, receivedAt: Date(timeIntervalSince1970: row.at), nodes: nodes)
        }
    }

    /// The number of local writes the capture triggers have recorded: those folded into the
    /// log and those waiting in the capture log.
    public func capturedCount() async throws -> Int64 {
        try await pool.read { db in
            try (Int64.fetchOne(db, sql: "SELECT captured FROM _ts_node WHERE id = 1") ?? 0) + (Int64.fetchOne(db, sql: CaptureSQL.pendingWrites) ?? 0)
        }
    }
}
