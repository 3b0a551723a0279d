import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TierSyncAuth
import TierSyncEngine
import TierSyncModel
import TierSyncWire

/// Reaches a parent node over HTTP, through URLSession (libcurl on Linux). Every request
/// is signed with the node's key (``RequestSignature``).
public final class HTTPParentLink: ResyncLink {
    /// The parent's base URL, for example `http://127.0.0.1:7400`.
    public let baseURL: URL
    private let key: NodeKey?
    private let session: URLSession
    private let timeout: TimeInterval
    private let traffic = Mutex<Int64>(0)

    /// The bytes sent and received so far: request and answer bodies, and each request's URL.
    public var bytesMoved: Int64 { traffic.withLock { $0 } }

    /// Creates a link to the parent at `baseURL`, signing with `key` (without a key, only
    /// the open endpoints such as status answer). `timeout` bounds each request, in
    /// seconds, beyond the time a held pull asks the parent to wait; the default is 30.
    public init(baseURL: URL, key: NodeKey?, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.key = key
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        // A held pull keeps one connection; a round's requests use another.
        configuration.httpMaximumConnectionsPerHost = 4
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends a push and waits for the parent's acknowledgement.
    public func push(_ request: PushRequest) async throws -> PushResponse {
        try await send(try post("v1/push", request), as: PushResponse.self)
    }

    /// Fetches one pull batch.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, epoch: epoch, limit: limit, wait: 0)
    }

    /// Fetches one pull batch, which the parent may hold up to `wait` seconds until it has
    /// something for `node`; the request's timeout runs that much longer.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int, wait: Int) async throws -> PullResponse {
        var components = URLComponents(url: baseURL.appendingPathComponent("v1/pull"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "node", value: node),
            URLQueryItem(name: "after", value: String(after)),
            URLQueryItem(name: "limit", value: String(limit)),
        ] + (epoch.map { [URLQueryItem(name: "epoch", value: $0)] } ?? []) + (wait > 0 ? [URLQueryItem(name: "wait", value: String(wait))] : [])
        var request = URLRequest(url: components.url!)
        request.timeoutInterval = timeout + TimeInterval(max(wait, 0))
        return try await send(request, as: PullResponse.self)
    }

    /// Parents hold pulls that ask them to wait (`GET /v1/pull?wait=`).
    public var holdsPulls: Bool { true }

    /// Sends this node's summary of itself and its subtree.
    public func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        try await send(try post("v1/summary", request), as: SummaryResponse.self)
    }

    /// Fetches the parent's status.
    public func status() async throws -> NodeStatus {
        try await send(URLRequest(url: baseURL.appendingPathComponent("v1/status")), as: NodeStatus.self)
    }

    /// Sends every request of this link, signed: the one place where requests leave the node.
    func send<T: Decodable>(_ request: URLRequest, as type: T.Type) async throws -> T {
        var request = request
        if let key {
            try HTTPParentLink.sign(&request, with: key)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await exchange(request)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: error.localizedDescription)
        }
        let moved = Int64((request.httpBody?.count ?? 0) + (request.url?.absoluteString.utf8.count ?? 0) + data.count)
        traffic.withLock { $0 += moved }
        guard let http = response as? HTTPURLResponse else {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: "the answer is not HTTP")
        }
        guard (200..<300).contains(http.statusCode) else {
            guard let body = try? WireCoding.decode(ErrorBody.self, from: data) else {
                if http.statusCode == 404 {
                    throw SyncError.notAnAPIRoot(url: baseURL.absoluteString, path: request.url?.path ?? "?")
                }
                throw SyncError.refused(status: http.statusCode, body: ErrorBody(code: "http_\(http.statusCode)", message: String(decoding: data.prefix(500), as: UTF8.self)))
            }
            if http.statusCode == 403, body.code == "not_a_child", let answering = body.node.flatMap({ try? NodeID($0) }), let node = key?.node {
                throw SyncError.wrongParent(url: baseURL.absoluteString, answering: answering, node: node)
            }
            throw SyncError.refused(status: http.statusCode, body: body)
        }
        do {
            return try WireCoding.decode(type, from: data)
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: "unreadable answer: \(error)")
        }
    }

    /// Sends one request and waits for its answer; cancelling the calling task cancels the
    /// request (a held pull ends at once when the node stops).
    private func exchange(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let task = Mutex<URLSessionDataTask?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let dataTask = session.dataTask(with: request) { data, response, error in
                    if let data, let response {
                        continuation.resume(returning: (data, response))
                    } else if (error as? URLError)?.code == .cancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume(throwing: error ?? URLError(.badServerResponse))
                    }
                }
                let cancelled = task.withLock { stored in
                    stored = dataTask
                    return Task.isCancelled
                }
                if cancelled { dataTask.cancel() }
                dataTask.resume()
            }
        } onCancel: {
            task.withLock { $0 }?.cancel()
        }
    }

    /// Adds the signature headers to a request, over its method, its target (path and
    /// query exactly as they go on the wire) and its body.
    public static func sign(_ request: inout URLRequest, with key: NodeKey) throws {
        let components = URLComponents(url: request.url!, resolvingAgainstBaseURL: false)
        let target = (components?.percentEncodedPath ?? request.url!.path) + (components?.percentEncodedQuery.map { "?" + $0 } ?? "")
        let signature = try RequestSignature.sign(method: request.httpMethod ?? "GET", target: target, body: request.httpBody ?? Data(), with: key)
        for (name, value) in signature.headers { request.setValue(value, forHTTPHeaderField: name) }
    }
}
