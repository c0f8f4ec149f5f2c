/// One field a request got wrong: `{"field": "body.startsAt", "description": "must be before endsAt"}`.
public struct FieldViolation: Hashable, Sendable, Codable {
    /// The JSON path of the field, e.g. `body.actor.role`.
    public var field: String
    /// What is wrong with it.
    public var description: String

    public init(field: String, description: String) {
        self.field = field
        self.description = description
    }
}

/// The error a handler throws, and the client raises, for any non-OK status.
///
/// Anything else a handler throws becomes `INTERNAL`, with the cause logged and never sent.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status code.
    public var code: StatusCode
    /// A message for a developer reading the reply.
    public var message: String
    /// The fields at fault, if any.
    public var details: [FieldViolation]
    /// What went wrong underneath (a domain error, a database error), for logs: never sent, and
    /// not part of equality.
    public var cause: (any Error & Sendable)?

    public init(
        _ code: StatusCode, _ message: String, details: [FieldViolation] = [], cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
    }

    /// `INVALID_ARGUMENT` naming one field.
    public static func invalidArgument(field: String, _ description: String) -> RPCError {
        RPCError(
            .invalidArgument, "\(field): \(description)",
            details: [FieldViolation(field: field, description: description)])
    }

    /// `NOT_FOUND` for an entity kind and id.
    public static func notFound(_ kind: String, id: String, field: String? = nil) -> RPCError {
        RPCError(
            .notFound, "\(kind) \(id) not found",
            details: field.map { [FieldViolation(field: $0, description: "no \(kind) with id \(id)")] } ?? [])
    }

    public var description: String {
        details.isEmpty
            ? "\(code): \(message)"
            : "\(code): \(message) \(details.map { "[\($0.field): \($0.description)]" }.joined(separator: " "))"
    }
}

/// The `status` object of a reply.
public struct Status: Sendable, Equatable, Codable {
    public var code: StatusCode
    public var message: String
    public var details: [FieldViolation]

    public init(code: StatusCode, message: String = "", details: [FieldViolation] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(StatusCode.self, forKey: .code)
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        details = try container.decodeIfPresent([FieldViolation].self, forKey: .details) ?? []
    }

    /// `OK` with no message.
    public static let ok = Status(code: .ok)

    public init(_ error: RPCError) {
        self.init(code: error.code, message: error.message, details: error.details)
    }

    /// The error this status stands for, or nil for `OK`.
    public var error: RPCError? {
        code == .ok ? nil : RPCError(code, message, details: details)
    }
}
