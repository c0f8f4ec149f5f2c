import Contracts
import Domain
import Wire

/// What can go wrong in the opportunities domain besides the state machine's refusals
/// (`TransitionError`, the table's own) and a stale `expectedVersion` (`StaleVersion`), as
/// values: the store and the handlers throw these, tests compare them, and the router sends
/// their `rpcError`.
enum OpportunitiesError: RPCErrorConvertible, Equatable, Sendable {
    /// Why a qualification cannot be newly used on a request: the shared rule's verdict.
    typealias UnusableReason = CustomerDefaults.Unfit

    /// No `kind` with this id in the caller's tenant (another tenant's included): `NOT_FOUND`
    /// naming `field`.
    case notFound(kind: String, id: String, field: String)
    /// A field that is wrong on its own: `INVALID_ARGUMENT`.
    case invalidField(String, String)
    /// Every slot of the team is held and no replacement is sought: nobody more can be assigned.
    case teamComplete(requestId: String, teamSize: Int)
    /// A cancelled request, or a filled one where nobody seeks a replacement, takes no new offers.
    case requestTakesNoOffers(requestId: String, status: RequestRecord.Status)
    /// An inactive provider is offered nothing.
    case providerInactive(providerId: String)
    /// The job has started: nothing more is offered on it, and a late answer is not taken.
    case jobStarted(requestId: String)
    /// A provider of another type than the request needs.
    case providerTypeMismatch(providerId: String, providerType: String, neededType: String)
    /// A qualification a request cannot ask for, named by the request's `field`.
    case qualificationUnusable(qualificationId: String, name: String, reason: UnusableReason, field: String)
    /// A customer deciding on a request whose decider is the partner.
    case notTheDecider(requestId: String)
    /// A replacement named to replace a member that seeks none (as far as the decider can see).
    case notSeekingReplacement(opportunityId: String)
    /// A customer setting what only the partner may: the decision policy, or overriding defaults.
    case fieldNotPermitted(field: String, role: Actor.Role)
    /// A code the partner's vocabulary does not have (a mistyped zone or provider type).
    case unknownCode(kind: Vocabulary.Kind, code: String, field: String)
    /// A request whose job is over is not cancelled any more.
    case requestEnded(requestId: String)
    /// A request whose job started with slots open is unfilled, for good: it is not cancelled.
    case requestUnfilled(requestId: String)
    /// The partner withdrew the offer (with a final disposition, say): an answer is not taken.
    case offerWithdrawn(opportunityId: String, reason: String?)
    /// An action the caller's masked view (ASSIGNED) would allow but the hidden state does not;
    /// the message names no state, so the replacement stays hidden.
    case notAvailableNow(action: OpportunityAction)

    var rpcError: RPCError {
        switch self {
        case .notFound(let kind, let id, let field):
            RPCError.notFound(kind, id: id, field: field)
        case .invalidField(let field, let description):
            RPCError.invalidArgument(field: field, description)
        case .teamComplete(let requestId, let teamSize):
            RPCError(.failedPrecondition, "the team of \(teamSize) is complete: no open slot on request \(requestId)")
        case .requestTakesNoOffers(let requestId, let status):
            RPCError(.failedPrecondition, "request \(requestId) is \(status.rawValue): it takes no new offers")
        case .providerInactive(let providerId):
            RPCError(
                .failedPrecondition, "provider \(providerId) is inactive: it is offered nothing",
                details: [FieldViolation(field: "body.providerId", description: "is inactive")])
        case .jobStarted(let requestId):
            RPCError(.failedPrecondition, "the job of request \(requestId) has started: its offers are closed")
        case .providerTypeMismatch(let providerId, let providerType, let neededType):
            RPCError(
                .failedPrecondition, "provider \(providerId) is a \(providerType), the request needs a \(neededType)",
                details: [FieldViolation(field: "body.providerId", description: "is not a \(neededType)")])
        case .qualificationUnusable(let qualificationId, let name, let reason, let field):
            Self.unusable(qualificationId, name: name, reason, field: field)
        case .notTheDecider(let requestId):
            RPCError(.permissionDenied, "the partner decides on request \(requestId), not the customer")
        case .notSeekingReplacement(let opportunityId):
            RPCError(
                .failedPrecondition, "opportunity \(opportunityId) is not seeking a replacement",
                details: [
                    FieldViolation(field: "body.replacesOpportunityId", description: "is not seeking a replacement")
                ])
        case .fieldNotPermitted(let field, let role):
            RPCError(
                .permissionDenied, "a \(role.rawValue) may not set \(field)",
                details: [FieldViolation(field: field, description: "is set by the partner")])
        case .unknownCode(let kind, let code, let field):
            RPCError.invalidArgument(
                field: field, "\(code) is not one of the partner's \(kind == .zone ? "zones" : "provider types")")
        case .requestEnded(let requestId):
            RPCError(.failedPrecondition, "request \(requestId) has ended: it cannot be cancelled")
        case .requestUnfilled(let requestId):
            RPCError(
                .failedPrecondition, "request \(requestId) went unfilled when its job started: it cannot be cancelled")
        case .offerWithdrawn(let opportunityId, let reason):
            RPCError(
                .failedPrecondition,
                "the offer of opportunity \(opportunityId) was withdrawn\(reason.map { " (\($0))" } ?? ""): "
                    + "it takes no answer")
        case .notAvailableNow(let action):
            RPCError(.failedPrecondition, "cannot \(action.words) now")
        }
    }

    private static func unusable(_ id: String, name: String, _ reason: UnusableReason, field: String) -> RPCError {
        switch reason {
        case .archived:
            RPCError(
                .failedPrecondition, "qualification \(name) is archived",
                details: [FieldViolation(field: field, description: "\(id) is archived")])
        case .notInZone(let zone):
            RPCError(
                .failedPrecondition, "qualification \(name) is not offered in zone \(zone)",
                details: [FieldViolation(field: field, description: "\(id) is not for zone \(zone)")])
        case .providerTypeExcluded(let type):
            RPCError(
                .failedPrecondition, "qualification \(name) does not apply to provider type \(type)",
                details: [FieldViolation(field: field, description: "\(id) is not for \(type)")])
        }
    }
}
