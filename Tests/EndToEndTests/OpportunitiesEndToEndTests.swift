import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

@Suite("Opportunities end to end: real registry and opportunities through the bus", .serialized)
struct OpportunitiesEndToEndTests {
    @Test func aTeamRequestFromCreationToAssignmentAndBack() async throws {
        let system = try ExecutableSystem()
        defer { Task { await system.shutdown() } }
        try system.startBus()
        try system.start("registry")
        try system.start("opportunities")
        try await system.waitUntilServing("registry")
        try await system.waitUntilServing("opportunities")
        let registry = try system.client("registry")
        let client = try system.client("opportunities")
        defer { registry.close(); client.close() }
        let partner = Actor(role: .partner, partnerId: "agency-1")
        let customer = Actor(role: .customer, partnerId: "agency-1", id: "cu-1")
        func provider(_ id: String) -> Actor { Actor(role: .provider, partnerId: "agency-1", id: id) }

        for id in ["pr-a", "pr-b", "pr-c"] {
            _ = try await registry.call(Registry.upsertProvider, UpsertProviderRequest(id: id, name: id, providerType: "cart"), actor: partner)
        }
        _ = try await registry.call(Registry.upsertCustomer, UpsertCustomerRequest(id: "cu-1", name: "University"), actor: partner)
        let starts = Date().addingTimeInterval(5 * 86_400)
        let request = try await client.call(Opportunities.createRequest, CreateRequestRequest(
            customerId: "cu-1", providerType: "cart", startsAt: starts, endsAt: starts.addingTimeInterval(7200), teamSize: 2), actor: customer).request

        var opportunities: [String: Opportunity] = [:]
        for id in ["pr-a", "pr-b", "pr-c"] {
            let offered = try await client.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: id), actor: partner).opportunity
            opportunities[id] = try await client.call(Opportunities.respond, RespondRequest(opportunityId: offered.id, interested: true), actor: provider(id)).opportunity
        }
        #expect(opportunities.values.allSatisfy { $0.state == .pending })
        let a = try await client.call(Opportunities.decide, DecideRequest(opportunityId: opportunities["pr-a"]!.id, assign: true), actor: partner).opportunity
        let b = try await client.call(Opportunities.decide, DecideRequest(opportunityId: opportunities["pr-b"]!.id, assign: true), actor: partner).opportunity
        #expect(a.state == .contingent && b.state == .assigned)
        var view = try await client.call(Opportunities.getRequest, IdRequest(id: request.id), actor: customer)
        #expect(view.request.status == .filled)
        #expect(view.opportunities.filter { $0.state == .assigned }.count == 2)

        // The customer asks to replace pr-a: pr-a keeps seeing ASSIGNED, the partner sees why.
        _ = try await client.call(Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: a.id), actor: customer)
        #expect(try await client.call(Opportunities.getOpportunity, IdRequest(id: a.id), actor: provider("pr-a")).opportunity.state == .assigned)
        let seen = try await client.call(Opportunities.getOpportunity, IdRequest(id: a.id), actor: partner).opportunity
        #expect(seen.state == .replacementSought && seen.replacementSoughtBy == "customer")
        _ = try await client.call(Opportunities.decide, DecideRequest(opportunityId: opportunities["pr-c"]!.id, assign: true), actor: partner)
        view = try await client.call(Opportunities.getRequest, IdRequest(id: request.id), actor: partner)
        #expect(Dictionary(uniqueKeysWithValues: view.opportunities.map { ($0.providerId, $0.state) }) == ["pr-a": .cancelled, "pr-b": .assigned, "pr-c": .assigned])

        let types = try await client.readEvents("opportunities", afterSeq: 0, limit: 1000).events.map(\.type)
        #expect(types.first == "request.created")
        #expect(types.contains("request.filled") && types.contains("replacement.sought"))
        #expect(types.filter { $0 == "opportunity.changed" }.count >= 10)
        #expect(await system.terminate("opportunities") == 0)
    }
}
