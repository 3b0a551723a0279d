import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TierSyncAuth
import TierSyncEngine
import TierSyncModel
import TierSyncWire

/// Reaches a parent node over HTTP, through AsyncHTTPClient on SwiftNIO (the event loops
/// the node's own server runs on). Every request is signed with the node's key
/// (``RequestSignature``).
public final class HTTPParentLink: ResyncLink {
    /// The parent's base URL, for example `http://127.0.0.1:7400`.
    public let baseURL: URL
    private let key: NodeKey?
    private let timeout: TimeInterval
    private let traffic = Mutex<Int64>(0)
    /// Whether pushes go in the batch form (``BatchCodec``); false once the parent refused
    /// one that it then accepted as JSON (a parent from before the form).
    private let batchPushes: Mutex<Bool>
    /// Whether pull answers are asked for in the batch form.
    private let batchPulls: Bool
    /// The largest answer read, in bytes: far above any batch a parent sends.
    static let answerLimit = 1 << 30

    /// The bytes sent and received so far: request and answer bodies, and each request's URL.
    public var bytesMoved: Int64 { traffic.withLock { $0 } }

    /// Creates a link to the parent at `baseURL`, signing with `key` (without a key, only
    /// the open endpoints such as status answer). `timeout` bounds each request, in
    /// seconds, beyond the time a held pull asks the parent to wait; the default is 30.
    /// With `batchForm` (the default), pushes and pull answers travel in the compact batch
    /// form (``BatchCodec``); without it, as JSON.
    public init(baseURL: URL, key: NodeKey?, timeout: TimeInterval = 30, batchForm: Bool = true) {
        self.baseURL = baseURL
        self.key = key
        self.timeout = timeout
        batchPushes = Mutex(batchForm)
        batchPulls = batchForm
    }

    /// One request to the parent, before it is signed.
    struct Request {
        var method: HTTPMethod
        /// The path and query, as they go on the wire.
        var target: String
        var body: Data?
        /// How long the request may take, beyond `timeout`.
        var wait: TimeInterval = 0
        /// The body's media type.
        var contentType = "application/json"
        /// The answer forms wanted, as an `Accept` header; nil sends none.
        var accept: String?
    }

    /// Sends a push and waits for the parent's acknowledgement.
    /// Pushes go in the batch form; a parent from before the form, which answers one with
    /// 400 because the body is not JSON, gets it again as JSON, and when that is accepted,
    /// later pushes go as JSON too. Any other refusal stands.
    public func push(_ request: PushRequest) async throws -> PushResponse {
        guard batchPushes.withLock({ $0 }) else { return try await send(try post("v1/push", request), as: PushResponse.self) }
        let batch = Request(method: .POST, target: path("v1/push"), body: BatchCodec.encode(request), contentType: BatchCodec.mediaType)
        do {
            return try await send(batch, as: PushResponse.self)
        } catch let SyncError.refused(status, body) where status == 400 && body.code == "bad_request" && body.message.contains("not valid JSON") {
            let answer = try await send(try post("v1/push", request), as: PushResponse.self)
            batchPushes.withLock { $0 = false }
            return answer
        }
    }

