import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A TCP proxy on 127.0.0.1 between a child daemon and its parent that misbehaves on
/// demand: a child's `parent` URL names the proxy's port, and the proxy forwards to the
/// parent's. Its ``Mode`` can be switched at any time and applies at once, to open
/// connections as well as new ones.
///
/// One thread accepts; each connection gets one thread that owns both its sockets and
/// moves bytes between them with `poll`, so a fault never races another thread for a
/// descriptor. Byte counts for the cut modes start from zero on each connection whenever
/// the mode changes.
final class FaultProxy: @unchecked Sendable {
    /// What the proxy does to the traffic.
    enum Mode: Equatable, Sendable, CustomStringConvertible {
        /// Forwards both directions untouched.
        case pass
        /// Holds every chunk, in either direction, for this long before forwarding it.
        case delay(milliseconds: Int)
        /// Forwards this many bytes of what the child sends, then resets both connections:
        /// the parent sees a request cut short, the child a reset.
        case cutRequest(afterBytes: Int)
        /// Forwards the child's requests whole, and this many bytes of the parent's answer,
        /// then resets the child's connection (a zero count: the parent did the work, the
        /// child never hears of it).
        case cutResponse(afterBytes: Int)
        /// Like ``cutResponse(afterBytes:)`` but ends the child's connection cleanly, so the
        /// child reads an answer shorter than it announced.
        case truncateResponse(afterBytes: Int)
        /// Resets the connection as soon as the child sends anything; nothing is forwarded.
        case reset
        /// A partition that refuses: every connection, open or new, is reset at once.
        case refuse
        /// A partition that drops: connections are accepted and held, nothing is forwarded
        /// either way. When the mode changes, the held connections are reset, as a partition
        /// that heals loses the connections' state.
        case blackhole

        var description: String {
            switch self {
            case .pass: "pass"
            case let .delay(milliseconds): "delay \(milliseconds) ms"
            case let .cutRequest(bytes): "cut request after \(bytes) B"
            case let .cutResponse(bytes): "cut response after \(bytes) B"
            case let .truncateResponse(bytes): "truncate response after \(bytes) B"
            case .reset: "reset"
            case .refuse: "partition (refuse)"
            case .blackhole: "partition (blackhole)"
            }
        }
    }

    private struct State {
        var mode: Mode = .pass
        /// Raised on every change of mode; connections restart their byte counts.
        var generation = 0
        /// Faults still to inject before the mode returns to ``Mode/pass``; nil: no limit.
        var remaining: Int?
        var faults = 0
        var connections = 0
        var running = 0
        var stopped = false
    }

    /// The port the proxy listens on, on 127.0.0.1.
    let port: Int
    /// The port on 127.0.0.1 it forwards to.
    let target: Int
    private let listener: Int32
    private let state = Mutex(State())

    /// Starts a proxy on a fresh loopback port that forwards to `target`, in ``Mode/pass``.
    init(forwardingTo target: Int) throws {
        self.target = target
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw SQLiteShell.Failure(description: "fault proxy: socket() failed, errno \(errno)") }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = FaultProxy.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw SQLiteShell.Failure(description: "fault proxy: cannot listen on a loopback port, errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        state.withLock { $0.running = 1 }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        stop()
    }

    /// The URL a child uses as its `parent` to go through this proxy.
    var url: String { "http://127.0.0.1:\(port)" }

    /// The current mode.
    var mode: Mode { state.withLock { $0.mode } }

    /// Faults injected so far: connections cut, truncated or reset, chunks delayed.
    var faults: Int { state.withLock { $0.faults } }

    /// Connections accepted so far.
    var connections: Int { state.withLock { $0.connections } }

    /// Switches to `mode`. With `times`, the proxy returns to ``Mode/pass`` by itself once
    /// it has injected that many faults.
    func set(_ mode: Mode, times: Int? = nil) {
        state.withLock {
            $0.mode = mode
            $0.remaining = mode == .pass ? nil : times
            $0.generation += 1
        }
    }

    /// Stops accepting, closes every connection and waits (up to 5 s) for the threads to end.
    func stop() {
        let already = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !already else { return }
        let deadline = Date().addingTimeInterval(5)
        while state.withLock({ $0.running }) > 0, Date() < deadline { usleep(10_000) }
    }

    /// Claims one fault of `mode`'s budget and counts it, returning to ``Mode/pass`` when
    /// the budget is spent. False when `mode` is no longer the proxy's (a child's concurrent
    /// connections, a held pull beside a round, spent the budget meanwhile): the caller
    /// then injects nothing.
    private func claim(_ mode: Mode) -> Bool {
        state.withLock {
            guard $0.mode == mode else { return false }
            $0.faults += 1
            guard let remaining = $0.remaining else { return true }
            if remaining <= 1 {
                $0.mode = .pass
                $0.remaining = nil
                $0.generation += 1
            } else {
                $0.remaining = remaining - 1
            }
            return true
        }
    }

