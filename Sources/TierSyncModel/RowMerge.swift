/// Merges two replication states of one row into the state every node converges to.
///
/// Each register keeps the siblings of either side that the other side has not seen
/// superseded: a sibling stays unless the other side's context covers its write without
/// holding it. The register's value is its winning sibling's (``Sibling/wins(over:)``).
/// The merge is commutative, associative and idempotent, so arrival order, duplication and
/// batching do not change the result.
public enum RowMerge {
    /// The result of a merge.
    public struct Outcome: Sendable {
        /// The merged state, with the local side's source; the caller sets the source.
        public var merged: Change
        /// True when the merged registers differ from the local ones: the row must be
        /// rewritten and logged.
        public var changed: Bool
        /// True when the merged context differs from the local one.
        public var contextChanged: Bool
        /// True when the merged state is exactly the incoming one, so the sender's subtree
        /// holds it already.
        public var sameAsIncoming: Bool
        /// Concurrent writes this merge brought together for the first time.
        public var conflicts: [Conflict]
    }

    /// Why a merge cannot complete.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// A register's winning value is unknown on both sides.
        case valuesUnknown(table: String, register: String)

        /// What is wrong.
        public var description: String {
            switch self {
            case let .valuesUnknown(table, register):
                "table \(table): the winning value of register \(register) is not known here; resync the row"
            }
        }
    }

    /// Merges `incoming` into `local`. `localValues` is called at most once, and only when a
    /// local value the change does not carry is needed.
    public static func merge(
        table: TableSchema, local: Change, incoming: Change, localValues: () throws -> [SQLValue]?
    ) throws -> Outcome {
        if let outcome = supersede(table: table, local: local, incoming: incoming) { return outcome }
        return try combine(table: table, local: local, incoming: incoming, localValues: localValues)
    }

    /// The fast path: a live incoming state whose context has seen every write the local
    /// one holds supersedes it whole. Each register becomes the incoming one, and nothing
    /// concurrent meets, so there is no conflict; the result is the one ``combine(table:local:incoming:localValues:)``
    /// gives for the same states (the tests hold them equal), without comparing siblings.
    /// Nil when the incoming state does not dominate, or is a deletion or carries no values.
    static func supersede(table: TableSchema, local: Change, incoming: Change) -> Outcome? {
        let localContext = local.meta.context
        var meta = incoming.meta
        guard let values = incoming.values, values.count == table.columns.count, !meta.isDeleted,
              meta.registers.count == table.registerNames.count, meta.context.covers(localContext) else { return nil }
        // Every incoming write stays: the local side holds it too, or has not seen it.
        func stays(_ theirs: [Sibling], _ mine: [Sibling]) -> Bool {
            theirs.allSatisfy { !localContext.covers($0.version) || mine.contains(write: $0.version) }
        }
        guard stays(meta.existence, local.meta.existence) else { return nil }
        var changed = local.meta.existence.writes != meta.existence.writes
        for name in table.registerNames {
            let mine = local.meta.registers[name] ?? []
            guard let register = meta.registers[name], let winner = register.first, winner.values == nil,
                  register.dropFirst().allSatisfy({ $0.values != nil }), stays(register, mine) else { return nil }
            changed = changed || mine.writes != register.writes
            if meta.bases[name] == nil, let base = local.meta.bases[name] { meta.bases[name] = base }
        }
        let scope = table.scopeIndex.flatMap { values[$0].textValue }.flatMap { try? NodeID($0) } ?? local.scope
        let previousScope: NodeID? = scope != local.scope
            ? local.scope : (scope == incoming.scope ? incoming.previousScope ?? local.previousScope : local.previousScope)
        var content = values
        for (position, index) in table.keyIndexes.enumerated() where table.isColumnwise && position < incoming.key.count {
            content[index] = incoming.key[position]
        }
        let merged = Change(
            table: table.name, key: incoming.key, values: content, deleted: false,
            version: meta.existence.first?.version ?? incoming.version,
            scope: scope, previousScope: previousScope, source: local.source, meta: meta)
        return Outcome(merged: merged, changed: changed, contextChanged: meta.context != localContext,
                       sameAsIncoming: true, conflicts: [])
    }

    /// The general merge: each register keeps the siblings of either side the other has not
    /// seen superseded.
    static func combine(
        table: TableSchema, local: Change, incoming: Change, localValues: () throws -> [SQLValue]?
    ) throws -> Outcome {
        let localContext = local.meta.context
        let incomingContext = incoming.meta.context
        func combine(_ mine: [Sibling], _ theirs: [Sibling]) -> [Sibling] {
            var kept: [Sibling] = []
            for sibling in mine where theirs.contains(write: sibling.version) || !incomingContext.covers(sibling.version) {
                // A write both sides hold: keep the copy whose values are known.
                if sibling.values == nil, let copy = theirs.first(where: { $0.version == sibling.version }) {
                    kept.append(copy)
                } else {
                    kept.append(sibling)
                }
            }
            for sibling in theirs where !mine.contains(write: sibling.version) && !localContext.covers(sibling.version) {
                kept.append(sibling)
            }
            return kept.ranked()
        }

        var meta = RowMeta(context: localContext.union(incomingContext))
        meta.existence = combine(local.meta.existence, incoming.meta.existence)
        var conflicts: [Conflict] = []
        var changed = local.meta.existence.writes != meta.existence.writes
        var sameAsIncoming = incoming.meta.existence.writes == meta.existence.writes && incomingContext == meta.context
        if isConflict(local: local.meta.existence, incoming: incoming.meta.existence, merged: meta.existence) {
            let found = conflict(
                table: table, key: incoming.key, register: Conflict.existence, rule: "delete=\(table.deletes.rawValue)",
                needsOperator: false, local: local.meta.existence, incoming: incoming.meta.existence, merged: meta.existence, base: nil)
            // Two live writes made concurrently are not a delete against an update.
            if found.local.values != found.remote.values { conflicts.append(found) }
        }

        // Fill in the values of each side's winners from the row content, lazily for local.
        var fetchedLocal: [SQLValue]??
        func localContent() throws -> [SQLValue]? {
            if let fetchedLocal { return fetchedLocal }
            let values = try local.values ?? localValues()
            fetchedLocal = .some(values)
            return values
        }
        func withValues(_ siblings: [Sibling], name: String, content: () throws -> [SQLValue]?) rethrows -> [Sibling] {
            guard let index = siblings.firstIndex(where: { $0.values == nil }) else { return siblings }
            var filled = siblings
            if let row = try content(), row.count == table.columns.count {
                filled[index].values = table.columnIndexes(ofRegister: name).map { row[$0] }
            }
            return filled
        }

        var content = [SQLValue](repeating: .null, count: table.columns.count)
        for (position, index) in table.keyIndexes.enumerated() where position < incoming.key.count {
            content[index] = incoming.key[position]
        }
        var contentKnown = true
        for name in table.registerNames {
            let mine = local.meta.registers[name] ?? []
            let theirs = withValues(incoming.meta.registers[name] ?? [], name: name) { incoming.values }
            if mine.isEmpty && theirs.isEmpty {
                // A column added since either side last wrote the row: nobody has written it,
                // and it holds what the row holds there (its DEFAULT) until a write does.
                if let row = try incoming.values ?? localContent(), row.count == table.columns.count {
                    for index in table.columnIndexes(ofRegister: name) { content[index] = row[index] }
                } else {
                    contentKnown = false
                }
                continue
            }
            // A side without the register has never seen a write to it: the other side's
            // writes all stand.
            var register = mine.isEmpty ? theirs.ranked() : theirs.isEmpty ? mine.ranked() : combine(mine, theirs)
            if register.contains(where: { $0.values == nil }) {
                let known = try withValues(mine, name: name, content: localContent)
                register = mine.isEmpty ? theirs.ranked() : theirs.isEmpty ? known.ranked() : combine(known, theirs)
            }
            let rule = table.rule(forRegister: name)
            if isConflict(local: mine, incoming: theirs, merged: register) {
                let found = conflict(
                    table: table, key: incoming.key, register: name, rule: rule.rawValue, needsOperator: rule == .manual,
                    local: try withValues(mine, name: name, content: localContent), incoming: theirs, merged: register,
                    base: incoming.meta.bases[name] ?? local.meta.bases[name])
                // Concurrent writes of the same value agree: nothing for anyone to decide.
                if found.local.values == nil || found.local.values != found.remote.values { conflicts.append(found) }
            }
            changed = changed || mine.writes != register.writes
            sameAsIncoming = sameAsIncoming && theirs.writes == register.writes
            let winner = register.first
            if let values = winner?.values {
                for (offset, index) in table.columnIndexes(ofRegister: name).enumerated() where offset < values.count {
                    content[index] = values[offset]
                }
            } else {
                contentKnown = false
            }
            // The winner's values live in the row content; the losers keep theirs.
            meta.registers[name] = register.enumerated().map { offset, sibling in
                offset == 0 ? Sibling(version: sibling.version, priority: sibling.priority, values: nil) : sibling
            }
            if let base = incoming.meta.bases[name], theirs.first?.version == winner?.version {
                meta.bases[name] = base
            } else if let base = local.meta.bases[name] {
                meta.bases[name] = base
            }
        }

        let deleted = meta.isDeleted
        if !contentKnown && !deleted {
            throw Failure.valuesUnknown(table: table.name, register: table.registerNames.first ?? RowMeta.wholeRow)
        }
        let scope = contentKnown ? table.scopeIndex.flatMap { content[$0].textValue }.flatMap { try? NodeID($0) } ?? local.scope : local.scope
        let previousScope: NodeID? = scope != local.scope ? local.scope : (scope == incoming.scope ? incoming.previousScope ?? local.previousScope : local.previousScope)
        let merged = Change(
            table: table.name, key: incoming.key, values: contentKnown ? content : nil, deleted: deleted,
            version: meta.existence.first?.version ?? incoming.version, scope: scope, previousScope: previousScope,
            source: local.source, meta: meta)
        return Outcome(merged: merged, changed: changed, contextChanged: meta.context != localContext,
                       sameAsIncoming: sameAsIncoming, conflicts: conflicts)
    }

    /// True when the merged register holds concurrent siblings from both sides that neither
    /// side held together before: the merge brought them together here.
    private static func isConflict(local: [Sibling], incoming: [Sibling], merged: [Sibling]) -> Bool {
        let writes = merged.writes
        return !local.isEmpty && !incoming.isEmpty && writes.count > 1 && writes != local.writes && writes != incoming.writes
    }

    /// The conflict record: each side's best write still standing, and the side that won.
    private static func conflict(
        table: TableSchema, key: [SQLValue], register: String, rule: String, needsOperator: Bool,
        local: [Sibling], incoming: [Sibling], merged: [Sibling], base: RegisterBase?
    ) -> Conflict {
        let writes = merged.writes
        let localWinner = local.ranked().first { writes.contains($0.version) } ?? local.ranked()[0]
        let remoteWinner = incoming.ranked().first { writes.contains($0.version) && !local.contains(write: $0.version) } ?? incoming.ranked()[0]
        let winner: Conflict.Side = merged.first?.version == remoteWinner.version ? .remote : .local
        return Conflict(table: table.name, key: key, register: register, rule: rule, needsOperator: needsOperator,
                        local: localWinner, remote: remoteWinner, base: base, winner: winner)
    }
}
