import Contracts
import Wire

/// What can go wrong in the registry's domain, as values: the store and the rules throw these,
/// tests compare them, and the router sends their `rpcError`. A stale `expectedVersion` is the
/// shared `StaleVersion`.
enum RegistryError: RPCErrorConvertible, Equatable, Sendable {
    /// No `kind` with this id in the caller's tenant (another tenant's id included), or not the
    /// caller's own: `NOT_FOUND` naming `field`.
    case notFound(kind: String, id: String, field: String)
    /// A field that is wrong on its own: `INVALID_ARGUMENT`.
    case invalidField(String, String)
    /// Another `kind` of the tenant already has this name (case-insensitive): `ALREADY_EXISTS`.
    case nameTaken(kind: String, name: String, takenBy: String)
    /// The qualification is archived and cannot be changed, applied or newly used:
    /// `FAILED_PRECONDITION`, naming `field` when one request field holds it.
    case archived(qualification: String, field: String? = nil)
    /// The qualification's provider types exclude the provider's: `FAILED_PRECONDITION`.
    case providerTypeExcluded(qualification: String, providerTypes: [String], providerType: String)
    /// The qualification is not applied to the provider: nothing to remove, `NOT_FOUND`.
    case notApplied(qualificationId: String, providerId: String)
    /// A code the partner's vocabulary does not have (a mistyped zone or provider type):
    /// `INVALID_ARGUMENT` naming `field`.
    case unknownCode(kind: Vocabulary.Kind, code: String, field: String)
    /// The provider's personal data was erased, for good: `FAILED_PRECONDITION` naming `field`.
    case providerErased(providerId: String, field: String)

    var rpcError: RPCError {
        switch self {
        case .notFound(let kind, let id, let field):
            return RPCError.notFound(kind, id: id, field: field)
        case .invalidField(let field, let description):
            return RPCError.invalidArgument(field: field, description)
        case .nameTaken(let kind, let name, let takenBy):
            return RPCError(
                .alreadyExists, "a \(kind) named \(name) already exists",
                details: [FieldViolation(field: "body.name", description: "is already used by \(kind) \(takenBy)")])
        case .archived(let qualification, let field):
            return RPCError(
                .failedPrecondition, "qualification \(qualification) is archived",
                details: field.map { [FieldViolation(field: $0, description: "is archived")] } ?? [])
        case .providerTypeExcluded(let qualification, let providerTypes, let providerType):
            return RPCError(
                .failedPrecondition,
                "qualification \(qualification) is for \(providerTypes.joined(separator: ", ")), not \(providerType)",
                details: [
                    FieldViolation(
                        field: "body.qualificationId", description: "does not apply to provider type \(providerType)")
                ])
        case .notApplied(let qualificationId, let providerId):
            return RPCError(
                .notFound, "qualification \(qualificationId) is not applied to provider \(providerId)",
                details: [
                    FieldViolation(field: "body.qualificationId", description: "is not applied to this provider")
                ])
        case .providerErased(let providerId, let field):
            return RPCError(
                .failedPrecondition, "provider \(providerId) was erased: it cannot be changed or used again",
                details: [FieldViolation(field: field, description: "is an erased provider")])
        case .unknownCode(let kind, let code, let field):
            let list = kind == .zone ? "zones" : "provider types"
            return RPCError.invalidArgument(field: field, "\(code) is not one of the partner's \(list)")
        }
    }
}
