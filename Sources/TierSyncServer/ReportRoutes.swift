import Foundation
import Hummingbird
import NIOCore
import TierSyncReports
import TierSyncWire

/// `GET /v1/reports` (the list) and `GET /v1/reports/{name}`: the consolidation reports as
/// JSON, CSV or text.
public struct ReportRoutes: Sendable {
    let service: ReportService

    /// Creates the routes.
    public init(service: ReportService) {
        self.service = service
    }

    /// One entry of the report list.
    struct Listing: Codable {
        var name: String
        var summary: String
        var dimensions: [ReportDimension]
    }

    /// Adds the routes to a router.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/v1/reports") { _, _ in
            try JSONResponse.make(ReportKind.allCases.map { Listing(name: $0.rawValue, summary: $0.summary, dimensions: $0.dimensions) })
        }
        router.get("/v1/reports/:name") { request, context in
            do {
                let query = request.uri.queryParameters
                let format = try Self.format(query["format"].map(String.init), accept: request.headers[.accept])
                let parsed = try ReportQuery.parse(
                    name: context.parameters.get("name") ?? "", period: query["period"].map(String.init),
                    by: query["by"].map(String.init), limit: query["limit"].map(String.init))
                let report = try await service.report(parsed)
                switch format {
                case "csv": return Self.text(ReportCSV.render(report), type: "text/csv; charset=utf-8")
                case "text": return Self.text(ReportText.render(report), type: "text/plain; charset=utf-8")
                default: return try JSONResponse.make(report)
                }
            } catch let error as ReportError {
                throw Self.apiError(error)
            } catch {
                throw APIError.from(error)
            }
        }
    }

    /// `json`, `csv` or `text`: the `format` parameter, else `csv` when the client accepts
    /// only CSV, else `json`.
    static func format(_ given: String?, accept: String?) throws -> String {
        if let given {
            guard ["json", "csv", "text"].contains(given) else {
                throw APIError(.badRequest, code: "bad_request", message: "format must be json, csv or text, got '\(given)'")
            }
            return given
        }
        return accept?.contains("text/csv") == true && accept?.contains("json") != true ? "csv" : "json"
    }

    static func text(_ body: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// The answer for a report that cannot be made.
    static func apiError(_ error: ReportError) -> APIError {
        switch error {
        case .badQuery: APIError(.badRequest, code: "bad_request", message: error.description)
        case .unknownReport: APIError(.notFound, code: "unknown_report", message: error.description)
        case .notServed: APIError(.notFound, code: "reports_not_served", message: error.description)
        case .unavailable: APIError(.conflict, code: "reports_unavailable", message: error.description)
        case .database: APIError(.internalServerError, code: "internal", message: error.description)
        }
    }
}
