import Foundation
import Logging
import TierSyncModel
import TierSyncStore
import TierSyncWire

/// The child side of resync: repairs this node against its parent in both directions by
/// the cheapest correct path, resumably.
///
/// 1. **Replay.** A normal round first: it moves whatever the parent's log still holds
///    after the cursor. If every table's digest root then matches the parent's, that was
///    enough.
/// 2. **Digest.** Otherwise the digest trees of the differing tables are opened, 16
///    ranges at a time, down to the leaves that differ, and only the parent's states of
///    the rows in those leaves move. Each range is repaired in one transaction that also
///    records it as done, so a run killed halfway continues where it stopped.
/// 3. **Full.** With `full`, or when the two nodes' digests cannot be compared, every leaf
///    is treated as differing.
///
/// While the store has a recorded ``CaptureGap``, rows whose table and log disagree were
/// written while the capture triggers were missing: the repair keeps them as new local
/// writes instead of taking the parent's state (``RowRepair``), and a run over every table
/// that completes clears the gap.
///
/// A final round pushes what the repair logged for the parent and pulls what the parent
/// wrote meanwhile. When the run started because the pull cursor no longer fitted the
/// parent's log, the cursor is set to the parent's head read before its digests.
public struct Resync: Sendable {
    /// What to resync and how.
    public struct Options: Sendable {
        /// The tables to check; nil for every synced table.
        public var tables: [String]?
        /// Compare every row, not only those of differing ranges.
        public var full = false
        /// Decide and count, but write nothing.
        public var dryRun = false

        /// Options with the defaults.
        public init(tables: [String]? = nil, full: Bool = false, dryRun: Bool = false) {
            self.tables = tables
            self.full = full
            self.dryRun = dryRun
        }
    }

    /// The normal push-and-pull round.
    public var replicator: ChildReplicator
    /// The node's store.
    public let store: any ResyncStore
    /// The way to the parent.
    public let link: any ResyncLink
    let logger: Logger

    /// Creates a resync over the same store and link as the node's replicator.
    public init(store: any ResyncStore, link: any ResyncLink, batchSize: Int = 5000, logger: Logger) {
        self.store = store
        self.link = link
        self.logger = logger
        replicator = ChildReplicator(store: store, link: link, batchSize: batchSize, logger: logger)
    }

    /// True when a run against the parent stopped halfway and should continue.
    public func pending() async throws -> Bool {
        guard let parent = store.node.parent else { return false }
        return try await store.resyncRun(with: parent) != nil
    }

