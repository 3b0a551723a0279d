import ArgumentParser
import Foundation
import TierSyncAuth
import TierSyncNode

/// `tiersync keygen`: creates the node's key file (once) and prints the line its parent's
/// configuration needs to accept it.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create this node's key file (auth.key) and print the line for its parent's [children] section.",
        discussion: "An existing key file is kept: the command then prints its public key again.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let configuration = try options.load()
        let path = configuration.keyPath
        let key: NodeKey
        do {
            if FileManager.default.fileExists(atPath: path) {
                key = try NodeDaemon.loadKey(configuration)
                print("\(path) exists; its key is kept")
            } else {
                key = NodeKey(generatingFor: configuration.node)
                try key.write(to: path)
                print("created \(path) (mode 0600) for \(configuration.node)")
            }
        } catch {
            throw ValidationError("\(error)")
        }
        print("public key: \(key.publicKey)")
        if let parent = configuration.node.parent {
            print("accept it at \(parent) by adding to \(parent)'s configuration:\n  [children]\n  \(configuration.node) = \"\(key.publicKey)\"")
        }
    }
}
