import Crypto
import Foundation
import TierSyncModel

/// A node's signing credential: an Ed25519 key pair. The private half stays in the node's
/// key file; the public half goes into the parent's `[children]` section.
public struct NodeKey: Sendable {
    /// The node the key belongs to.
    public let node: NodeID
    let privateKey: Curve25519.Signing.PrivateKey

    /// Creates a fresh random key for `node`.
    public init(generatingFor node: NodeID) {
        self.node = node
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// The public half, in its text form.
    public var publicKey: PublicKey { PublicKey(key: privateKey.publicKey) }

    /// Signs `message`.
    public func signature(for message: Data) throws -> Data {
        try privateKey.signature(for: message)
    }

    /// The key file's text: the node id, the private key and, for reference, the public key.
    public var fileText: String {
        """
        # TierSync node key of \(node). Keep this file secret (mode 0600): it signs the node's
        # sync requests. Its parent accepts it through this line in the parent's configuration:
        #   [children]
        #   \(node) = "\(publicKey)"
        node = "\(node)"
        private = "\(PublicKey.prefix)\(privateKey.rawRepresentation.base64EncodedString())"
        public = "\(publicKey)"

        """
    }

    /// Reads a key file.
    /// - Throws: ``AuthError/keyFile(path:message:)`` saying what is wrong and how to fix it.
    public init(contentsOf path: String) throws(AuthError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .keyFile(path: path, message: "cannot be read (\(error.localizedDescription)); create it with `tiersync keygen --config FILE`")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw .keyFile(path: path, message: "is readable by other users (mode \(String(mode, radix: 8))); run `chmod 600 \(path)`")
        }
        let document: KeyValueDocument
        do {
            document = try KeyValueDocument(text: text, fileName: path)
        } catch {
            throw .keyFile(path: path, message: "\(error)")
        }
        guard let nodeText = document["node"], let node = try? NodeID(nodeText) else {
            throw .keyFile(path: path, message: "lacks a valid node = \"...\" line")
        }
        guard let privateText = document["private"], privateText.hasPrefix(PublicKey.prefix),
              let raw = Data(base64Encoded: String(privateText.dropFirst(PublicKey.prefix.count))),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw .keyFile(path: path, message: "lacks a valid private = \"ed25519:...\" line")
        }
        self.node = node
        privateKey = key
    }

    /// Writes the key file with mode 0600, refusing to replace an existing file.
    /// - Throws: ``AuthError/keyFile(path:message:)``.
    public func write(to path: String) throws(AuthError) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw .keyFile(path: path, message: "exists already; a node keeps its key (remove the file first to replace the key, then update the parent's [children] entry)")
        }
        let created = FileManager.default.createFile(atPath: path, contents: Data(fileText.utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw .keyFile(path: path, message: "cannot be created; check the directory exists and is writable") }
    }
}

/// An Ed25519 public key in its text form, `ed25519:<base64 of the 32 raw bytes>`.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The text form's prefix.
    public static let prefix = "ed25519:"
    let key: Curve25519.Signing.PublicKey

    init(key: Curve25519.Signing.PublicKey) {
        self.key = key
    }

    /// Parses the text form.
    /// - Throws: ``AuthError/invalidPublicKey(_:)``.
    public init(_ text: String) throws(AuthError) {
        guard text.hasPrefix(PublicKey.prefix), let raw = Data(base64Encoded: String(text.dropFirst(PublicKey.prefix.count))),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw .invalidPublicKey(text)
        }
        self.key = key
    }

    /// True when `signature` is this key's signature of `message`.
    public func verifies(_ signature: Data, of message: Data) -> Bool {
        key.isValidSignature(signature, for: message)
    }

    /// `ed25519:` and the base64 of the raw key.
    public var description: String { PublicKey.prefix + key.rawRepresentation.base64EncodedString() }

    /// Equal when the raw keys are.
    public static func == (left: PublicKey, right: PublicKey) -> Bool { left.key.rawRepresentation == right.key.rawRepresentation }

    /// Hashes the raw key.
    public func hash(into hasher: inout Hasher) { hasher.combine(key.rawRepresentation) }
}