    /// Runs a resync. `cursorBroken` says the pull cursor was refused; `progress` gets each step.
    public func run(_ options: Options, cursorBroken brokenBefore: Bool = false, progress: @Sendable (ResyncEvent) -> Void = { _ in }) async throws -> ResyncReport {
        guard let parent = store.node.parent else {
            throw SyncError.badRequest("\(store.node) is the group: it has no parent to resync with")
        }
        let started = Date()
        let bytesBefore = link.bytesMoved
        var report = ResyncReport()
        report.dryRun = options.dryRun
        let tables = options.tables ?? store.schema.tables.map(\.name)
        for table in tables where store.schema.table(named: table) == nil {
            throw SyncError.badRequest("table \(table) is not synced here; this node syncs \(store.schema.tables.map(\.name).joined(separator: ", "))")
        }
        report.tables = tables
        let captureGap = try await store.captureGap() != nil
        report.captureGap = captureGap
        let earlier = options.dryRun ? nil : try await store.resyncRun(with: parent)
        report.resumed = earlier != nil
        var cursorBroken = brokenBefore || earlier?.cursorBroken == true
        if earlier == nil && !options.dryRun && !cursorBroken {
            let round = try await replicator.round()
            report.replayed = round.pushed + round.pulled
            cursorBroken = round.cursorBroken
        }
        report.cursorBroken = cursorBroken

        logger.debug("resync replayed", metadata: ["sync.seconds": "\(Date().timeIntervalSince(started))"])
        let scopes = ScopeSelection.comparedWith(parent: parent, child: store.node)
        // The child's digests are computed while the parent computes its own.
        async let localDigests = store.digests(of: tables, scopes: scopes)
        let roots: DigestResponse
        do {
            roots = try await link.digest(DigestRequest(node: store.node.description, level: 0, tables: tables.map { DigestQuery(table: $0) }, start: !options.dryRun))
        } catch SyncError.notAnAPIRoot {
            // The replay above reached the parent's API: only the digest route is unknown.
            return try await withoutDigests(report, parent: parent, cursorBroken: cursorBroken, options: options, started: started, bytesBefore: bytesBefore, progress: progress)
        }
        let local = try await localDigests
        report.rowsChecked = local.values.reduce(0) { $0 + $1.rows }
        logger.debug("resync digests compared", metadata: ["sync.seconds": "\(Date().timeIntervalSince(started))"])
        var parentRows: [String: Int64] = [:]
        var differing: [String] = []
        for answer in roots.tables {
            let root = try answer.nodes().first ?? DigestTree.Node()
            parentRows[answer.table] = root.rows
            if root != local[answer.table]?.tree.root { differing.append(answer.table) }
        }

        if let earlier {
            report.path = earlier.path
            report.reason = "continuing the \(earlier.path) resync that stopped halfway"
        } else if options.full {
            report.path = "full"
            report.reason = "--full asks for every row"
        } else if roots.algorithm != DigestTree.algorithm {
            report.path = "full"
            report.reason = "the parent's digests (\(roots.algorithm)) cannot be compared with this node's (\(DigestTree.algorithm))"
        } else if differing.isEmpty {
            report.path = "replay"
            report.reason = cursorBroken
                ? "the cursor no longer fitted the parent's log, but every digest matches: only the cursor is set anew"
                : "the replay from the cursor sufficed: every digest matches the parent's"
        } else {
            report.path = "digest"
            report.reason = (cursorBroken ? "the cursor no longer fits the parent's log; " : "")
                + "digests of \(differing.joined(separator: ", ")) differ: only the rows of differing ranges move"
        }
        let every = report.path == "full"
        report.differingTables = every ? tables : differing
        progress(.path(report))

        var leaves: [String: [Int]] = [:]
        var leafRows: [String: [Int: Int64]] = [:]
        if every {
            for table in tables { leaves[table] = Array(0..<DigestTree.leafCount) }
        } else if !differing.isEmpty {
            (leaves, leafRows) = try await differingLeaves(differing, local: local)
        }
        logger.debug("resync ranges found", metadata: ["sync.seconds": "\(Date().timeIntervalSince(started))"])
        for table in tables {
            progress(.compared(table: table, rows: local[table]?.rows ?? 0, differing: every ? DigestTree.leafCount : leaves[table]?.count ?? 0))
        }

        var run = earlier ?? ResyncRun(
            parent: parent, path: report.path, parentEpoch: roots.epoch, parentHead: roots.head, cursorBroken: cursorBroken,
            tables: Dictionary(uniqueKeysWithValues: report.differingTables.map { ($0, ResyncMark(table: $0, doneThrough: -1, finished: false)) }))
        if earlier == nil && !options.dryRun && !report.differingTables.isEmpty { try await store.beginResync(run) }
        for table in report.differingTables.sorted() {
            let mark = run.tables[table] ?? ResyncMark(table: table, doneThrough: -1, finished: false)
            let all = leaves[table] ?? []
            let open = mark.finished ? [] : all.filter { $0 > mark.doneThrough }
            report.rangesDiffering += all.count
            let counts = try await repair(table, leaves: open, estimate: every ? nil : leafRows[table], local: local[table], parentRows: parentRows[table] ?? 0,
                                          parent: parent, captureGap: captureGap, options: options, progress: progress)
            report.counts = report.counts + counts
            run.tables[table]?.finished = true
        }
        if let earlier {
            report.rangesSkipped = earlier.counts.ranges
            report.counts = report.counts + earlier.counts
        }

        logger.debug("resync ranges repaired", metadata: ["sync.seconds": "\(Date().timeIntervalSince(started))"])
        if !options.dryRun {
            try await store.finishResync(with: parent, cursor: cursorBroken ? (run.parentEpoch, run.parentHead) : nil)
            let round = try await replicator.round()
            report.replayed += round.pushed + round.pulled
            if options.tables == nil { try await store.clearCaptureGap(foundBefore: started) }
        }
        report.bytesMoved = link.bytesMoved - bytesBefore
        report.seconds = Date().timeIntervalSince(started)
        logger.info("resync done", metadata: [
            "sync.path": "\(report.path)", "sync.ranges": "\(report.rangesDiffering)", "sync.pulled": "\(report.counts.pulled)",
            "sync.pushed": "\(report.counts.pushed)", "sync.bytes": "\(report.bytesMoved)",
        ])
        return report
    }

