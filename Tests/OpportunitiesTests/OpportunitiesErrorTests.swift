import Contracts
import Testing
import Wire

@testable import OpportunitiesService

/// Each domain error's wire form: the status code, message and named field callers see.
@Suite("Opportunities errors on the wire")
struct OpportunitiesErrorTests {
    static let table: [(OpportunitiesError, StatusCode, String, String?)] = [
        (
            .notFound(kind: "opportunity", id: "op-1", field: "body.id"), .notFound, "opportunity op-1 not found",
            "body.id"
        ),
        (
            .invalidField("body.limit", "must be from 1 to 1000"), .invalidArgument,
            "body.limit: must be from 1 to 1000",
            "body.limit"
        ),
        (
            .teamComplete(requestId: "rq-1", teamSize: 2), .failedPrecondition,
            "the team of 2 is complete: no open slot on request rq-1", nil
        ),
        (
            .requestTakesNoOffers(requestId: "rq-1", status: .cancelled), .failedPrecondition,
            "request rq-1 is cancelled: it takes no new offers", nil
        ),
        (
            .providerInactive(providerId: "pr-1"), .failedPrecondition,
            "provider pr-1 is inactive: it is offered nothing",
            "body.providerId"
        ),
        (
            .jobStarted(requestId: "rq-1"), .failedPrecondition,
            "the job of request rq-1 has started: its offers are closed", nil
        ),
        (
            .providerTypeMismatch(providerId: "pr-1", providerType: "cart", neededType: "asl"), .failedPrecondition,
            "provider pr-1 is a cart, the request needs a asl", "body.providerId"
        ),
        (
            .qualificationUnusable(qualificationId: "q-1", name: "Cert", reason: .notInZone("IL"), field: "body.x"),
            .failedPrecondition, "qualification Cert is not offered in zone IL", "body.x"
        ),
        (
            .notTheDecider(requestId: "rq-1"), .permissionDenied,
            "the partner decides on request rq-1, not the customer",
            nil
        ),
        (
            .notSeekingReplacement(opportunityId: "op-1"), .failedPrecondition,
            "opportunity op-1 is not seeking a replacement", "body.replacesOpportunityId"
        ),
        (
            .fieldNotPermitted(field: "body.decision", role: .customer), .permissionDenied,
            "a customer may not set body.decision", "body.decision"
        ),
        (
            .unknownCode(kind: .zone, code: "XX", field: "body.zone"), .invalidArgument,
            "body.zone: XX is not one of the partner's zones", "body.zone"
        ),
        (.requestEnded(requestId: "rq-1"), .failedPrecondition, "request rq-1 has ended: it cannot be cancelled", nil),
        (.notAvailableNow(action: .cancel), .failedPrecondition, "cannot cancel the provider's place now", nil),
        (
            .requestUnfilled(requestId: "rq-1"), .failedPrecondition,
            "request rq-1 went unfilled when its job started: it cannot be cancelled", nil
        ),
        (
            .offerWithdrawn(opportunityId: "op-1", reason: "DO_NOT_CONTACT"), .failedPrecondition,
            "the offer of opportunity op-1 was withdrawn (DO_NOT_CONTACT): it takes no answer", nil
        ),
    ]

    @Test(arguments: table.indices)
    func eachCaseKeepsItsWireForm(_ index: Int) {
        let (error, code, message, field) = Self.table[index]
        #expect(error.rpcError.code == code)
        #expect(error.rpcError.message == message)
        #expect(error.rpcError.details.first?.field == field)
    }
}
