import Wire

/// What can go wrong in matching's domain, as values: the store, the rules and the ranking
/// engine throw these, tests compare them, and the router sends their `rpcError`. A stale
/// `expectedVersion` is the shared `StaleVersion`.
enum MatchingError: RPCErrorConvertible, Equatable, Sendable {
    /// No `kind` with this id in the partner's read model (another tenant's included):
    /// `NOT_FOUND` naming `field`.
    case notFound(kind: String, id: String, field: String)
    /// Settings out of range, every faulty field named: `INVALID_ARGUMENT`.
    case invalidSettings([FieldViolation])
    /// The read model has not applied each source up to the caller's `minSeq` in time:
    /// `UNAVAILABLE` (retry), each source behind named.
    case notCaughtUp([FieldViolation])
    /// The settings reached their highest version and take no more changes: `FAILED_PRECONDITION`.
    case settingsExhausted(version: Int)

    var rpcError: RPCError {
        switch self {
        case .notFound(let kind, let id, let field):
            RPCError.notFound(kind, id: id, field: field)
        case .invalidSettings(let violations):
            RPCError(
                .invalidArgument, violations.map { "\($0.field) \($0.description)" }.joined(separator: "; "),
                details: violations)
        case .notCaughtUp(let behind):
            RPCError(.unavailable, "the read model has not caught up yet; retry", details: behind)
        case .settingsExhausted(let version):
            RPCError(.failedPrecondition, "the settings are at version \(version), the highest: no further change")
        }
    }
}