    /// Against a parent that serves no digests (an older TierSync): the last resort, its whole
    /// log pulled again from the start when the cursor is broken (a full copy of what it
    /// sends), and nothing more to compare otherwise.
    private func withoutDigests(_ report: ResyncReport, parent: NodeID, cursorBroken: Bool, options: Options, started: Date, bytesBefore: Int64,
                                progress: (ResyncEvent) -> Void) async throws -> ResyncReport {
        var report = report
        report.path = "full"
        report.reason = "the parent serves no digests (an older TierSync)"
            + (cursorBroken ? ": its whole log is pulled again from the start" : "; the replay from the cursor is all that can be done")
        progress(.path(report))
        if !options.dryRun && cursorBroken {
            try await store.finishResync(with: parent, cursor: (epoch: "", through: 0))
            let round = try await replicator.round()
            report.replayed += round.pushed + round.pulled
        }
        report.bytesMoved = link.bytesMoved - bytesBefore
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Opens the trees of `tables` level by level, 16 children of each differing range per
    /// step, and returns the differing leaves of each table with the parent's row count in
    /// each.
    private func differingLeaves(_ tables: [String], local: [String: TableDigest]) async throws -> ([String: [Int]], [String: [Int: Int64]]) {
        var parents = Dictionary(uniqueKeysWithValues: tables.map { ($0, [0]) })
        var rows: [String: [Int: Int64]] = [:]
        for level in 1...DigestTree.depth {
            let queries = parents.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { DigestQuery(table: $0.key, parents: $0.value) }
            guard !queries.isEmpty else { break }
            let answer = try await link.digest(DigestRequest(node: store.node.description, level: level, tables: queries))
            var next: [String: [Int]] = [:]
            for (query, table) in zip(queries, answer.tables) where query.table == table.table {
                let remote = try table.nodes()
                let mine = local[query.table]?.tree.children(level: level, of: query.parents ?? []) ?? []
                let indexes = (query.parents ?? []).flatMap { $0 * DigestTree.fanout..<($0 + 1) * DigestTree.fanout }
                guard remote.count == indexes.count, mine.count == indexes.count else {
                    throw SyncError.badRequest("the parent answered \(remote.count) digests of \(query.table) for \(indexes.count) ranges")
                }
                next[query.table] = indexes.indices.filter { remote[$0] != mine[$0] }.map { indexes[$0] }
                if level == DigestTree.depth {
                    rows[query.table] = Dictionary(uniqueKeysWithValues: indexes.indices.map { (indexes[$0], remote[$0].rows) })
                }
            }
            parents = next
        }
        return (parents, rows)
    }

    /// Repairs the rows of `leaves` of one table, in ranges of about `sync.batch` rows, each
    /// fetched from the parent and repaired in its own transaction, keeping the writes a
    /// capture gap missed when `captureGap`. The child's own keys in those leaves are read
    /// while the first range is fetched.
    private func repair(_ table: String, leaves: [Int], estimate: [Int: Int64]?, local: TableDigest?, parentRows: Int64, parent: NodeID,
                        captureGap: Bool, options: Options, progress: (ResyncEvent) -> Void) async throws -> RepairCounts {
        var total = RepairCounts()
        guard !leaves.isEmpty else {
            if !options.dryRun {
                _ = try await store.repair(table: table, keys: [], parentStates: [], parent: parent,
                                           mark: ResyncMark(table: table, doneThrough: DigestTree.leafCount, finished: true),
                                           captureGap: captureGap, dryRun: false)
            }
            return total
        }
        // Without the parent's leaf counts (a full copy), its rows are spread evenly over the leaves.
        let perLeaf = Double(parentRows) / Double(DigestTree.leafCount)
        var ranges: [[Int]] = []
        var current: [Int] = []
        var rows = 0.0
        for leaf in leaves {
            current.append(leaf)
            rows += max(estimate.map { Double($0[leaf] ?? 0) } ?? perLeaf, Double(local?.tree.leaves[leaf].rows ?? 0))
            if rows >= Double(replicator.batchSize) {
                ranges.append(current)
                current = []
                rows = 0
            }
        }
        if !current.isEmpty { ranges.append(current) }

        async let localKeys = store.digestKeys(of: table, buckets: Set(leaves), locations: local?.locations, scopes: .comparedWith(parent: parent, child: store.node))
        var fetched = try await states(of: table, leaves: ranges[0])
        var keysByLeaf: [Int: [DigestKey]] = [:]
        for key in try await localKeys { keysByLeaf[key.bucket, default: []].append(key) }
        var done = 0
        for (number, range) in ranges.enumerated() {
            if number > 0 { fetched = try await states(of: table, leaves: range) }
            let counts = try await store.repair(
                table: table, keys: range.flatMap { keysByLeaf[$0] ?? [] }, parentStates: fetched.states, parentPurged: fetched.purged, parent: parent,
                mark: ResyncMark(table: table, doneThrough: range.last!, finished: number == ranges.count - 1, ranges: range.count),
                captureGap: captureGap, dryRun: options.dryRun)
            total = total + counts
            done += range.count
            progress(.repaired(table: table, leaves: done, of: leaves.count, counts: total, bytes: fetched.bytes))
        }
        return total
    }

    /// The parent's states of the rows in `leaves`, what its purged tombstones of the table
    /// had seen, and the bytes the request moved.
    private func states(of table: String, leaves: [Int]) async throws -> (states: [Change], purged: PurgedHistory, bytes: Int64) {
        let before = link.bytesMoved
        let answer = try await link.rows(ResyncRowsRequest(node: store.node.description, table: table, buckets: leaves))
        let states: [Change]
        var purged: [NodeID: HybridTimestamp] = [:]
        do {
            states = try WireCoding.changes(answer.changes, columns: answer.columns, rules: answer.rules, schema: store.schema)
            for (writer, stamp) in answer.purged ?? [:] { purged[try NodeID(writer)] = HybridTimestamp(rawValue: stamp) }
        } catch {
            throw SyncError.badRequest("parent sent states this node cannot read: \(error)")
        }
        try replicator.stampLead.check(answer: states, what: "\(store.node.parent.map(\.description) ?? "the parent")'s resync rows")
        return (states, PurgedHistory(CausalContext(purged)), link.bytesMoved - before)
    }
}
