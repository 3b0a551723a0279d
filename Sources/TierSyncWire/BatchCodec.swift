import Foundation
import TierSyncModel

/// The compact binary form of the two batch messages, `PushRequest` and `PullResponse`,
/// specified byte for byte in `Protocols/BATCH.md`. It carries exactly what their JSON form
/// carries (``WireChange``, ``WireMeta``, ``WireEviction``), so a message decoded from
/// either form is the same; node ids and names are written once per message in a name
/// table. JSON stays available: a sender picks the form by `Content-Type`, a puller asks
/// for it with `Accept` (SYNC.md 8.1, 8.2).
public enum BatchCodec {
    /// The media type of a batch in this form.
    public static let mediaType = "application/vnd.tiersync.batch"
    /// The first four bytes of every message: `TSB` and the form's version, 1.
    static let magic: [UInt8] = [0x54, 0x53, 0x42, 0x01]

    /// Which message a body holds: its fifth byte.
    enum Kind: UInt8, CustomStringConvertible {
        case push = 1
        case pull = 2

        var description: String { self == .push ? "a push request" : "a pull answer" }
    }

    /// True when a `Content-Type` or `Accept` header value names this form.
    public static func isNamed(in header: String?) -> Bool {
        header?.lowercased().contains(mediaType) ?? false
    }

    /// Encodes a push request.
    public static func encode(_ request: PushRequest) -> Data {
        var writer = BatchWriter()
        writer.name(request.node)
        writer.signed(request.after)
        writer.signed(request.through)
        writeHeader(columns: request.columns, rules: request.rules, schema: request.schema, to: &writer)
        writeChanges(request.changes, to: &writer)
        return writer.message(kind: .push)
    }

    /// Decodes a push request.
    /// - Throws: ``WireError/invalid(_:)`` naming what could not be read and where.
    public static func decodePush(_ data: Data) throws(WireError) -> PushRequest {
        var reader = try BatchReader(data, kind: .push)
        let node = try reader.name("node")
        let after = try reader.signed("after")
        let through = try reader.signed("through")
        let (columns, rules, schema) = try readHeader(&reader)
        let changes = try readChanges(&reader)
        try reader.expectEnd()
        return PushRequest(node: node, after: after, through: through, columns: columns, rules: rules, changes: changes, schema: schema)
    }

    /// The flags byte of a pull answer.
    private enum PullFlag {
        static let more: UInt8 = 1
        static let resync: UInt8 = 2
        static let evictions: UInt8 = 4
    }

    /// Encodes a pull answer.
    public static func encode(_ response: PullResponse) -> Data {
        var writer = BatchWriter()
        writer.string(response.epoch)
        writer.signed(response.head)
        writer.signed(response.through)
        var flags: UInt8 = response.more ? PullFlag.more : 0
        if response.resync == true { flags |= PullFlag.resync }
        if response.evictions != nil { flags |= PullFlag.evictions }
        writer.byte(flags)
        writeHeader(columns: response.columns, rules: response.rules, schema: response.schema, to: &writer)
        writeChanges(response.changes, to: &writer)
        if let evictions = response.evictions {
            writer.count(evictions.count)
            for eviction in evictions {
                writer.name(eviction.table)
                writer.values(eviction.key.map(\.value))
                writer.name(eviction.scope)
                writer.count(eviction.context.count)
                for (node, stamp) in eviction.context {
                    writer.name(node)
                    writer.signed(stamp)
                }
            }
        }
        return writer.message(kind: .pull)
    }

    /// Decodes a pull answer.
    /// - Throws: ``WireError/invalid(_:)`` naming what could not be read and where.
    public static func decodePull(_ data: Data) throws(WireError) -> PullResponse {
        var reader = try BatchReader(data, kind: .pull)
        let epoch = try reader.string("epoch")
        let head = try reader.signed("head")
        let through = try reader.signed("through")
        let flags = try reader.byte("flags")
        guard flags & ~(PullFlag.more | PullFlag.resync | PullFlag.evictions) == 0 else {
            throw .invalid("the pull answer's flags byte is \(flags); only bits 0 to 2 are defined")
        }
        let (columns, rules, schema) = try readHeader(&reader)
        let changes = try readChanges(&reader)
        var evictions: [WireEviction]?
        if flags & PullFlag.evictions != 0 {
            let count = try reader.count("evictions")
            evictions = []
            for _ in 0..<count {
                let table = try reader.name("an eviction's table")
                let key = try reader.values("an eviction's key").map(WireValue.init)
                let scope = try reader.name("an eviction's scope")
                let entries = try reader.count("an eviction's context")
                var context: [String: Int64] = [:]
                for _ in 0..<entries {
                    let node = try reader.node("an eviction's context")
                    context[node.description] = try reader.signed("an eviction's context")
                }
                evictions?.append(WireEviction(table: table, key: key, scope: scope, context: context))
            }
        }
        try reader.expectEnd()
        return PullResponse(epoch: epoch, head: head, through: through, more: flags & PullFlag.more != 0, columns: columns, rules: rules,
                            changes: changes, resync: flags & PullFlag.resync != 0 ? true : nil, evictions: evictions, schema: schema)
    }

