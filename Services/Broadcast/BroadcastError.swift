import Contracts
import Wire

/// What can go wrong in broadcast's domain, as values: the rules and the store throw these,
/// tests compare them, and the router sends their `rpcError`. A stale `expectedVersion` is the
/// shared `StaleVersion`.
enum BroadcastError: RPCErrorConvertible, Equatable, Sendable {
    /// No such `kind` in the caller's tenant (another tenant's included): `NOT_FOUND` naming `field`.
    case notFound(kind: String, id: String, field: String)
    /// A field that is wrong on its own: `INVALID_ARGUMENT`.
    case invalidField(String, String)
    /// The action does not apply to a broadcast in this state: `FAILED_PRECONDITION`.
    case wrongState(action: String, requestId: String, state: BroadcastState)
    /// A filled or cancelled request gets no broadcast: `FAILED_PRECONDITION`.
    case requestClosed(requestId: String, status: String)
    /// A system or default disposition's label and flags are fixed: `FAILED_PRECONDITION`.
    case builtInDisposition(code: String, field: String)
    /// A system disposition is set by the service only: `FAILED_PRECONDITION`.
    case systemDisposition(code: String)
    /// An archived disposition is no longer set nor changed: `FAILED_PRECONDITION`.
    case dispositionArchived(code: String)
    /// A disposition that attempts carry is archived, not deleted: `FAILED_PRECONDITION`.
    case dispositionInUse(code: String, attempts: Int)
    /// An attempt not sent yet has nothing to qualify or deliver: `FAILED_PRECONDITION`.
    case attemptNotSent(attemptId: String)

    var rpcError: RPCError {
        switch self {
        case .notFound(let kind, let id, let field):
            return RPCError.notFound(kind, id: id, field: field)
        case .invalidField(let field, let description):
            return RPCError.invalidArgument(field: field, description)
        case .wrongState(let action, let requestId, let state):
            return RPCError(
                .failedPrecondition, "cannot \(action) the broadcast of \(requestId): it is \(state.rawValue)")
        case .requestClosed(let requestId, let status):
            return RPCError(.failedPrecondition, "request \(requestId) is \(status): it gets no broadcast")
        case .builtInDisposition(let code, let field):
            return RPCError(
                .failedPrecondition, "\(code) is built in: only its recycle rule can change",
                details: [FieldViolation(field: field, description: "is fixed for \(code)")])
        case .systemDisposition(let code):
            return RPCError(
                .failedPrecondition, "\(code) is a system disposition: only the service sets it",
                details: [FieldViolation(field: "body.code", description: "is set by the service only")])
        case .dispositionArchived(let code):
            return RPCError(
                .failedPrecondition, "disposition \(code) is archived",
                details: [FieldViolation(field: "body.code", description: "is archived")])
        case .dispositionInUse(let code, let attempts):
            return RPCError(
                .failedPrecondition, "disposition \(code) is used by \(attempts) attempts: archive it instead",
                details: [FieldViolation(field: "body.code", description: "is in use")])
        case .attemptNotSent(let attemptId):
            return RPCError(
                .failedPrecondition, "attempt \(attemptId) was not sent",
                details: [FieldViolation(field: "body.attemptId", description: "was not sent")])
        }
    }
}
