import Contracts
import Foundation
import Transport
import Wire

// What broadcast sends to and reads from opportunities beyond today's contract (issue 10, "What
// opportunities must add"), as optional fields: `Offer` gets the attempt's id and may answer
// whether it created the opportunity; `opportunity.changed` may carry the attempt's id and a
// provider's `doNotContact`. Opportunities ignores unknown fields and leaves the new ones out
// today, so broadcast works either way; once the opportunities contract has them, these views
// give way to its own types.

/// `opportunities.Offer`'s body with the attempt it belongs to.
struct OfferForAttempt: Codable, Sendable, Equatable {
    var requestId: String
    var providerId: String
    var attemptId: String
}

/// `opportunities.Offer`'s reply, with whether this call created the opportunity (absent today).
struct OfferOutcome: Codable, Sendable, Equatable {
    var opportunity: Opportunity
    var created: Bool?
}

extension OpportunitiesClient {
    /// `opportunities.Offer` for one contact attempt; idempotent per (request, provider).
    func offer(forAttempt body: OfferForAttempt) async throws(RPCError) -> OfferOutcome {
        try await caller.call(OpportunitiesBridge.offer, body)
    }
}

enum OpportunitiesBridge {
    /// The same method as `Opportunities.offer`, with broadcast's view of its body and reply.
    static let offer = MethodDescriptor<OfferForAttempt, OfferOutcome>(
        Opportunities.offer.name, idempotent: true, roles: Opportunities.offer.roles,
        summary: Opportunities.offer.summary, request: Opportunities.offer.requestSchema,
        response: Opportunities.offer.responseSchema)
}

/// `opportunity.changed` (and `replacement.sought`) as broadcast reads it.
struct OpportunityChange: Codable, Sendable, Equatable {
    var opportunityId: String
    var requestId: String
    var providerId: String
    var from: OpportunityState?
    var to: OpportunityState
    var action: String
    var actorRole: String
    /// The attempt the answer is to (absent today: the provider's latest contact is taken).
    var attemptId: String?
    /// The provider asked never to be contacted again (absent today).
    var doNotContact: Bool?

    /// The provider's own answer to an offer, as a disposition: interest, or a refusal.
    var answer: String? {
        guard from == .offered else { return nil }
        switch (to, action) {
        case (.pending, _): return Dispositions.interested
        case (.declined, "respondDeclined"):
            return doNotContact == true ? Dispositions.doNotContact : Dispositions.declined
        default: return nil
        }
    }
}
