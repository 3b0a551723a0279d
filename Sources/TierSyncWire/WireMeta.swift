import TierSyncModel

/// The JSON form of a row's replication state (``RowMeta``).
///
/// ```
/// {"context":   {"cn.gd.sz": 7341, "cn": 7302},       latest stamp seen per writer
///  "exists":    [[7341, "cn.gd.sz", 0, 0]],           stamp, origin, priority, deleted (0/1)
///  "registers": {"*": [[7341, "cn.gd.sz", 0]]},       winner first; losers add their values
///  "bases":     {"*": [7302, "cn", [...]]}}           the value the latest write replaced
/// ```
/// `registers` is absent when every register holds only the row's own write (the change's
/// `stamp` and `origin`) at the priority the table's rule gives it: the common case, which
/// the receiver rebuilds from its schema.
public struct WireMeta: Codable, Sendable, Hashable {
    /// The model metadata.
    public var meta: RowMeta

    /// Wraps model metadata.
    public init(_ meta: RowMeta) { self.meta = meta }

    private enum Key: String, CodingKey {
        case context, exists, registers, bases
    }

    /// Decodes the JSON form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var context: [NodeID: HybridTimestamp] = [:]
        for (node, stamp) in try container.decode([String: Int64].self, forKey: .context) {
            guard let id = try? NodeID(node) else {
                throw DecodingError.dataCorruptedError(forKey: .context, in: container, debugDescription: "'\(node)' is not a node id")
            }
            context[id] = HybridTimestamp(rawValue: stamp)
        }
        meta = RowMeta(context: CausalContext(context))
        meta.existence = try container.decode([WireSibling].self, forKey: .exists).map { wire in
            guard let deleted = wire.extra?.deleted else {
                throw DecodingError.dataCorruptedError(forKey: .exists, in: container, debugDescription: "an existence write is [stamp, origin, priority, deleted]")
            }
            return Sibling(version: wire.version, priority: wire.priority, values: [.integer(deleted ? 1 : 0)])
        }
        for (name, list) in try container.decodeIfPresent([String: [WireSibling]].self, forKey: .registers) ?? [:] {
            meta.registers[name] = try list.map { wire in
                if case .deleted? = wire.extra {
                    throw DecodingError.dataCorruptedError(forKey: .registers, in: container,
                                                           debugDescription: "register \(name): a write is [stamp, origin, priority] or [stamp, origin, priority, [values]]")
                }
                return Sibling(version: wire.version, priority: wire.priority, values: wire.extra?.values)
            }
        }
        for (name, base) in try container.decodeIfPresent([String: WireBase].self, forKey: .bases) ?? [:] {
            meta.bases[name] = RegisterBase(version: base.version, values: base.values)
        }
    }

    /// Encodes the JSON form; each register's winner goes without values (they are the row's).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Dictionary(uniqueKeysWithValues: meta.context.stamps.map { ($0.key.description, $0.value.rawValue) }), forKey: .context)
        try container.encode(meta.existence.ranked().map {
            WireSibling(version: $0.version, priority: $0.priority, extra: .deleted($0.values == [.integer(1)]))
        }, forKey: .exists)
        // No registers: each holds only the row's version (see WireCoding.wireChanges).
        if meta.registers.isEmpty { return try encodeBases(&container) }
        try container.encode(meta.registers.mapValues { siblings in
            siblings.ranked().enumerated().map { offset, sibling in
                WireSibling(version: sibling.version, priority: sibling.priority, extra: offset == 0 ? nil : sibling.values.map { .values($0) })
            }
        }, forKey: .registers)
        try encodeBases(&container)
    }

    private func encodeBases(_ container: inout KeyedEncodingContainer<Key>) throws {
        if !meta.bases.isEmpty {
            try container.encode(meta.bases.mapValues { WireBase(version: $0.version, values: $0.values) }, forKey: .bases)
        }
    }
}

/// One write in a register: `[stamp, origin, priority]`, then the deleted flag (existence)
/// or the values (a losing content write).
struct WireSibling: Codable, Hashable {
    enum Extra: Hashable {
        case deleted(Bool)
        case values([SQLValue])

        var deleted: Bool? {
            if case let .deleted(flag) = self { return flag }
            return nil
        }

        var values: [SQLValue]? {
            if case let .values(values) = self { return values }
            return nil
        }
    }

    var version: Version
    var priority: Int
    var extra: Extra?

    init(version: Version, priority: Int, extra: Extra?) {
        self.version = version
        self.priority = priority
        self.extra = extra
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        version = try decodeVersion(&container)
        priority = try container.decode(Int.self)
        if container.isAtEnd {
            extra = nil
        } else if let flag = try? container.decode(Int.self) {
            extra = .deleted(flag != 0)
        } else {
            extra = .values(try container.decode([WireValue].self).map(\.value))
        }
        try expectEnd(container)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try encodeVersion(version, to: &container)
        try container.encode(priority)
        switch extra {
        case let .deleted(flag)?: try container.encode(flag ? 1 : 0)
        case let .values(values)?: try container.encode(values.map(WireValue.init))
        case nil: break
        }
    }
}

/// A register's base: `[stamp, origin, [values]]`.
struct WireBase: Codable, Hashable {
    var version: Version
    var values: [SQLValue]

    init(version: Version, values: [SQLValue]) {
        self.version = version
        self.values = values
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        version = try decodeVersion(&container)
        values = try container.decode([WireValue].self).map(\.value)
        try expectEnd(container)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try encodeVersion(version, to: &container)
        try container.encode(values.map(WireValue.init))
    }
}

/// Decodes a write's `stamp, origin` from an array; a bad origin is a decoding error, which
/// names its place.
private func decodeVersion(_ container: inout any UnkeyedDecodingContainer) throws -> Version {
    let stamp = try container.decode(Int64.self)
    let text = try container.decode(String.self)
    guard let origin = try? NodeID(text) else {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a node id")
    }
    return Version(stamp: HybridTimestamp(rawValue: stamp), origin: origin)
}

/// Encodes a write's `stamp, origin` into an array.
private func encodeVersion(_ version: Version, to container: inout any UnkeyedEncodingContainer) throws {
    try container.encode(version.stamp.rawValue)
    try container.encode(version.origin.description)
}

/// Refuses elements beyond the ones a write's array holds.
private func expectEnd(_ container: any UnkeyedDecodingContainer) throws {
    guard container.isAtEnd else {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "the array has more elements than a write holds")
    }
}
