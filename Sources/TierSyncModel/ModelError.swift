/// Errors raised while parsing or validating model values.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A node path that is not a valid dotted id.
    case invalidNodeID(String, reason: String)
    /// A setting whose value is not one of the accepted ones.
    case invalidValue(key: String, value: String, expected: String)
    /// A schema definition that cannot be used.
    case invalidSchema(String)
    /// A line of a settings or schema file that cannot be parsed.
    case syntax(file: String, line: Int, message: String)

    /// A message that says what is wrong and what to do.
    public var description: String {
        switch self {
        case let .invalidNodeID(text, reason):
            "invalid node id '\(text)': \(reason)"
        case let .invalidValue(key, value, expected):
            "invalid value '\(value)' for \(key): expected \(expected)"
        case let .invalidSchema(message):
            "invalid schema: \(message)"
        case let .syntax(file, line, message):
            "\(file):\(line): \(message)"
        }
    }
}
