import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// What an answer to an offer keeps, through the bus: the provider's quote exactly as given, and
/// an answer the partner records for the provider, with how it heard it (docs/design.md,
/// "Decision policies").
@Suite("Opportunities: quotes and recorded answers", .serialized)
struct AnswerRecordTests {
    typealias Fixture = OpportunitiesFixture

    static func changes(_ f: Fixture) async throws -> [OpportunityChanged] {
        try await f.events(Opportunities.EventType.opportunityChanged).map {
            try WireCoding.decode(OpportunityChanged.self, from: try WireCoding.encode($0.data))
        }
    }

    @Test func aQuoteIsKeptExactlyInTheReplyTheOpportunityTheHistoryAndTheEvent() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 3)
            let quotes = [
                "pr-1": Quote(amount: 120, currency: "USD", per: .hour, note: "evening rate"),
                "pr-2": Quote(amount: 95.5, currency: "EUR", per: .job),
            ]
            var ids: [String: String] = [:]
            for (provider, quote) in quotes.sorted(by: { $0.key < $1.key }) {
                let offered = try await f.call(
                    Opportunities.offer, OfferRequest(requestId: request.id, providerId: provider)
                ).opportunity
                ids[provider] = offered.id
                let reply = try await f.call(
                    Opportunities.respond, RespondRequest(opportunityId: offered.id, interested: true, quote: quote),
                    as: Fixture.provider(provider)
                ).opportunity
                #expect(reply.quote == quote)
                for actor in [f.partner, f.customer, Fixture.provider(provider)] {
                    let read = try await f.call(Opportunities.getOpportunity, IdRequest(id: offered.id), as: actor)
                    #expect(read.opportunity.quote == quote, "\(actor.role)")
                }
                let history = try await f.call(Opportunities.history, HistoryRequest(id: offered.id)).transitions
                #expect(history.last?.action == "respondInterested" && history.last?.quote == quote)
            }
            let answered = try await Self.changes(f).filter { $0.action == "respondInterested" }
            #expect(answered.map(\.quote) == [quotes["pr-1"], quotes["pr-2"]])

            // On the wire, as sent: 120 stays the number 120, 95.5 stays 95.5 (not true or false).
            let rpc = f.client
            for (provider, amount) in [("pr-1", JSONValue.integer(120)), ("pr-2", .number(95.5))] {
                let reply = try await rpc.callJSON(
                    method: Opportunities.getOpportunity.name, body: .object(["id": .string(ids[provider]!)]),
                    actor: f.partner, options: .patient(retry: .none))
                #expect(reply["opportunity"]?["quote"]?["amount"] == amount)
                #expect(reply["opportunity"]?["quote"]?["per"] == .string(quotes[provider]!.per.rawValue))
            }

            // A malformed quote is refused, naming the field, and changes nothing.
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-3"))
                .opportunity
            let malformed: [(JSONValue, String)] = [
                (.object(["amount": .integer(120)]), "body.quote.currency"),
                (
                    .object(["amount": .integer(120), "currency": .string("usd"), "per": .string("hour")]),
                    "body.quote.currency"
                ),
                (
                    .object(["amount": .integer(120), "currency": .string("US"), "per": .string("hour")]),
                    "body.quote.currency"
                ),
                (
                    .object(["amount": .integer(-5), "currency": .string("USD"), "per": .string("hour")]),
                    "body.quote.amount"
                ),
                (
                    .object(["amount": .integer(120), "currency": .string("USD"), "per": .string("day")]),
                    "body.quote.per"
                ),
                (
                    .object(["amount": .string("120"), "currency": .string("USD"), "per": .string("job")]),
                    "body.quote.amount"
                ),
                (.number(95.5), "body.quote"),
            ]
            for (quote, field) in malformed {
                let body = JSONValue.object([
                    "opportunityId": .string(offered.id), "interested": .bool(true), "quote": quote,
                ])
                let error = await #expect(throws: RPCError.self, "\(quote)") {
                    try await rpc.callJSON(
                        method: Opportunities.respond.name, body: body, actor: Fixture.provider("pr-3"),
                        options: .patient(retry: .none))
                }
                #expect(error?.code == .invalidArgument, "\(quote)")
                #expect(error?.details.map(\.field) == [field], "\(quote): \(String(describing: error))")
            }
            #expect(try await f.state(offered.id) == .offered)
        }
    }

    @Test func thePartnerRecordsAProvidersAnswerAndHowItHeardIt() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let first = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
                .opportunity
            let second = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"))
                .opportunity
            let quote = Quote(amount: 80, currency: "USD", per: .hour)
            let interest = try await f.call(
                Opportunities.respond,
                RespondRequest(
                    opportunityId: first.id, interested: true, quote: quote, attemptId: "at-9", recordedVia: "phone"))
            #expect(interest.opportunity.state == .pending && interest.opportunity.quote == quote)
            let refusal = try await f.call(
                Opportunities.respond,
                RespondRequest(opportunityId: second.id, interested: false, doNotContact: true, recordedVia: "email"))
            #expect(refusal.opportunity.state == .declined)

            let recorded = try await f.call(Opportunities.history, HistoryRequest(id: first.id)).transitions.last
            #expect(recorded?.action == "respondInterested" && recorded?.actorRole == "partner")
            #expect(recorded?.recordedBy == "partner" && recorded?.recordedVia == "phone")
            #expect(recorded?.attemptId == "at-9" && recorded?.quote == quote)
            // The provider sees who recorded its answer, and how.
            let seen = try await f.call(
                Opportunities.history, HistoryRequest(id: first.id), as: Fixture.provider("pr-1")
            ).transitions.last
            #expect(seen?.recordedBy == "partner" && seen?.recordedVia == "phone")
            let events = try await Self.changes(f).filter { $0.from == .offered }
            #expect(events.map(\.recordedBy) == ["partner", "partner"])
            #expect(events.map(\.recordedVia) == ["phone", "email"])
            #expect(events.last?.doNotContact == true)

            // A provider's own answer says nothing of who recorded it.
            let third = try await f.interested(request, "pr-3")
            let own = try await f.call(Opportunities.history, HistoryRequest(id: third.id)).transitions.last
            #expect(own?.actorRole == "provider" && own?.recordedBy == nil && own?.recordedVia == nil)
            // Only an open offer is answered, by the partner as by the provider.
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(
                    Opportunities.respond, RespondRequest(opportunityId: first.id, interested: false))
            }
        }
    }

    @Test func aWithdrawnOfferIsDeclinedWithItsReasonAndRefusesALaterAnswer() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
                .opportunity
            let pending = try await f.interested(request, "pr-2")
            for (opportunity, reason) in [(offered, "DO_NOT_CONTACT"), (pending, "MOVED_AWAY")] {
                let withdrawn = try await f.call(
                    Opportunities.withdrawOffer,
                    WithdrawOfferRequest(opportunityId: opportunity.id, reason: reason, attemptId: "at-1"))
                #expect(withdrawn.opportunity.state == .declined)
                let last = try await f.call(Opportunities.history, HistoryRequest(id: opportunity.id)).transitions.last
                #expect(last?.action == "withdrawOffer" && last?.reason == reason && last?.attemptId == "at-1")
            }
            let events = try await Self.changes(f).filter { $0.action == "withdrawOffer" }
            #expect(events.map(\.reason) == ["DO_NOT_CONTACT", "MOVED_AWAY"])
            let error = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.respond, RespondRequest(opportunityId: offered.id, interested: true),
                    as: Fixture.provider("pr-1"))
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("withdrawn (DO_NOT_CONTACT)") == true)
            // Nothing is open to withdraw any more.
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(
                    Opportunities.withdrawOffer, WithdrawOfferRequest(opportunityId: offered.id, reason: "again"))
            }
        }
    }
}
