extension ConfigurationReader {
    /// The prefix of every environment variable a node reads.
    public static let environmentPrefix = "TIERSYNC_"

    /// One warning for each `TIERSYNC_*` variable in `environment` that sets nothing, naming
    /// the setting whose variable is nearest in spelling. Such a variable is ignored: a typo
    /// in a unit's environment file would otherwise pass unnoticed.
    public static func environmentWarnings(_ environment: [String: String]) -> [String] {
        let known = Set(keys.map(\.environment))
        return environment.keys.filter { $0.hasPrefix(environmentPrefix) && !known.contains($0) }.sorted().map { name in
            let nearest = keys.min { editDistance(name, $0.environment) < editDistance(name, $1.environment) }!
            return "environment variable \(name) matches no setting and is ignored; did you mean \(nearest.environment) (\(nearest.name))?"
        }
    }

    /// The Levenshtein distance between two names: the fewest single-character insertions,
    /// deletions and substitutions that turn one into the other.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