    private func acceptLoop() {
        defer {
            close(listener)
            state.withLock { $0.running -= 1 }
        }
        while !state.withLock({ $0.stopped }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            state.withLock { $0.connections += 1 }
            if claim(.refuse) {
                FaultProxy.reset(client)
                continue
            }
            let upstream = FaultProxy.connectLoopback(port: target)
            guard upstream >= 0 else {
                // The parent is down: the child sees what it would see without the proxy.
                FaultProxy.reset(client)
                continue
            }
            state.withLock { $0.running += 1 }
            Thread.detachNewThread { [self] in
                relay(client: client, upstream: upstream)
                state.withLock { $0.running -= 1 }
            }
        }
    }

    /// How a connection ends.
    private enum Ending {
        /// Both sockets closed normally.
        case close
        /// Both sockets reset.
        case reset
        /// The child's socket reset, the parent's closed.
        case resetChild
        /// The child's socket closed cleanly, the parent's closed.
        case finishChild
    }

    /// Moves bytes between one child connection and its parent connection until either
    /// closes or a fault ends them.
    private func relay(client: Int32, upstream: Int32) {
        var generation = -1
        var sentUp = 0
        var sentDown = 0
        var held = false
        var buffer = [UInt8](repeating: 0, count: FaultProxy.chunk)
        let ending: Ending = {
            while true {
                let (mode, current, stopped) = state.withLock { ($0.mode, $0.generation, $0.stopped) }
                if stopped { return .reset }
                if current != generation {
                    generation = current
                    sentUp = 0
                    sentDown = 0
                    if held { return .reset }
                }
                switch mode {
                case .refuse:
                    if claim(mode) { return .reset }
                    continue
                case .blackhole:
                    held = true
                    usleep(50_000)
                    continue
                default:
                    break
                }
                var pollers = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
                guard poll(&pollers, 2, 100) > 0 else { continue }
                if pollers[0].revents != 0, let ending = move(from: client, to: upstream, upstream: true, mode: mode, sent: &sentUp, buffer: &buffer) {
                    return ending
                }
                if pollers[1].revents != 0, let ending = move(from: upstream, to: client, upstream: false, mode: mode, sent: &sentDown, buffer: &buffer) {
                    return ending
                }
            }
        }()
        switch ending {
        case .close:
            close(client)
            close(upstream)
        case .reset:
            FaultProxy.reset(client)
            FaultProxy.reset(upstream)
        case .resetChild:
            FaultProxy.reset(client)
            close(upstream)
        case .finishChild:
            shutdown(client, Int32(SHUT_WR))
            close(client)
            close(upstream)
        }
    }

    /// The most bytes read at once.
    private static let chunk = 16384

    /// Where a mode cuts one direction of a connection: after how many bytes, and how the
    /// connection then ends; nil when it lets that direction through.
    private static func cut(_ mode: Mode, upstream: Bool) -> (limit: Int, ending: Ending)? {
        switch (mode, upstream) {
        case (.reset, true): (0, .reset)
        case let (.cutRequest(limit), true): (limit, .reset)
        case let (.cutResponse(limit), false): (limit, .resetChild)
        case let (.truncateResponse(limit), false): (limit, .finishChild)
        default: nil
        }
    }

    /// Reads what `source` has and forwards it to `destination` as `mode` says (`upstream`:
    /// from the child to the parent). Returns how the connection ends, or nil to go on.
    private func move(from source: Int32, to destination: Int32, upstream: Bool, mode: Mode, sent: inout Int, buffer: inout [UInt8]) -> Ending? {
        let count = recv(source, &buffer, FaultProxy.chunk, 0)
        if count <= 0 { return .close }
        if let (limit, ending) = FaultProxy.cut(mode, upstream: upstream), sent + count > limit, claim(mode) {
            _ = FaultProxy.send(destination, buffer, limit - sent)
            return ending
        }
        if case let .delay(milliseconds) = mode, claim(mode) {
            usleep(UInt32(milliseconds) * 1000)
        }
        sent += count
        return FaultProxy.send(destination, buffer, count) ? nil : .close
    }

    /// Sends the first `count` bytes of `buffer` whole; false when the peer is gone.
    private static func send(_ socket: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let sent = buffer.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Closes a socket with a TCP reset rather than a clean end (SO_LINGER with zero time).
    private static func reset(_ socket: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(socket)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A connected socket to 127.0.0.1:`port`, or -1.
    private static func connectLoopback(port: Int) -> Int32 {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return -1 }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socketFD)
            return -1
        }
        return socketFD
    }
}
