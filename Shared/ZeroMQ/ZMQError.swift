import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// An error reported by libzmq, carrying its errno and `zmq_strerror` text.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value libzmq reported.
    public let code: Int32
    /// What libzmq says the code means.
    public let message: String
    /// The libzmq call that failed.
    public let operation: String

    /// Captures the current `zmq_errno()` for `operation`.
    public static func last(_ operation: String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(code: code, message: String(cString: zmq_strerror(code)), operation: operation)
    }

    public init(code: Int32, message: String, operation: String) {
        self.code = code
        self.message = message
        self.operation = operation
    }

    /// True when the context was terminated: the owning loop should close its sockets and stop.
    public var isContextTerminated: Bool { code == ETERM }

    public var description: String { "\(operation): \(message) (errno \(code))" }
}