    /// Fetches one pull batch.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, epoch: epoch, limit: limit, wait: 0)
    }

    /// Fetches one pull batch, which the parent may hold up to `wait` seconds until it has
    /// something for `node`; the request's timeout runs that much longer.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int, wait: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, applied: nil, epoch: epoch, limit: limit, wait: wait)
    }

    /// Fetches one pull batch ahead of applying the one before: the parent keeps `applied`,
    /// not `after`, as this node's acknowledgement.
    public func pull(node: String, after: Int64, applied: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        try await pull(node: node, after: after, applied: Optional(applied), epoch: epoch, limit: limit, wait: 0)
    }

    private func pull(node: String, after: Int64, applied: Int64?, epoch: String?, limit: Int, wait: Int) async throws -> PullResponse {
        var components = URLComponents()
        components.queryItems = [
            URLQueryItem(name: "node", value: node),
            URLQueryItem(name: "after", value: String(after)),
            URLQueryItem(name: "limit", value: String(limit)),
        ] + (applied.map { [URLQueryItem(name: "applied", value: String($0))] } ?? [])
            + (epoch.map { [URLQueryItem(name: "epoch", value: $0)] } ?? []) + (wait > 0 ? [URLQueryItem(name: "wait", value: String(wait))] : [])
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        let request = Request(method: .GET, target: path("v1/pull") + query, body: nil, wait: TimeInterval(max(wait, 0)),
                              accept: batchPulls ? "\(BatchCodec.mediaType), application/json;q=0.5" : nil)
        let (data, contentType) = try await exchange(request)
        do {
            return BatchCodec.isNamed(in: contentType) ? try BatchCodec.decodePull(data) : try WireCoding.decode(PullResponse.self, from: data)
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: "unreadable answer: \(error)")
        }
    }

    /// Parents hold pulls that ask them to wait (`GET /v1/pull?wait=`).
    public var holdsPulls: Bool { true }

    /// Sends this node's summary of itself and its subtree.
    public func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        try await send(try post("v1/summary", request), as: SummaryResponse.self)
    }

    /// Fetches the parent's status.
    public func status() async throws -> NodeStatus {
        try await send(Request(method: .GET, target: path("v1/status"), body: nil), as: NodeStatus.self)
    }

    /// A JSON POST to the parent.
    func post<T: Encodable>(_ relative: String, _ body: T) throws -> Request {
        Request(method: .POST, target: path(relative), body: try WireCoding.encode(body))
    }

    /// The path of an endpoint below the base URL, percent-encoded as it goes on the wire.
    private func path(_ relative: String) -> String {
        let base = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + relative
    }

    /// Sends every request of this link, signed: the one place where requests leave the node.
    /// Cancelling the calling task cancels the request (a held pull ends at once when the
    /// node stops).
    func send<T: Decodable>(_ request: Request, as type: T.Type) async throws -> T {
        let (data, _) = try await exchange(request)
        do {
            return try WireCoding.decode(type, from: data)
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: "unreadable answer: \(error)")
        }
    }

    /// Sends a request, signed, and returns the body and `Content-Type` of a 2xx answer;
    /// any other answer is thrown as ``SyncError``.
    private func exchange(_ request: Request) async throws -> (Data, String?) {
        let url = Self.origin(of: baseURL) + request.target
        var http = HTTPClientRequest(url: url)
        http.method = request.method
        if let body = request.body {
            http.body = .bytes(ByteBuffer(bytes: body))
            http.headers.add(name: "Content-Type", value: request.contentType)
        }
        if let accept = request.accept { http.headers.add(name: "Accept", value: accept) }
        if let key {
            let signature = try RequestSignature.sign(method: request.method.rawValue, target: request.target, body: request.body ?? Data(), with: key)
            for (name, value) in signature.headers { http.headers.replaceOrAdd(name: name, value: value) }
        }
        let status: HTTPResponseStatus
        let data: Data
        let contentType: String?
        do {
            let response = try await HTTPClient.shared.execute(http, timeout: .milliseconds(Int64((timeout + request.wait) * 1000)))
            status = response.status
            contentType = response.headers.first(name: "Content-Type")
            data = Data(try await response.body.collect(upTo: Self.answerLimit).readableBytesView)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw SyncError.unreachable(url: baseURL.absoluteString, message: Self.describe(error, timeout: timeout + request.wait))
        }
        traffic.withLock { $0 += Int64((request.body?.count ?? 0) + url.utf8.count + data.count) }
        guard (200..<300).contains(Int(status.code)) else {
            guard let body = try? WireCoding.decode(ErrorBody.self, from: data) else {
                if status == .notFound {
                    throw SyncError.notAnAPIRoot(url: baseURL.absoluteString, path: request.target)
                }
                throw SyncError.refused(status: Int(status.code), body: ErrorBody(code: "http_\(status.code)", message: String(decoding: data.prefix(500), as: UTF8.self)))
            }
            if status == .forbidden, body.code == "not_a_child", let answering = body.node.flatMap({ try? NodeID($0) }), let node = key?.node {
                throw SyncError.wrongParent(url: baseURL.absoluteString, answering: answering, node: node)
            }
            throw SyncError.refused(status: Int(status.code), body: body)
        }
        return (data, contentType)
    }

    /// The scheme, host and port of `url` as it was written (an IPv6 host keeps its
    /// brackets), without a path, query or fragment.
    static func origin(of url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        components.percentEncodedPath = ""
        components.query = nil
        components.fragment = nil
        return components.string ?? url.absoluteString
    }

    /// What went wrong with a request, in words an operator can act on; ``SyncError``
    /// adds what to check.
    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout:
            "no answer within \(Int(timeout.rounded())) s (sync.timeout, plus the hold of a held pull)"
        case let error as HTTPClientError where error == .connectTimeout:
            "no connection within the timeout"
        case let error as IOError:
            String(cString: strerror(error.errnoCode)).lowercased()
        default:
            "\(error)"
        }
    }
}
