import Contracts
import Foundation
import Transport
import Wire

// What broadcast reads from opportunities' events (docs/design.md, "Contacts"):
// `Offer` takes the attempt's id and answers whether it created the opportunity
// (`OfferRequest.attemptId`, `OpportunityReply.created`); the service's `Offer` on a DECLINED
// opportunity offers it again (recycling); `opportunity.changed` carries the attempt's id and a
// provider's `doNotContact` (`OpportunityChanged`). Broadcast calls the contract's own `Offer`;
// `OpportunityChange` is its view of the event, the fields it needs, every new one optional so
// events written before opportunities had them still read.

/// `opportunity.changed` (and `replacement.sought`) as broadcast reads it: the fields of
/// `OpportunityChanged` it needs.
struct OpportunityChange: Codable, Sendable, Equatable {
    var opportunityId: String
    var requestId: String
    var providerId: String
    var from: OpportunityState?
    var to: OpportunityState
    var action: String
    var actorRole: String
    /// The attempt the answer is to (absent from older events: the provider's latest contact is taken).
    var attemptId: String?
    /// The provider asked never to be contacted again.
    var doNotContact: Bool?
    /// `partner` when the partner recorded the answer for the provider (absent from older events).
    var recordedBy: String?

    /// Who gave the answer, as an attempt's `dispositionBy` says it.
    var answeredBy: String { recordedBy == "partner" || actorRole == "partner" ? "partner" : "provider" }

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
