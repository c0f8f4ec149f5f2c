import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Scenarios about replacements: masking in every reply, and members seeking a replacement
/// (docs/design.md, "Replacements" and "Masking").
@Suite("Replacements and masking", .serialized)
struct ReplacementRulesTests {
    typealias Fixture = OpportunitiesFixture

    /// Seeks a replacement for `opportunity` as `actor`.
    static func seek(_ f: Fixture, _ opportunity: Opportunity, as actor: Actor) async throws -> Opportunity {
        try await f.call(
            Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: opportunity.id), as: actor
        ).opportunity
    }

    // MARK: 11. Masking holds in every reply

    @Test func aCustomerSeekingAReplacementTheProviderAlreadySoughtGetsThePlainAssignedAnswer() async throws {
        try await Fixture.run { f in
            // What a plain ASSIGNED answers the customer.
            let plainRequest = try await f.request()
            let plain = try await f.assign(try await f.interested(plainRequest, "pr-2"))
            let plainAnswer = try await Self.seek(f, plain, as: f.customer)
            #expect(plainAnswer.state == .replacementSought && plainAnswer.replacementSoughtBy == "customer")
            #expect(plainAnswer.version == plain.version + 1)

            // The same, where the provider already seeks a replacement the customer cannot see.
            let request = try await f.request()
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            _ = try await Self.seek(f, assigned, as: Fixture.provider("pr-1"))
            let answer = try await Self.seek(f, assigned, as: f.customer)
            #expect(answer.state == plainAnswer.state && answer.replacementSoughtBy == "customer")
            #expect(answer.version == assigned.version + 1)
            #expect(answer.replacementSeekers == nil)
            // The partner sees both; the provider still sees only its own request.
            let partners = try await f.call(Opportunities.getOpportunity, IdRequest(id: assigned.id)).opportunity
            #expect(Set(partners.replacementSeekers ?? []) == ["provider", "customer"])
            let providers = try await f.call(
                Opportunities.getOpportunity, IdRequest(id: assigned.id), as: Fixture.provider("pr-1")
            ).opportunity
            #expect(providers.replacementSoughtBy == "provider" && providers.replacementSeekers == nil)
            // The provider withdraws its own: the customer's request stands.
            let withdrawn = try await f.call(
                Opportunities.withdrawReplacement, OpportunityActionRequest(opportunityId: assigned.id),
                as: Fixture.provider("pr-1")
            ).opportunity
            #expect(withdrawn.state == .assigned)
            #expect(try await f.state(assigned.id, as: f.customer) == .replacementSought)
        }
    }

    @Test func aCustomerWithdrawingAReplacementOnlyTheProviderSoughtGetsThePlainAssignedAnswer() async throws {
        try await Fixture.run { f in
            let plainRequest = try await f.request()
            let plain = try await f.assign(try await f.interested(plainRequest, "pr-2"))
            let plainError = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.withdrawReplacement, OpportunityActionRequest(opportunityId: plain.id),
                    as: f.customer)
            }
            let request = try await f.request()
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            _ = try await Self.seek(f, assigned, as: Fixture.provider("pr-1"))
            let error = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.withdrawReplacement, OpportunityActionRequest(opportunityId: assigned.id),
                    as: f.customer)
            }
            #expect(error?.code == plainError?.code)
            #expect(error?.message == plainError?.message)
            #expect(error?.details == plainError?.details)
        }
    }

    @Test func versionsUpdatedAtAndHistoryDoNotRevealHiddenTransitions() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            let before = try await f.call(Opportunities.getOpportunity, IdRequest(id: assigned.id), as: f.customer)
                .opportunity
            try await f.clock.set(Fixture.start.addingTimeInterval(3600))
            _ = try await Self.seek(f, assigned, as: Fixture.provider("pr-1"))
            _ = try await f.call(
                Opportunities.withdrawReplacement, OpportunityActionRequest(opportunityId: assigned.id),
                as: Fixture.provider("pr-1"))
            _ = try await Self.seek(f, assigned, as: Fixture.provider("pr-1"))
            let after = try await f.call(Opportunities.getOpportunity, IdRequest(id: assigned.id), as: f.customer)
                .opportunity
            #expect(after == before)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: assigned.id), as: f.customer)
            #expect(history.transitions.map(\.seq) == [1, 2, 3])
            #expect(history.transitions.map(\.to) == [.offered, .pending, .assigned])
            let listed = try await f.call(
                Opportunities.getRequest, IdRequest(id: request.id), as: f.customer
            ).opportunities
            #expect(listed == [before])
            // The version the customer sees is the one it may expect.
            let cancelled = try await f.call(
                Opportunities.cancel,
                CancelRequestBody(opportunityId: assigned.id, reason: "not needed", expectedVersion: before.version),
                as: f.customer
            ).opportunity
            #expect(cancelled.state == .cancelled && cancelled.version == before.version + 1)
            let partners = try await f.call(Opportunities.history, HistoryRequest(id: assigned.id)).transitions
            #expect(partners.map(\.seq) == Array(1...7))
        }
    }

    @Test func aCustomerWhoDecidesSeesTheReplacementCandidatesItDecidesOn() async throws {
        try await Fixture.run { f in
            let request = try await f.request(decider: .customer)
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
                .opportunity
            _ = try await f.call(
                Opportunities.respond, RespondRequest(opportunityId: offered.id, interested: true),
                as: Fixture.provider("pr-1"))
            let original = try await f.call(
                Opportunities.decide, DecideRequest(opportunityId: offered.id, assign: true), as: f.customer
            ).opportunity
            _ = try await Self.seek(f, original, as: Fixture.provider("pr-1"))
            // The offers made to replace pr-1 stay hidden while nobody is interested.
            var candidates: [Opportunity] = []
            for provider in ["pr-2", "pr-3"] {
                let offer = try await f.call(
                    Opportunities.offer, OfferRequest(requestId: request.id, providerId: provider)
                ).opportunity
                await #expect(throws: Refused(.notFound)) {
                    try await f.attempt(Opportunities.getOpportunity, IdRequest(id: offer.id), as: f.customer)
                }
                _ = try await f.call(
                    Opportunities.respond, RespondRequest(opportunityId: offer.id, interested: true),
                    as: Fixture.provider(provider))
                candidates.append(offer)
            }
            // Interested, they are candidates the customer decides on: it sees them, and the
            // member being replaced still looks ASSIGNED to it.
            #expect(try await f.state(candidates[0].id, as: f.customer) == .pending)
            let view = try await f.call(Opportunities.getRequest, IdRequest(id: request.id), as: f.customer)
            #expect(Set(view.opportunities.map(\.id)) == Set([original.id] + candidates.map(\.id)))
            #expect(view.opportunities.first { $0.id == original.id }?.state == .assigned)
            let listed = try await f.call(
                Opportunities.listOpportunities, ListOpportunitiesRequest(requestId: request.id), as: f.customer)
            #expect(listed.opportunities.count == 3)
            // It turns one down (still shown to it), and assigns the other in pr-1's place.
            let declined = try await f.call(
                Opportunities.decide, DecideRequest(opportunityId: candidates[1].id, assign: false), as: f.customer)
            #expect(declined.opportunity.state == .declined)
            #expect(try await f.state(candidates[1].id, as: f.customer) == .declined)
            let assigned = try await f.call(
                Opportunities.decide, DecideRequest(opportunityId: candidates[0].id, assign: true), as: f.customer)
            #expect(assigned.opportunity.state == .assigned)
            #expect(try await f.state(original.id, as: f.customer) == .cancelled)
        }
    }

    @Test func offersForASlotReopenedByATeammatesCancellationAreNotHidden() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let first = try await f.assign(try await f.interested(request, "pr-1"))
            _ = try await f.assign(try await f.interested(request, "pr-2"))
            // pr-2 seeks a replacement the customer does not see; meanwhile pr-1 leaves.
            let second = try #require(
                try await f.call(Opportunities.getRequest, IdRequest(id: request.id)).opportunities.first {
                    $0.providerId == "pr-2"
                })
            _ = try await Self.seek(f, second, as: Fixture.provider("pr-2"))
            _ = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: first.id, reason: "sick"),
                as: Fixture.provider("pr-1"))
            // An offer for the open slot is an ordinary one: the customer sees it.
            let offer = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-3"))
            let view = try await f.call(Opportunities.getRequest, IdRequest(id: request.id), as: f.customer)
            #expect(view.opportunities.contains { $0.id == offer.opportunity.id })
            let listed = try await f.call(
                Opportunities.listOpportunities, ListOpportunitiesRequest(requestId: request.id), as: f.customer)
            #expect(listed.opportunities.contains { $0.id == offer.opportunity.id })
            #expect(try await f.state(offer.opportunity.id, as: f.customer) == .offered)
        }
    }

    // MARK: 13. Members seeking a replacement

    @Test func aMemberSeekingAReplacementCanBeMarkedANoShowAfterTheStart() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            _ = try await Self.seek(f, assigned, as: Fixture.provider("pr-1"))
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.markNoShow, OpportunityActionRequest(opportunityId: assigned.id))
            }
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(600))
            let noShow = try await f.call(
                Opportunities.markNoShow, OpportunityActionRequest(opportunityId: assigned.id)
            ).opportunity
            #expect(noShow.state == .noShow)
        }
    }

    @Test func whenTheRequestReopensAMemberSeekingAReplacementKeepsItsSlot() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let first = try await f.assign(try await f.interested(request, "pr-1"))
            let second = try await f.assign(try await f.interested(request, "pr-2"))
            _ = try await Self.seek(f, first, as: Fixture.provider("pr-1"))
            _ = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: second.id, reason: "sick"),
                as: Fixture.provider("pr-2"))
            // pr-1 keeps its slot and its search; to the customer it looks like any member of an open team.
            #expect(try await f.state(first.id) == .replacementSought)
            #expect(try await f.state(first.id, as: f.customer) == .contingent)
            #expect(try await f.call(Opportunities.getRequest, IdRequest(id: request.id)).request.status == .open)
            // The next one assigned takes the open slot and completes the team.
            let third = try await f.assign(try await f.interested(request, "pr-3"))
            #expect(third.state == .assigned)
            #expect(try await f.state(first.id) == .replacementSought)
            #expect(try await f.state(first.id, as: f.customer) == .assigned)
            #expect(try await f.call(Opportunities.getRequest, IdRequest(id: request.id)).request.status == .filled)
            // The one after replaces pr-1.
            let fourth = try await f.assign(try await f.interested(request, "pr-4"))
            #expect(fourth.state == .assigned)
            #expect(try await f.state(first.id) == .cancelled)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: first.id), as: f.customer)
            #expect(
                history.transitions.map(\.to) == [
                    .offered, .pending, .contingent, .assigned, .contingent, .assigned, .cancelled,
                ])
            #expect(history.transitions.map(\.seq) == Array(1...7))
        }
    }

    @Test func withTwoMembersSeekingTheDeciderChoosesWhomAReplacementReplaces() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 3)
            let first = try await f.assign(try await f.interested(request, "pr-1"))
            let second = try await f.assign(try await f.interested(request, "pr-2"))
            let third = try await f.assign(try await f.interested(request, "pr-3"))
            _ = try await Self.seek(f, first, as: Fixture.provider("pr-1"))
            _ = try await Self.seek(f, second, as: Fixture.provider("pr-2"))
            let candidate = try await f.interested(request, "pr-4")
            // A member that seeks nothing cannot be replaced.
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(
                    Opportunities.decide,
                    DecideRequest(opportunityId: candidate.id, assign: true, replacesOpportunityId: third.id))
            }
            let replacement = try await f.call(
                Opportunities.decide,
                DecideRequest(opportunityId: candidate.id, assign: true, replacesOpportunityId: second.id)
            ).opportunity
            #expect(replacement.state == .assigned)
            #expect(try await f.state(second.id) == .cancelled)
            #expect(try await f.state(first.id) == .replacementSought)
        }
    }
}
