import Foundation
import TierSyncModel
import TierSyncStore

/// The checks every ``ChangeStore`` backend (with ``ResyncStore``) must pass: what the
/// store protocols promise, written once against the protocols and run against any
/// backend through a ``StoreBackend`` factory.
///
/// Each check gets a fresh backend, opens the stores it needs, and throws a
/// ``ConformanceFailure`` naming what the store did wrong. A test target runs them one by
/// one (``check(named:)``), so that each shows as its own result:
///
/// ```swift
/// @Test(arguments: StoreConformance.names)
/// func sqliteConforms(_ check: String) async throws {
///     try await StoreConformance { try SQLiteTestBackend() }.check(named: check)
/// }
/// ```
public struct StoreConformance: Sendable {
    /// One promise of the store protocols, and the code that checks it.
    public struct Check: Sendable {
        /// A short name, unique in the suite.
        public let name: String
        /// What the store must do.
        public let promise: String
        let body: @Sendable (ConformanceContext) async throws -> Void
    }

    /// Makes a fresh backend, with no store opened yet, for each check.
    public let makeBackend: @Sendable () async throws -> any StoreBackend

    /// Creates the suite over a backend factory.
    public init(makeBackend: @escaping @Sendable () async throws -> any StoreBackend) {
        self.makeBackend = makeBackend
    }

    /// Every check, in the order they are listed.
    public static let checks: [Check] = applyChecks + evictionChecks + readChecks + conflictChecks + peerChecks + digestChecks + retentionChecks + keptChecks

    /// The names of every check.
    public static var names: [String] { checks.map(\.name) }

    /// Runs the check called `name` against a fresh backend.
    /// - Throws: ``ConformanceFailure`` when the store breaks the promise, or the store's
    ///   own error when a call fails.
    public func check(named name: String) async throws {
        guard let check = Self.checks.first(where: { $0.name == name }) else {
            throw ConformanceFailure(check: name, message: "no such check; the suite has \(Self.names.joined(separator: ", "))")
        }
        let context = try ConformanceContext(check: check, backend: try await makeBackend())
        try await check.body(context)
    }

    /// Runs every check and returns the failures (a check whose store call throws fails
    /// with that error).
    public func checkAll() async -> [ConformanceFailure] {
        var failures: [ConformanceFailure] = []
        for check in Self.checks {
            do {
                try await self.check(named: check.name)
            } catch let failure as ConformanceFailure {
                failures.append(failure)
            } catch {
                failures.append(ConformanceFailure(check: check.name, message: "the store threw: \(error)"))
            }
        }
        return failures
    }
}

/// A broken promise: the check and what the store did.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// The check's name.
    public let check: String
    /// What was expected and what the store did.
    public let message: String

    /// Creates a failure.
    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }

    /// The check and the message.
    public var description: String { "store conformance, \(check): \(message)" }
}
