import Foundation
import Hummingbird
import NIOCore
import TierSyncEngine
import TierSyncStore
import TierSyncWire

/// An error answer with its HTTP status and an ``ErrorBody`` that tells the caller what to do.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The JSON body.
    public let body: ErrorBody

    /// Creates an error answer.
    public init(_ status: HTTPResponse.Status, code: String, message: String, expected: Int64? = nil, node: String? = nil) {
        self.status = status
        self.body = ErrorBody(code: code, message: message, expected: expected, node: node)
    }

    /// The status and message.
    public var description: String { "\(status.code) \(body.code): \(body.message)" }

    /// Renders the JSON body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(body)
        response.status = status
        return response
    }

    /// Maps any error a handler throws to its answer; unexpected ones become a 500 that
    /// names the failure.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let SyncError.badRequest(message):
            return APIError(.badRequest, code: "bad_request", message: message)
        case let error as SyncError:
            switch error {
            case let .stampAhead(message):
                return APIError(.badRequest, code: "stamp_ahead", message: message)
            case let .notAChild(_, node):
                return APIError(.forbidden, code: "not_a_child", message: error.description, node: node)
            case let .cursorGap(expected, message):
                return APIError(.conflict, code: "cursor_gap", message: message, expected: expected)
            case .epochChanged:
                return APIError(.conflict, code: "epoch_changed", message: error.description)
            case let .schemaMismatch(message):
                return APIError(.conflict, code: "schema_mismatch", message: message)
            default:
                return APIError(.badGateway, code: "upstream", message: error.description)
            }
        case let error as StoreError:
            switch error {
            case .conflictNotFound:
                return APIError(.notFound, code: "conflict_not_found", message: error.description)
            case .cannotResolve:
                return APIError(.conflict, code: "cannot_resolve", message: error.description)
            case .storageFull:
                return APIError(.insufficientStorage, code: "insufficient_storage", message: error.description)
            default:
                return APIError(.internalServerError, code: "internal", message: "\(error); see the node's log")
            }
        case let error as WireError:
            return APIError(.badRequest, code: "bad_request", message: error.description)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "the body is larger than this node accepts; send smaller batches or raise limits.body_bytes")
        default:
            return APIError(.internalServerError, code: "internal", message: "\(error); see the node's log")
        }
    }
}

extension HTTPResponse.Status {
    /// 507: this node cannot store what the request asks it to keep (RFC 4918).
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}

/// Builds JSON answers.
enum JSONResponse {
    static func make<T: Encodable>(_ value: T) throws -> Response {
        let data = try WireCoding.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
