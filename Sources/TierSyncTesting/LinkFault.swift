/// What an ``InProcessLink`` does to one request and its answer, as a bad network or a
/// restarting parent would.
public enum LinkFault: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The request reaches the parent and its answer reaches the child.
    case deliver
    /// The request is lost: the parent never sees it, and the child gets an error.
    case dropRequest
    /// The parent handles the request, and its answer is lost: the child gets an error.
    case loseAnswer
    /// The request reaches the parent twice; the child gets the second answer.
    case duplicate
    /// Before the request (a push or a pull), an earlier push of the same child reaches the
    /// parent again, late (a reordering); its answer goes nowhere. Before the child's first
    /// push there is nothing to replay, and the request is delivered.
    case replayEarlier

    /// The fault's name.
    public var description: String { rawValue }
}

/// The error a child sees when an ``InProcessLink`` dropped its request or lost the answer.
public struct LinkFailure: Error, Sendable, CustomStringConvertible {
    /// The fault that caused it.
    public let fault: LinkFault
    /// The request it hit: `push` or `pull`.
    public let request: String

    /// Creates the error.
    public init(fault: LinkFault, request: String) {
        self.fault = fault
        self.request = request
    }

    /// What happened.
    public var description: String {
        switch fault {
        case .dropRequest: "the \(request) request was lost on the way to the parent (injected by the test link)"
        default: "the answer to the \(request) request was lost on the way back (injected by the test link)"
        }
    }
}
