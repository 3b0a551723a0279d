import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` at once, so that clients such as curl and libcurl, which
/// ask before sending a body over 1 KiB, send it without waiting out their timeout.
///
/// Body limits are still enforced when the body arrives.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case let .head(request) = unwrapInboundIn(data),
           request.headerFields[.expect]?.lowercased() == "100-continue" {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}

/// The HTTP/1.1 server setup every node uses.
public enum NodeHTTPServer {
    /// Handlers added after HTTP decoding on every connection.
    public static func channelHandlers() -> [any RemovableChannelHandler] {
        [ExpectContinueHandler()]
    }
}
