/// A status code, as the string gRPC gives it (`"OK"`, `"NOT_FOUND"`, …).
///
/// A struct with static members rather than a closed enum, so a code added later never breaks a
/// caller that switches over the ones it knows.
public struct StatusCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The wire name, e.g. `"INVALID_ARGUMENT"`.
    public let name: String

    public init(_ name: String) { self.name = name }

    public init(from decoder: any Decoder) throws {
        name = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    public var description: String { name }

    /// Success.
    public static let ok = StatusCode("OK")
    /// The caller cancelled the call. Do not retry.
    public static let cancelled = StatusCode("CANCELLED")
    /// An error with no better code, e.g. from a peer that sent an unknown code.
    public static let unknown = StatusCode("UNKNOWN")
    /// The request is malformed: bad frame, bad JSON, a missing or wrongly typed field. Do not retry.
    public static let invalidArgument = StatusCode("INVALID_ARGUMENT")
    /// The deadline passed before the work was done. Safe to retry only idempotent calls.
    public static let deadlineExceeded = StatusCode("DEADLINE_EXCEEDED")
    /// The entity does not exist, or belongs to another tenant. Do not retry.
    public static let notFound = StatusCode("NOT_FOUND")
    /// The entity to create exists already (e.g. a duplicate name). Do not retry.
    public static let alreadyExists = StatusCode("ALREADY_EXISTS")
    /// The actor's role may not call this method. Do not retry.
    public static let permissionDenied = StatusCode("PERMISSION_DENIED")
    /// The message is too large, or the server's work queue is full. Retry later, with backoff.
    public static let resourceExhausted = StatusCode("RESOURCE_EXHAUSTED")
    /// The current state forbids the operation (e.g. a transition). Do not retry as is.
    public static let failedPrecondition = StatusCode("FAILED_PRECONDITION")
    /// An optimistic-concurrency race was lost (stale version). Retry the read-modify-write.
    public static let aborted = StatusCode("ABORTED")
    /// A value is past the valid range. Do not retry.
    public static let outOfRange = StatusCode("OUT_OF_RANGE")
    /// The service has no such method (or the request went to the wrong service). Do not retry.
    public static let unimplemented = StatusCode("UNIMPLEMENTED")
    /// A bug or broken invariant on the server; details are logged there, not sent. Do not retry blindly.
    public static let `internal` = StatusCode("INTERNAL")
    /// Not now (e.g. the server is shutting down). Retry the same call with backoff.
    public static let unavailable = StatusCode("UNAVAILABLE")
    /// Unrecoverable data loss or corruption.
    public static let dataLoss = StatusCode("DATA_LOSS")
    /// The peer is not authenticated.
    public static let unauthenticated = StatusCode("UNAUTHENTICATED")

    /// Every code PROTOCOL §4 names.
    public static let all: [StatusCode] = [
        .ok, .cancelled, .unknown, .invalidArgument, .deadlineExceeded, .notFound, .alreadyExists,
        .permissionDenied, .resourceExhausted, .failedPrecondition, .aborted, .outOfRange,
        .unimplemented, .internal, .unavailable, .dataLoss, .unauthenticated,
    ]
}
