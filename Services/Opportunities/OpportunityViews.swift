import Contracts
import Foundation
import GRDB
import Transport
import Wire

// What a caller sees, read from the store: every reply goes through here, so masking holds in
// all of them (`OpportunityMasking` holds the rules).

/// An opportunity a caller acts on: the record, its request, and what the caller sees of it.
struct SeenOpportunity {
    var opportunity: Opportunity
    var request: RequestRecord
    /// The opportunity as the caller sees it (its state, version and history may differ).
    var view: Opportunity
}

extension OpportunitiesQueries {
    /// The opportunity `id` as `caller` sees it. `NOT_FOUND` naming `field` when it is not the
    /// caller's own, or when it is an offer the caller may not know about, exactly as for an
    /// unknown id.
    func seen(_ id: String, by caller: CallerContext, field: String) throws -> SeenOpportunity {
        let (opportunity, request) = try opportunityAndRequest(id, field: field)
        try caller.requireOwn(opportunity, on: request, field: field)
        if caller.role == .customer, opportunity.offeredForReplacement == true {
            let visible = OpportunityMasking.visible(
                try opportunities(onRequest: request.id), for: caller.role, decider: request.decision.decider,
                decided: try declinedByCustomer([id]))
            guard visible.contains(where: { $0.id == id }) else {
                throw OpportunitiesError.notFound(kind: "opportunity", id: id, field: field)
            }
        }
        return SeenOpportunity(
            opportunity: opportunity, request: request, view: try view(opportunity, on: request, for: caller.role))
    }

    /// Which of these opportunities a customer turned down, deciding on its interest.
    func declinedByCustomer(_ opportunityIds: [String]) throws -> Set<String> {
        guard !opportunityIds.isEmpty else { return [] }
        let rows = try TransitionRow.all().inTenant(partnerId).ofOpportunities(opportunityIds)
            .filter(Column("action") == OpportunityAction.decideDecline.rawValue)
            .filter(Column("actorRole") == Actor.Role.customer.rawValue).fetchAll(db)
        return Set(rows.map(\.opportunityId))
    }

    /// `opportunity` as `viewer` sees it now.
    func view(_ opportunity: Opportunity, on request: RequestRecord, for viewer: Actor.Role) throws -> Opportunity {
        guard viewer == .customer || viewer == .provider else { return opportunity }
        return OpportunityMasking.view(
            opportunity, history: try history(of: opportunity.id), decider: request.decision.decider, for: viewer)
    }

    /// The opportunities `viewer` may see among `opportunities` (of any requests, in their
    /// order), each as it sees it. Which offers a customer may see depends on everything on their
    /// request, so those are read too.
    func views(_ opportunities: [Opportunity], for viewer: Actor.Role) throws -> [Opportunity] {
        guard viewer == .customer || viewer == .provider, !opportunities.isEmpty else { return opportunities }
        let requestIds = Set(opportunities.map(\.requestId))
        let requests = Dictionary(
            uniqueKeysWithValues: try RequestRecord.all().inTenant(partnerId).withIds(requestIds).fetchAll(db).map {
                ($0.id, $0)
            })
        var shown = Set(opportunities.map(\.id))
        if viewer == .customer {
            let all = try Opportunity.all().inTenant(partnerId).onRequests(requestIds).fetchAll(db)
            let decided = try declinedByCustomer(all.filter { $0.state == .declined }.map(\.id))
            let visible = Dictionary(grouping: all, by: \.requestId).flatMap { requestId, onRequest in
                OpportunityMasking.visible(
                    onRequest, for: viewer, decider: requests[requestId]?.decision.decider ?? .partner,
                    decided: decided)
            }
            shown.formIntersection(visible.map(\.id))
        }
        let histories = Dictionary(
            grouping: try TransitionRow.all().inTenant(partnerId).ofOpportunities(shown).inSequence().fetchAll(db),
            by: \.opportunityId)
        return opportunities.filter { shown.contains($0.id) }.compactMap { opportunity in
            guard let request = requests[opportunity.requestId] else { return nil }
            return OpportunityMasking.view(
                opportunity, history: histories[opportunity.id] ?? [], decider: request.decision.decider, for: viewer)
        }
    }
}
