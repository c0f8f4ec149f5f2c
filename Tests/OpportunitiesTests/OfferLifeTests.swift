import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// What broadcast needs of opportunities: offers name their contact attempt, the service re-offers a
/// declined provider, and offers have a life (declined when the request fills, is cancelled or
/// its job starts), all through the public methods.
@Suite("Opportunities: offers for broadcast", .serialized)
struct OfferLifeTests {
    typealias Fixture = OpportunitiesFixture

    static func decode<T: Decodable>(_ type: T.Type, _ event: Event) throws -> T {
        try WireCoding.decode(type, from: try WireCoding.encode(event.data))
    }

    @Test func offerNamesItsAttemptSaysWhetherItCreatedAndRefusesWhatCannotBeOffered() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let offer = OfferRequest(requestId: request.id, providerId: "pr-1", attemptId: "at-1")
            let first = try await f.call(Opportunities.offer, offer, as: Fixture.service)
            #expect(first.created == true && first.opportunity.state == .offered)
            let again = try await f.call(Opportunities.offer, offer, as: Fixture.service)
            #expect(again.created == false && again.opportunity == first.opportunity)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: first.opportunity.id))
            #expect(history.transitions.map(\.attemptId) == ["at-1"])

            // An inactive provider is offered nothing.
            _ = try await RegistryClient(f.registryRPC, actor: f.partner).upsertProvider(
                UpsertProviderRequest(id: "pr-2", name: "pr-2", providerType: "asl", active: false))
            let inactive = await #expect(throws: RPCError.self) {
                try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"))
            }
            #expect(inactive?.code == .failedPrecondition && inactive?.message.contains("inactive") == true)

            // A cancelled request takes no offers, saying why.
            let cancelled = try await f.request()
            _ = try await f.call(Opportunities.cancelRequest, CancelRequestRequest(id: cancelled.id))
            let refused = await #expect(throws: RPCError.self) {
                try await f.call(Opportunities.offer, OfferRequest(requestId: cancelled.id, providerId: "pr-3"))
            }
            #expect(refused?.code == .failedPrecondition && refused?.message.contains("cancelled") == true)

            // Nor does a started job.
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(60))
            let started = await #expect(throws: RPCError.self) {
                try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-4"))
            }
            #expect(started?.code == .failedPrecondition && started?.message.contains("started") == true)
        }
    }

    @Test func theServiceReoffersADeclinedProviderRecordingTheAttempt() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let offered = try await f.call(
                Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1", attemptId: "at-1"),
                as: Fixture.service)
            let id = offered.opportunity.id
            _ = try await f.call(
                Opportunities.respond, RespondRequest(opportunityId: id, interested: false, attemptId: "at-1"),
                as: Fixture.provider("pr-1"))
            #expect(try await f.state(id) == .declined)
            // The partner's Offer leaves a declined opportunity as it is.
            let partners = try await f.call(
                Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            #expect(partners.opportunity.state == .declined && partners.created == false)
            // The service's (recycling) offers it again.
            let recycled = try await f.call(
                Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1", attemptId: "at-2"),
                as: Fixture.service)
            #expect(recycled.opportunity.id == id && recycled.opportunity.state == .offered)
            #expect(recycled.created == false)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: id)).transitions
            #expect(history.map(\.action) == ["offer", "respondDeclined", "reoffer"])
            #expect(history.map(\.attemptId) == ["at-1", "at-1", "at-2"])
            #expect(history.last?.from == .declined && history.last?.to == .offered)
            // And the provider can answer the new offer.
            let interest = try await f.call(
                Opportunities.respond, RespondRequest(opportunityId: id, interested: true, attemptId: "at-2"),
                as: Fixture.provider("pr-1"))
            #expect(interest.opportunity.state == .pending)
        }
    }

    @Test func fillingDeclinesTheOpenOffersAndPendingInterestInTheSameChange() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 1)
            let silent = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            let waiting = try await f.interested(request, "pr-2")
            // A late answer is still taken while the request is open and the job has not started.
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-3600))
            let chosen = try await f.interested(request, "pr-3")
            #expect(try await f.assign(chosen).state == .assigned)
            #expect(try await f.state(silent.opportunity.id) == .declined)
            #expect(try await f.state(waiting.id) == .declined)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: silent.opportunity.id))
            #expect(history.transitions.last?.reason == "the request is filled")
            let late = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.respond, RespondRequest(opportunityId: silent.opportunity.id, interested: true),
                    as: Fixture.provider("pr-1"))
            }
            #expect(late?.code == .failedPrecondition)
            // The declines and the fill are one change: the events carry the reason and the slots.
            let changes = try await f.events("opportunity.changed").map { try Self.decode(OpportunityChanged.self, $0) }
            let closed = changes.filter { $0.action == "withdrawForRequest" }
            #expect(Set(closed.map(\.providerId)) == ["pr-1", "pr-2"])
            #expect(closed.allSatisfy { $0.reason == "the request is filled" && $0.to == .declined })
            let filled = try #require(try await f.events("request.filled").first)
            let data = try Self.decode(RequestChanged.self, filled)
            #expect(data.teamSize == 1 && data.slotsHeld == 1 && data.slotsOpen == 0)
            // A reader of the plain record still reads it.
            #expect(try Self.decode(RequestRecord.self, filled).status == .filled)
        }
    }

    @Test func cancellingOrStartingDeclinesTheOpenOffers() async throws {
        try await Fixture.run { f in
            let cancelled = try await f.request()
            let offered = try await f.call(
                Opportunities.offer, OfferRequest(requestId: cancelled.id, providerId: "pr-1"))
            _ = try await f.call(Opportunities.cancelRequest, CancelRequestRequest(id: cancelled.id, reason: "no need"))
            #expect(try await f.state(offered.opportunity.id) == .declined)

            let request = try await f.request()
            let silent = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"))
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(60))
            let late = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.respond, RespondRequest(opportunityId: silent.opportunity.id, interested: true),
                    as: Fixture.provider("pr-2"))
            }
            #expect(late?.code == .failedPrecondition && late?.message.contains("started") == true)
            #expect(try await f.state(silent.opportunity.id) == .declined)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: silent.opportunity.id))
            #expect(history.transitions.last?.reason == "the job has started")
        }
    }

    /// The start timer declines the open offers at the start, with no call touching the request.
    @Test func theJobsStartTimerDeclinesTheOpenOffers() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let silent = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            let waiting = try await f.interested(request, "pr-2")
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-1))
            #expect(try await f.state(silent.opportunity.id) == .offered)
            try await f.clock.set(Fixture.jobStart)
            #expect(try await f.state(silent.opportunity.id) == .declined)
            #expect(try await f.state(waiting.id) == .declined)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: waiting.id))
            #expect(history.transitions.last?.reason == "the job has started")
        }
    }

    @Test func answersCarryTheAttemptAndDoNotContactAndReopeningSaysWhy() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 1)
            let offered = try await f.call(
                Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1", attemptId: "at-1"),
                as: Fixture.service)
            let invalid = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.respond,
                    RespondRequest(opportunityId: offered.opportunity.id, interested: true, doNotContact: true),
                    as: Fixture.provider("pr-1"))
            }
            #expect(invalid?.code == .invalidArgument)
            _ = try await f.call(
                Opportunities.respond,
                RespondRequest(
                    opportunityId: offered.opportunity.id, interested: false, attemptId: "at-1", doNotContact: true),
                as: Fixture.provider("pr-1"))
            let changes = try await f.events("opportunity.changed").map { try Self.decode(OpportunityChanged.self, $0) }
            let answer = try #require(changes.last)
            #expect(answer.action == "respondDeclined" && answer.attemptId == "at-1" && answer.doNotContact == true)
            #expect(changes.first?.attemptId == "at-1" && changes.first?.doNotContact == nil)

            let member = try await f.assign(try await f.interested(request, "pr-2"))
            _ = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: member.id, reason: "sick"),
                as: Fixture.provider("pr-2"))
            let reopened = try #require(try await f.events("request.reopened").first)
            let data = try Self.decode(RequestChanged.self, reopened)
            #expect(data.slotsHeld == 0 && data.slotsOpen == 1 && data.teamSize == 1)
            #expect(data.reopenReason == "cancelled by provider" && data.reopenedByProviderId == "pr-2")
            let created = try Self.decode(
                RequestChanged.self, try #require(try await f.events("request.created").first))
            #expect(created.slotsHeld == 0 && created.slotsOpen == 1)
        }
    }
}
