import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

@Suite("Opportunities end to end: real registry and opportunities through the bus", .serialized)
struct OpportunitiesEndToEndTests {
    @Test func aTeamRequestFromCreationToAssignmentAndBack() async throws {
        try await withExecutableSystem(["registry", "opportunities"]) { system in
            let registryRPC = try system.client(Registry.service)
            let rpc = try system.client(Opportunities.service)
            defer {
                registryRPC.close()
                rpc.close()
            }
            // The shared partner; its School has no default qualifications, and Cy is its one
            // `cart` provider: two more make a team of two with someone left to replace one.
            let ready = try await PartnerFixture.build(registryRPC, partnerId: "agency-1")
            let partner = ready.partner
            let school = try #require(ready.customers["School"])
            let customer = Actor(role: .customer, partnerId: "agency-1", id: school.id)
            let registry = RegistryClient(registryRPC, actor: partner)
            var cart = [try #require(ready.providers["Cy"]).id]
            for id in ["pr-b", "pr-c"] {
                cart.append(
                    try await registry.upsertProvider(UpsertProviderRequest(id: id, name: id, providerType: "cart"))
                        .provider.id)
            }
            func opportunities(as actor: Actor) -> OpportunitiesClient { OpportunitiesClient(rpc, actor: actor) }
            func provider(_ id: String) -> Actor { Actor(role: .provider, partnerId: "agency-1", id: id) }

            let starts = Date().addingTimeInterval(5 * 86_400)
            let request = try await opportunities(as: customer).createRequest(
                CreateRequestRequest(
                    customerId: school.id, providerType: "cart", startsAt: starts,
                    endsAt: starts.addingTimeInterval(7200), teamSize: 2)
            ).request

            var interested: [String: Opportunity] = [:]
            // The third is offered once a replacement is sought: filling the team declines the
            // offers still open.
            for id in cart.prefix(2) {
                let offered = try await opportunities(as: partner).offer(
                    OfferRequest(requestId: request.id, providerId: id))
                interested[id] = try await opportunities(as: provider(id)).respond(
                    RespondRequest(opportunityId: offered.opportunity.id, interested: true)
                ).opportunity
            }
            #expect(interested.values.allSatisfy { $0.state == .pending })
            let (first, second, third) = (cart[0], cart[1], cart[2])
            var interestIds = interested.mapValues(\.id)
            let decider = opportunities(as: partner)
            let assign = { (providerId: String) async throws -> Opportunity in
                let decision = DecideRequest(opportunityId: interestIds[providerId] ?? "", assign: true)
                return try await decider.decide(decision).opportunity
            }
            let a = try await assign(first)
            let b = try await assign(second)
            #expect(a.state == .contingent && b.state == .assigned)
            var view = try await opportunities(as: customer).getRequest(IdRequest(id: request.id))
            #expect(view.request.status == .filled)
            #expect(view.opportunities.filter { $0.state == .assigned }.count == 2)

            // The customer asks to replace the first: its provider keeps seeing ASSIGNED, the
            // partner sees why.
            _ = try await opportunities(as: customer).seekReplacement(OpportunityActionRequest(opportunityId: a.id))
            let seenByProvider = try await opportunities(as: provider(first)).getOpportunity(IdRequest(id: a.id))
            #expect(seenByProvider.opportunity.state == .assigned)
            let seen = try await opportunities(as: partner).getOpportunity(IdRequest(id: a.id)).opportunity
            #expect(seen.state == .replacementSought && seen.replacementSoughtBy == "customer")
            let offered = try await opportunities(as: partner).offer(
                OfferRequest(requestId: request.id, providerId: third))
            #expect(offered.opportunity.offeredForReplacement == true && offered.created == true)
            interestIds[third] =
                try await opportunities(as: provider(third)).respond(
                    RespondRequest(opportunityId: offered.opportunity.id, interested: true)
                ).opportunity.id
            _ = try await assign(third)
            view = try await opportunities(as: partner).getRequest(IdRequest(id: request.id))
            let states = Dictionary(uniqueKeysWithValues: view.opportunities.map { ($0.providerId, $0.state) })
            #expect(states == [first: .cancelled, second: .assigned, third: .assigned])

            let types = try await rpc.readEvents("opportunities", afterSeq: 0, limit: 1000).events.map(\.type)
            #expect(types.first == "request.created")
            #expect(types.contains("request.filled") && types.contains("replacement.sought"))
            #expect(types.filter { $0 == "opportunity.changed" }.count >= 10)
            #expect(await system.terminate("opportunities") == 0)
        }
    }
}
