/// The hashes a resync digest is made of, computed from a row's key and values.
///
/// Each table row contributes `rowHash` (its values, every column in byte order of the
/// column names, so column order may differ between nodes); each log entry of a row held
/// in the table contributes `versionHash` (its key and version). A row edited behind the
/// triggers' back changes the first; a row whose log entry is at another version changes
/// the second. `keyHash` places a row in its leaf of the ``DigestTree``.
public enum RowDigest {
    /// The seed of key hashes.
    public static let keySeed: UInt64 = 0x6B65_795F_7473_3634
    /// The seed of row hashes.
    public static let rowSeed: UInt64 = 0x726F_775F_7473_3634
    /// The seed of version hashes.
    public static let versionSeed: UInt64 = 0x7665_725F_7473_3634

    /// The hash of a key: its key text (``KeyText``), as the change log's `pk` holds it.
    public static func keyHash(_ key: [SQLValue]) -> UInt64 {
        keyHash(text: KeyText.text(key))
    }

    /// The hash of a key text.
    public static func keyHash(text: String) -> UInt64 {
        var hasher = StableHasher(seed: keySeed)
        hasher.absorb(.text(text))
        return hasher.finalize()
    }

    /// The hash of a row's values, taken in `order` (the column positions sorted by name,
    /// ``TableSchema/digestOrder``).
    public static func rowHash(_ values: [SQLValue], order: [Int]) -> UInt64 {
        var hasher = StableHasher(seed: rowSeed)
        for index in order { hasher.absorb(values[index]) }
        return hasher.finalize()
    }

    /// The hash of a row's version: its key hash, stamp and origin.
    public static func versionHash(key: [SQLValue], version: Version) -> UInt64 {
        var hasher = StableHasher(seed: versionSeed)
        hasher.absorb(keyHash(key))
        hasher.absorb(UInt64(bitPattern: version.stamp.rawValue))
        hasher.absorb(.text(version.origin.description))
        return hasher.finalize()
    }

    /// What one node's state of a row adds to its digest leaf: the row hash when the row is
    /// in the table, plus the version hash when its log entry says it is; 0 for neither.
    public static func stateHash(key: [SQLValue], tableValues: [SQLValue]?, loggedVersion: Version?, order: [Int]) -> UInt64 {
        var hash: UInt64 = 0
        if let tableValues { hash = hash &+ rowHash(tableValues, order: order) }
        if let loggedVersion { hash = hash &+ versionHash(key: key, version: loggedVersion) }
        return hash
    }
}

extension TableSchema {
    /// The column positions in byte order of the column names: the order in which a row's
    /// values enter its digest hash, the same at every node whatever its column order.
    public var digestOrder: [Int] {
        columns.indices.sorted { columns[$0].utf8.lexicographicallyPrecedes(columns[$1].utf8) }
    }
}
