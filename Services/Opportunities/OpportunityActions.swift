import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

// The actions of `OpportunitiesOpportunityHandling` that only move one opportunity: no-shows, and
// seeking and withdrawing replacements. The caller acts on what it sees: a party that does not
// know about the other's search gets exactly the answer it would get were nothing sought.

extension OpportunityHandlers {
    /// Records that an assigned provider (seeking a replacement or not) did not appear, after the
    /// start only.
    func markNoShow(_ request: OpportunityActionRequest, _ context: CallerContext) async throws -> OpportunityReply {
        try await act(.markNoShow, request, context)
    }

    /// The assigned provider or the customer asks for a replacement. When the other party already
    /// seeks one unbeknown to the caller, the caller joins that search: its answer is the one a
    /// plain ASSIGNED gives, and the search stands until both have withdrawn.
    func seekReplacement(
        _ request: OpportunityActionRequest, _ context: CallerContext
    ) async throws -> OpportunityReply {
        try await act(.seekReplacement, request, context)
    }

    /// Takes a replacement request back; only a seeker (or the partner, for everyone) may. A
    /// seeker that leaves while the other still seeks leaves the search running for the other.
    func withdrawReplacement(
        _ request: OpportunityActionRequest, _ context: CallerContext
    ) async throws -> OpportunityReply {
        try await act(.withdrawReplacement, request, context)
    }

    /// One action on one opportunity, judged on the caller's view of it first.
    private func act(
        _ action: OpportunityAction, _ request: OpportunityActionRequest, _ context: CallerContext
    ) async throws -> OpportunityReply {
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            let seen = try writer.seen(request.opportunityId, by: context, field: "body.opportunityId")
            var (opportunity, record) = (seen.opportunity, seen.request)
            try seen.requireVersion(request.expectedVersion)
            let facts = TransitionFacts(
                started: now >= record.startsAt, ended: now >= record.endsAt, teamOpen: record.status == .open)
            // Refused exactly as the caller's view would be, so a hidden state never shows.
            _ = try OpportunityStateMachine.next(seen.view.state, action, role: context.role, facts: facts).get()
            let seekers = OpportunityMasking.seekers(of: opportunity)
            let hidden = seen.view.state != opportunity.state
            switch action {
            case .seekReplacement where hidden,
                .withdrawReplacement where context.role != .partner && seekers.count > 1:
                try writer.changeSeekers(
                    &opportunity, on: record, action: action, by: context.actor, reason: request.reason, at: now)
            default:
                try writer.move(
                    &opportunity, on: record, action: action, by: context.actor, facts: facts, reason: request.reason,
                    at: now)
            }
            return OpportunityReply(opportunity: try writer.view(opportunity, on: record, for: context.role))
        }
    }
}

extension CallerContext {
    /// The one "only yourself" rule for an opportunity: a provider's own, or one on a customer's
    /// own request; anyone else gets `NOT_FOUND`, as for an unknown id.
    func requireOwn(_ opportunity: Opportunity, on request: RequestRecord, field: String) throws(RPCError) {
        try requireOwn(
            providerId: opportunity.providerId, customerId: request.customerId, kind: "opportunity",
            id: opportunity.id, field: field)
    }
}

extension Opportunity {
    /// Throws `StaleVersion` when the caller expected another version (someone changed it first).
    func requireVersion(_ expected: Int?) throws(StaleVersion) {
        try StaleVersion.check(expected, actual: version, kind: "opportunity", id: id)
    }
}

extension SeenOpportunity {
    /// Throws `StaleVersion` when the caller expected another version than the one it sees.
    func requireVersion(_ expected: Int?) throws(StaleVersion) {
        try StaleVersion.check(expected, actual: view.version, kind: "opportunity", id: opportunity.id)
    }
}

extension OpportunitiesQueries {
    /// Refuses, in the domain's words, an answer to an offer that was withdrawn: by the partner
    /// (a final disposition), or with its request (filled, cancelled, the job started).
    func requireNotWithdrawn(_ opportunity: Opportunity) throws {
        guard opportunity.state == .declined else { return }
        let withdrawals = [OpportunityAction.withdrawOffer.rawValue, OpportunityAction.withdrawForRequest.rawValue]
        guard let last = try history(of: opportunity.id).last, withdrawals.contains(last.action) else { return }
        throw OpportunitiesError.offerWithdrawn(opportunityId: opportunity.id, reason: last.reason)
    }
}
