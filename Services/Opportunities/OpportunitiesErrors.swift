import Contracts
import Domain
import Wire

// The service's refusals besides the state machine's (`TransitionError`) and a stale
// `expectedVersion` (`StaleVersion`): small values the router sends as the status they stand for.

/// Every slot of the team is held and no replacement is sought: nobody more can be assigned.
struct TeamComplete: RPCErrorConvertible, Equatable {
    var requestId: String
    var teamSize: Int

    var rpcError: RPCError {
        RPCError(.failedPrecondition, "the team of \(teamSize) is complete: no open slot on request \(requestId)")
    }
}

/// A cancelled request, or a filled one where nobody seeks a replacement, takes no new offers.
struct RequestTakesNoOffers: RPCErrorConvertible, Equatable {
    var requestId: String
    var status: RequestRecord.Status

    var rpcError: RPCError {
        RPCError(.failedPrecondition, "request \(requestId) is \(status.rawValue): it takes no new offers")
    }
}

/// An inactive provider is offered nothing.
struct ProviderInactive: RPCErrorConvertible, Equatable {
    var providerId: String

    var rpcError: RPCError {
        RPCError(
            .failedPrecondition, "provider \(providerId) is inactive: it is offered nothing",
            details: [FieldViolation(field: "body.providerId", description: "is inactive")])
    }
}

/// The job has started: nothing more is offered on it, and a late answer is not taken.
struct JobStarted: RPCErrorConvertible, Equatable {
    var requestId: String

    var rpcError: RPCError {
        RPCError(.failedPrecondition, "the job of request \(requestId) has started: its offers are closed")
    }
}

/// A provider of another type than the request needs.
struct ProviderTypeMismatch: RPCErrorConvertible, Equatable {
    var providerId: String
    var providerType: String
    var neededType: String

    var rpcError: RPCError {
        RPCError(
            .failedPrecondition,
            "provider \(providerId) is a \(providerType), the request needs a \(neededType)",
            details: [FieldViolation(field: "body.providerId", description: "is not a \(neededType)")])
    }
}

/// A qualification a request cannot ask for: archived, or not offered in the request's zone.
struct QualificationUnusable: RPCErrorConvertible, Equatable {
    typealias Reason = CustomerDefaults.Unfit

    var qualificationId: String
    var name: String
    var reason: Reason
    /// The request's field that named it.
    var field: String

    var rpcError: RPCError {
        switch reason {
        case .archived:
            RPCError(
                .failedPrecondition, "qualification \(name) is archived",
                details: [FieldViolation(field: field, description: "\(qualificationId) is archived")])
        case .notInZone(let zone):
            RPCError(
                .failedPrecondition, "qualification \(name) is not offered in zone \(zone)",
                details: [FieldViolation(field: field, description: "\(qualificationId) is not for zone \(zone)")])
        case .providerTypeExcluded(let type):
            RPCError(
                .failedPrecondition, "qualification \(name) does not apply to provider type \(type)",
                details: [FieldViolation(field: field, description: "\(qualificationId) is not for \(type)")])
        }
    }
}

/// A customer deciding on a request whose decider is the partner.
struct NotTheDecider: RPCErrorConvertible, Equatable {
    var requestId: String

    var rpcError: RPCError {
        RPCError(.permissionDenied, "the partner decides on request \(requestId), not the customer")
    }
}

/// A replacement named to replace a member that seeks none (as far as the decider can see).
struct NotSeekingReplacement: RPCErrorConvertible, Equatable {
    var opportunityId: String

    var rpcError: RPCError {
        RPCError(
            .failedPrecondition, "opportunity \(opportunityId) is not seeking a replacement",
            details: [FieldViolation(field: "body.replacesOpportunityId", description: "is not seeking a replacement")])
    }
}

/// A customer setting what only the partner may: the decision policy, or overriding defaults.
struct FieldNotPermitted: RPCErrorConvertible, Equatable {
    var field: String
    var role: Actor.Role

    var rpcError: RPCError {
        RPCError(
            .permissionDenied, "a \(role.rawValue) may not set \(field)",
            details: [FieldViolation(field: field, description: "is set by the partner")])
    }
}

/// A code the partner's vocabulary does not have (a mistyped zone or provider type).
struct UnknownCode: RPCErrorConvertible, Equatable {
    var kind: Vocabulary.Kind
    var code: String
    var field: String

    var rpcError: RPCError {
        RPCError.invalidArgument(
            field: field, "\(code) is not one of the partner's \(kind == .zone ? "zones" : "provider types")")
    }
}

/// A request whose job is over is not cancelled any more.
struct RequestEnded: RPCErrorConvertible, Equatable {
    var requestId: String

    var rpcError: RPCError { RPCError(.failedPrecondition, "request \(requestId) has ended: it cannot be cancelled") }
}

/// An action the caller's masked view (ASSIGNED) would allow but the hidden state does not; the
/// message names no state, so the replacement stays hidden.
struct NotAvailableNow: RPCErrorConvertible, Equatable {
    var action: OpportunityAction

    var rpcError: RPCError { RPCError(.failedPrecondition, "cannot \(action.rawValue) the opportunity now") }
}