    /// The header's marker byte after the column lists: bit 0 says rule signatures follow,
    /// bit 1 that a schema version follows them.
    private enum HeaderFlag {
        static let rules: UInt8 = 1
        static let schema: UInt8 = 2
    }

    /// Writes the column lists, then the marker byte, the rule signatures and the schema
    /// version each when present.
    private static func writeHeader(columns: [String: [String]], rules: [String: String]?, schema: Int?, to writer: inout BatchWriter) {
        writer.count(columns.count)
        for (table, names) in columns {
            writer.name(table)
            writer.count(names.count)
            for name in names { writer.name(name) }
        }
        writer.byte((rules == nil ? 0 : HeaderFlag.rules) | (schema == nil ? 0 : HeaderFlag.schema))
        if let rules {
            writer.count(rules.count)
            for (table, signature) in rules {
                writer.name(table)
                writer.string(signature)
            }
        }
        if let schema { writer.signed(Int64(schema)) }
    }

    private static func readHeader(_ reader: inout BatchReader) throws(WireError) -> (columns: [String: [String]], rules: [String: String]?, schema: Int?) {
        var columns: [String: [String]] = [:]
        for _ in 0..<(try reader.count("the column lists")) {
            let table = try reader.name("a column list's table")
            var names: [String] = []
            for _ in 0..<(try reader.count("a column list")) { names.append(try reader.name("a column name")) }
            columns[table] = names
        }
        let flags = try reader.byte("the header's marker")
        guard flags & ~(HeaderFlag.rules | HeaderFlag.schema) == 0 else {
            throw .invalid("the batch's header marker is \(flags); bit 0 marks rule signatures, bit 1 a schema version, and no other bit is defined")
        }
        var rules: [String: String]?
        if flags & HeaderFlag.rules != 0 {
            var signatures: [String: String] = [:]
            for _ in 0..<(try reader.count("the rule signatures")) {
                let table = try reader.name("a rule signature's table")
                signatures[table] = try reader.string("a rule signature")
            }
            rules = signatures
        }
        var schema: Int?
        if flags & HeaderFlag.schema != 0 {
            let version = try reader.signed("the schema version")
            guard version >= 1, version <= Int64(Int32.max) else {
                throw .invalid("the batch's schema version is \(version); it must be from 1 to \(Int32.max)")
            }
            schema = Int(version)
        }
        return (columns, rules, schema)
    }

    /// The flags byte of a change: which optional fields follow.
    private enum ChangeFlag {
        static let deletedGiven: UInt8 = 1
        static let deleted: UInt8 = 2
        static let values: UInt8 = 4
        static let source: UInt8 = 8
        static let previousScope: UInt8 = 16
        static let registers: UInt8 = 32
        static let bases: UInt8 = 64
        static let all: UInt8 = 127
    }

