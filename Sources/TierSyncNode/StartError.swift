/// Why a node's daemon cannot start although its configuration is valid: something else
/// holds what it needs. Each message names the holder and what to do. `tiersync serve`
/// exits with ``exitStatus`` for these, which the shipped systemd unit does not restart
/// (`RestartPreventExitStatus`): a restart would meet the same holder.
public enum StartError: Error, Sendable, CustomStringConvertible {
    /// Another daemon serves the same database.
    case storeInUse(database: String, holder: String)
    /// The lock file beside the database cannot be opened.
    case lockUnavailable(path: String, message: String)
    /// Another process listens on the configured address.
    case addressInUse(address: String)

    /// The exit status of `tiersync serve` for these errors: 69, `EX_UNAVAILABLE` in
    /// sysexits.h (64, `EX_USAGE`, is an invalid configuration).
    public static let exitStatus: Int32 = 69

    /// A message that names what is held, by whom, and what to fix.
    public var description: String {
        switch self {
        case let .storeInUse(database, holder):
            "\(database) is already served by another tiersync daemon (\(holder)); one daemon serves a database: stop that one first, or give this node its own node.database"
        case let .lockUnavailable(path, message):
            "cannot open the daemon's lock file \(path): \(message); check that the database's directory exists and is writable"
        case let .addressInUse(address):
            "node.listen \(address) is in use by another process (another node's daemon?); stop it, or give this node another node.listen"
        }
    }
}
