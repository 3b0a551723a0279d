import Foundation
import Logging
import Synchronization
import TierSyncAuth

/// Logs the sync requests a node refuses (unsigned, unknown signer, not a child, bad
/// signature, clock skew, replay, a node speaking for another), at warning, with the
/// caller's id and the reason: at most once per caller and reason each ``interval``, with
/// the number of refusals left out since the last line. A child that stops syncing shows
/// in its parent's log, without a flood.
public final class RefusalLog: Sendable {
    private struct Entry {
        var logged: Date
        var suppressed: Int
    }

    let logger: Logger
    /// Seconds between two lines for the same caller and reason. The default is 60.
    public let interval: TimeInterval
    /// The most callers and reasons remembered at once; beyond it, one line a minute says
    /// that more callers were refused. The default is 1024.
    public let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates the log over `logger`.
    public init(logger: Logger, interval: TimeInterval = 60, capacity: Int = 1024) {
        self.logger = logger
        self.interval = interval
        self.capacity = capacity
    }

    /// Notes a refused request and logs it unless the same caller was refused for the same
    /// reason less than ``interval`` ago.
    func note(_ error: AuthError, answer: APIError, now: Date = Date()) {
        let (caller, reason) = Self.classify(error)
        let key = "\(caller) \(reason)"
        let suppressed: Int? = entries.withLock { entries in
            if var entry = entries[key] {
                guard now.timeIntervalSince(entry.logged) >= interval else {
                    entry.suppressed += 1
                    entries[key] = entry
                    return nil
                }
                entries[key] = Entry(logged: now, suppressed: 0)
                return entry.suppressed
            }
            if entries.count >= capacity {
                entries = entries.filter { now.timeIntervalSince($0.value.logged) < interval }
                guard entries.count < capacity else { return nil }
            }
            entries[key] = Entry(logged: now, suppressed: 0)
            return 0
        }
        guard let suppressed else { return }
        logger.warning("refused a child's request", metadata: [
            "sync.peer": "\(caller)", "sync.reason": "\(reason)", "http.status": "\(answer.status.code)",
            "sync.error": "\(answer.body.message)", "sync.suppressed": "\(suppressed)",
        ])
    }

    /// The caller's id as it signed (shortened, printable) and a reason code.
    static func classify(_ error: AuthError) -> (caller: String, reason: String) {
        let (caller, reason): (String, String) = switch error {
        case .unsigned: ("(unsigned)", "unsigned")
        case .malformed: ("(malformed)", "malformed_signature")
        case let .unknownSigner(node, _): (node, "unknown_signer")
        case let .notAChild(node, _): (node.description, "not_a_child")
        case let .badSignature(node): (node, "bad_signature")
        case let .clockSkew(node, _, _): (node, "clock_skew")
        case let .replayed(node): (node, "replayed")
        case .busy: ("(any)", "busy")
        case let .impersonation(signer, _): (signer, "impersonation")
        case .keyFile, .invalidPublicKey: ("(local)", "credentials")
        }
        let printable = caller.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
        return (String(String.UnicodeScalarView(printable.prefix(64))), reason)
    }
}
