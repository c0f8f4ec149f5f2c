/// A domain error that knows its wire form (grpc-swift-2's `RPCErrorConvertible`): handlers and
/// stores throw their own small error types, tests compare cases, and the router converts them.
public protocol RPCErrorConvertible: Error {
    /// The status and message sent to the caller.
    var rpcError: RPCError { get }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}

/// A stale `expectedVersion`: someone changed the record first (`ABORTED`: read again, retry).
public struct StaleVersion: RPCErrorConvertible, Equatable, Sendable {
    public var kind: String
    public var id: String
    public var expected: Int
    public var actual: Int

    public init(kind: String, id: String, expected: Int, actual: Int) {
        self.kind = kind
        self.id = id
        self.expected = expected
        self.actual = actual
    }

    /// Throws when `expected` is given and is not `actual`.
    public static func check(_ expected: Int?, actual: Int, kind: String, id: String) throws(StaleVersion) {
        if let expected, expected != actual {
            throw StaleVersion(kind: kind, id: id, expected: expected, actual: actual)
        }
    }

    public var rpcError: RPCError {
        RPCError(
            .aborted, "\(kind) \(id) is at version \(actual), not \(expected); read it again and retry",
            details: [FieldViolation(field: "body.expectedVersion", description: "is stale (current \(actual))")])
    }
}
