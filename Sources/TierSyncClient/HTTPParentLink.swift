import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TierSyncEngine
import TierSyncWire

/// Reaches a parent node over HTTP, through URLSession (libcurl on Linux).
public final class HTTPParentLink: ParentLink {
    /// The parent's base URL, for example `http://127.0.0.1:7400`.
    public let baseURL: URL
    private let session: URLSession

    /// Creates a link to the parent at `baseURL`. `timeout` bounds each request, in seconds;
    /// the default is 60.
    public init(baseURL: URL, timeout: TimeInterval = 60) {
        self.baseURL = baseURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 2
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends a push and waits for the parent's acknowledgement.
    public func push(_ request: PushRequest) async throws -> PushResponse {
        try await post("v1/push", request, as: PushResponse.self)
    }

    /// Fetches one pull batch.
    public func pull(node: String, after: Int64, epoch: String?, limit: Int) async throws -> PullResponse {
        var components = URLComponents(url: baseURL.appendingPathComponent("v1/pull"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "node", value: node),
            URLQueryItem(name: "after", value: String(after)),
            URLQueryItem(name: "limit", value: String(limit)),
        ] + (epoch.map { [URLQueryItem(name: "epoch", value: $0)] } ?? [])
        return try await send(URLRequest(url: components.url!), as: PullResponse.self)
    }

    /// Sends this node's summary of itself and its subtree.
    public func sendSummary(_ request: SummaryRequest) async throws -> SummaryResponse {
        try await post("v1/summary", request, as: SummaryResponse.self)
    }

    /// Fetches the parent's status.
    public func status() async throws -> NodeStatus {
        try await send(URLRequest(url: baseURL.appendingPathComponent("v1/status")), as: NodeStatus.self)
    }

    private func post<Body: Encodable, Answer: Decodable>(_ path: String, _ body: Body, as type: Answer.Type) async throws -> Answer {
        var http = URLRequest(url: baseURL.appendingPathComponent(path))
        http.httpMethod = "POST"
        http.httpBody = try WireCoding.encode(body)
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        // libcurl asks for 100-continue before large bodies; the parent answers at once instead.
        http.setValue("", forHTTPHeaderField: "Expect")
        return try await send(http, as: type)
    }

    private func send<T: Decodable>(_ request: URLRequest, as type: T.Type) async throws -> T {
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: "the answer is not HTTP")
        }
        guard (200..<300).contains(http.statusCode) else {
            let body = (try? WireCoding.decode(ErrorBody.self, from: data))
                ?? ErrorBody(code: "http_\(http.statusCode)", message: String(decoding: data.prefix(500), as: UTF8.self))
            throw SyncError.refused(status: http.statusCode, body: body)
        }
        do {
            return try WireCoding.decode(type, from: data)
        } catch {
            throw SyncError.unreachable(url: baseURL.absoluteString, message: "unreadable answer: \(error)")
        }
    }
}
