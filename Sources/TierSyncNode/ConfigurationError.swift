/// Errors in a node's configuration, each naming the key or file at fault.
public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// A file that cannot be read.
    case unreadable(path: String, message: String)
    /// A key that no setting has.
    case unknownKey(String, source: String)
    /// A value that does not fit its key.
    case invalid(key: String, value: String, expected: String, source: String)
    /// A required key with no value.
    case missing(key: String, hint: String)

    /// A message that says what is wrong and how to fix it.
    public var description: String {
        switch self {
        case let .unreadable(path, message):
            "cannot read \(path): \(message)"
        case let .unknownKey(key, source):
            "unknown setting '\(key)' (\(source)); known settings: \(ConfigurationReader.keys.map(\.name).joined(separator: ", "))"
        case let .invalid(key, value, expected, source):
            "invalid \(key) = '\(value)' (\(source)): expected \(expected)"
        case let .missing(key, hint):
            "\(key) is not set: \(hint)"
        }
    }
}
