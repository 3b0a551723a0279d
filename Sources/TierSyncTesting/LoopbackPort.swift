import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Loopback ports for the listeners of daemons a test or benchmark starts: free when
/// handed out, and each handed out once per process. They lie below Linux's ephemeral range
/// (32768 and up), so that no outgoing connection of the running daemons can take a port
/// between its pick and the daemon's bind, as one the kernel picks could be while dozens of
/// daemons connect.
public enum LoopbackPort {
    /// The ports handed out.
    public static let range = 20_000..<32_768
    private static let given = Mutex<Set<Int>>([])

    /// A port no listener holds now and this process has not handed out before.
    /// - Throws: ``Exhausted`` when a thousand random picks found none.
    public static func free() throws -> Int {
        for _ in 0..<1000 {
            let port = Int.random(in: range)
            if isFree(port), given.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw Exhausted(range: range)
    }

    /// No free port was found.
    public struct Exhausted: Error, CustomStringConvertible {
        /// The ports tried.
        public let range: Range<Int>
        /// What happened.
        public var description: String { "no loopback port from \(range.lowerBound) to \(range.upperBound - 1) is free" }
    }

    /// True when a loopback listener can bind `port` now.
    static func isFree(_ port: Int) -> Bool {
        #if canImport(Glibc)
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socketFD = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }
}