    private static func writeChanges(_ changes: [WireChange], to writer: inout BatchWriter) {
        writer.count(changes.count)
        for change in changes {
            let meta = change.meta.meta
            var flags: UInt8 = 0
            if let deleted = change.deleted { flags |= ChangeFlag.deletedGiven | (deleted ? ChangeFlag.deleted : 0) }
            if change.values != nil { flags |= ChangeFlag.values }
            if change.source != nil { flags |= ChangeFlag.source }
            if change.previousScope != nil { flags |= ChangeFlag.previousScope }
            if !meta.registers.isEmpty { flags |= ChangeFlag.registers }
            if !meta.bases.isEmpty { flags |= ChangeFlag.bases }
            writer.byte(flags)
            writer.name(change.table)
            writer.values(change.key.map(\.value))
            if let values = change.values { writer.values(values.map(\.value)) }
            writer.signed(change.stamp)
            writer.name(change.origin)
            if let source = change.source { writer.name(source) }
            writer.name(change.scope)
            if let previous = change.previousScope { writer.name(previous) }
            writer.context(meta.context.stamps)
            let existence = meta.existence.count > 1 ? meta.existence.ranked() : meta.existence
            writer.count(existence.count)
            for sibling in existence {
                writer.version(sibling.version)
                writer.signed(Int64(sibling.priority))
                writer.byte(sibling.values == [.integer(1)] ? 1 : 0)
            }
            if !meta.registers.isEmpty {
                writer.count(meta.registers.count)
                for (name, siblings) in meta.registers {
                    writer.name(name)
                    let ranked = siblings.count > 1 ? siblings.ranked() : siblings
                    writer.count(ranked.count)
                    for (offset, sibling) in ranked.enumerated() {
                        writer.version(sibling.version)
                        writer.signed(Int64(sibling.priority))
                        // The winner's values are the row's: never sent beside it.
                        if offset > 0, let values = sibling.values {
                            writer.byte(1)
                            writer.values(values)
                        } else {
                            writer.byte(0)
                        }
                    }
                }
            }
            if !meta.bases.isEmpty {
                writer.count(meta.bases.count)
                for (name, base) in meta.bases {
                    writer.name(name)
                    writer.version(base.version)
                    writer.values(base.values)
                }
            }
        }
    }

    private static func readChanges(_ reader: inout BatchReader) throws(WireError) -> [WireChange] {
        let count = try reader.count("the changes")
        var changes: [WireChange] = []
        changes.reserveCapacity(BatchReader.reserved(count))
        for _ in 0..<count {
            let flags = try reader.byte("a change's flags")
            guard flags & ~ChangeFlag.all == 0 else { throw .invalid("change \(changes.count): flags byte \(flags); only bits 0 to 6 are defined") }
            let table = try reader.name("a change's table")
            let key = try reader.values("a change's key").map(WireValue.init)
            let values = flags & ChangeFlag.values != 0 ? try reader.values("a change's values").map(WireValue.init) : nil
            let stamp = try reader.signed("a change's stamp")
            let origin = try reader.name("a change's origin")
            let source = flags & ChangeFlag.source != 0 ? try reader.name("a change's source") : nil
            let scope = try reader.name("a change's scope")
            let previousScope = flags & ChangeFlag.previousScope != 0 ? try reader.name("a change's previous scope") : nil
            var meta = RowMeta(context: CausalContext(try reader.context("a change's context")))
            let writes = try reader.count("the existence register")
            meta.existence.reserveCapacity(BatchReader.reserved(writes))
            for _ in 0..<writes {
                let version = try reader.version("an existence write")
                let priority = try reader.signed("an existence write's priority")
                let deleted = try reader.byte("an existence write's deleted flag")
                guard let priority = Int(exactly: priority) else { throw .invalid("change \(changes.count) to \(table): an existence write's priority is out of range") }
                guard deleted <= 1 else { throw .invalid("change \(changes.count) to \(table): an existence write's deleted flag is 0 or 1") }
                meta.existence.append(Sibling(version: version, priority: priority, values: [.integer(Int64(deleted))]))
            }
            if flags & ChangeFlag.registers != 0 {
                for _ in 0..<(try reader.count("the registers")) {
                    let name = try reader.name("a register's name")
                    var siblings: [Sibling] = []
                    for _ in 0..<(try reader.count("register \(name)")) {
                        let version = try reader.version("a write of register \(name)")
                        guard let priority = Int(exactly: try reader.signed("a write's priority")) else {
                    throw .invalid("change \(changes.count) to \(table): register \(name): a write's priority is out of range")
                }
                        let hasValues = try reader.byte("a write's values flag")
                        guard hasValues <= 1 else { throw .invalid("change \(changes.count) to \(table): register \(name): a write's values flag is 0 or 1") }
                        siblings.append(Sibling(version: version, priority: priority, values: hasValues == 1 ? try reader.values("a losing write's values") : nil))
                    }
                    meta.registers[name] = siblings
                }
            }
            if flags & ChangeFlag.bases != 0 {
                for _ in 0..<(try reader.count("the bases")) {
                    let name = try reader.name("a base's register")
                    let version = try reader.version("the base of register \(name)")
                    meta.bases[name] = RegisterBase(version: version, values: try reader.values("the base of register \(name)"))
                }
            }
            changes.append(WireChange(
                table: table, key: key, values: values, deleted: flags & ChangeFlag.deletedGiven != 0 ? flags & ChangeFlag.deleted != 0 : nil,
                stamp: stamp, origin: origin, source: source, meta: WireMeta(meta), scope: scope, previousScope: previousScope))
        }
        return changes
    }
}
