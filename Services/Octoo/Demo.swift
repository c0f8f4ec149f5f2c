import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo demo`: the walkthrough, against a running system.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Walk through the running system: health, contracts, events.")

    @OptionGroup var bus: BusOptions
    @Flag(help: "The services run with --manual-clock: the demo moves their clocks too.")
    var manualClock = false

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints())
        defer { clients.close() }
        try await Demo(clients: clients, manualClock: manualClock).run()
    }
}

/// The demo's steps. Each domain issue adds its own scenes after these.
struct Demo {
    let clients: BusClients
    let manualClock: Bool

    func run() async throws {
        say("\n== demo: every service answers the common methods of PROTOCOL §5")
        for service in BusEndpoints.services {
            let client = try clients.client(service)
            let health = try await client.health(service)
            let described = try await client.describe(service)
            let events = try await client.readEvents(service, afterSeq: 0, limit: 1)
            say(
                "\(service): \(health.status.rawValue), protocol v\(described.protocolVersion), \(described.methods.count) methods (\(described.methods.map(\.name).joined(separator: ", "))), events so far: \(events.lastSeq)"
            )
        }
        say("\n== demo: bad input gets a clear error and changes nothing")
        do {
            _ = try await clients.client("registry").callJSON(
                method: "registry.ReadEvents", body: .object(["limit": .string("many")]), actor: .system)
        } catch let error as RPCError {
            say("registry.ReadEvents {\"limit\": \"many\"} -> \(error)")
        }
        try await registryAndOpportunities()
        if manualClock {
            say("\n== demo: the clocks are settable (--manual-clock)")
            let target = Date().addingTimeInterval(86_400)
            for service in BusEndpoints.services {
                let reply = try await clients.client(service).setClock(service, to: target)
                say("\(service).SetClock -> \(Timestamp.format(reply.now))")
            }
        }
        say("\n== demo: done")
    }

    /// An agency's day: qualifications backed by documents, a team request, offers, interest,
    /// decisions, and a replacement masked from the other party.
    func registryAndOpportunities() async throws {
        let registry = try clients.client("registry")
        let opportunities = try clients.client("opportunities")
        let partnerId = "demo-\(UInt32.random(in: 0...UInt32.max))"
        let partner = Actor(role: .partner, partnerId: partnerId, id: "dispatcher")
        let customer = Actor(role: .customer, partnerId: partnerId, id: "cu-hospital")
        func provider(_ id: String) -> Actor { Actor(role: .provider, partnerId: partnerId, id: id) }
        let now = Date()

        say("\n== demo: the registry (partner \(partnerId))")
        let certificate = try await registry.call(
            Registry.createDocumentType, CreateDocumentTypeRequest(name: "HIPAA certificate"), actor: partner
        ).documentType
        let hipaa = try await registry.call(
            Registry.createQualification,
            CreateQualificationRequest(
                name: "HIPAA certified", providerTypes: ["asl_interpreter"], requiredDocumentTypeIds: [certificate.id]),
            actor: partner
        ).qualification
        for (id, name) in [("pr-ana", "Ana"), ("pr-ben", "Ben"), ("pr-cy", "Cy")] {
            _ = try await registry.call(
                Registry.upsertProvider,
                UpsertProviderRequest(id: id, name: name, providerType: "asl_interpreter", zones: ["IL"]),
                actor: partner)
            _ = try await registry.call(
                Registry.applyQualification, ApplyQualificationRequest(providerId: id, qualificationId: hipaa.id),
                actor: partner)
        }
        _ = try await registry.call(
            Registry.addDocument,
            AddDocumentRequest(
                providerId: "pr-ana", documentTypeId: certificate.id, issuedAt: now.addingTimeInterval(-86_400 * 300),
                expiresAt: now.addingTimeInterval(86_400 * 2)), actor: partner)
        let check = try await registry.call(
            Registry.checkQualifications,
            CheckQualificationsRequest(
                providerId: "pr-ana", from: now.addingTimeInterval(86_400 * 3),
                to: now.addingTimeInterval(86_400 * 3 + 7200)), actor: partner)
        for result in check.results {
            say(
                "Ana, \(result.name), for a job in 3 days: \(result.inEffect ? "in effect" : "not in effect: " + result.reasons.joined(separator: "; "))"
            )
        }
        _ = try await registry.call(
            Registry.upsertCustomer,
            UpsertCustomerRequest(
                id: "cu-hospital", name: "General Hospital",
                lists: [CustomerListEntry(providerId: "pr-cy", kind: .preferred)],
                defaultDecision: DecisionPolicy(decider: .partner, mode: .hybrid)), actor: partner)

        say("\n== demo: a team of 2 for the hospital, decided by the partner (hybrid, the hospital's default)")
        let starts = now.addingTimeInterval(86_400 * 5)
        let request = try await opportunities.call(
            Opportunities.createRequest,
            CreateRequestRequest(
                customerId: "cu-hospital", providerType: "asl_interpreter", startsAt: starts,
                endsAt: starts.addingTimeInterval(3 * 3600),
                zone: "IL", teamSize: 2), actor: customer
        ).request
        var byProvider: [String: Opportunity] = [:]
        // Offered and interested; a filled team declines the offers still open, so Ben is offered
        // once a replacement is sought.
        func offerAndAnswer(_ id: String) async throws {
            let offered = try await opportunities.call(
                Opportunities.offer, OfferRequest(requestId: request.id, providerId: id), actor: partner
            ).opportunity
            let answer = try await opportunities.call(
                Opportunities.respond, RespondRequest(opportunityId: offered.id, interested: true), actor: provider(id)
            ).opportunity
            byProvider[id] = answer
            say(
                "\(id) is interested -> \(answer.state.rawValue)\(id == "pr-cy" ? " (on the customer's preferred list: assigned at once)" : "")"
            )
        }
        for id in ["pr-ana", "pr-cy"] { try await offerAndAnswer(id) }
        let ana = try await opportunities.call(
            Opportunities.decide, DecideRequest(opportunityId: byProvider["pr-ana"]!.id, assign: true), actor: partner
        ).opportunity
        say("the partner assigns pr-ana -> \(ana.state.rawValue)")
        var view = try await opportunities.call(Opportunities.getRequest, IdRequest(id: request.id), actor: partner)
        say(
            "request \(request.id): \(view.request.status.rawValue); "
                + view.opportunities.map { "\($0.providerId) \($0.state.rawValue)" }.joined(separator: ", "))
        _ = try await opportunities.call(
            Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: ana.id, reason: "double-booked"),
            actor: provider("pr-ana"))
        let customerSees = try await opportunities.call(
            Opportunities.getOpportunity, IdRequest(id: ana.id), actor: customer
        ).opportunity
        let partnerSees = try await opportunities.call(
            Opportunities.getOpportunity, IdRequest(id: ana.id), actor: partner
        ).opportunity
        say(
            "Ana seeks a replacement: the customer sees \(customerSees.state.rawValue), the partner sees \(partnerSees.state.rawValue) (sought by \(partnerSees.replacementSoughtBy ?? "-"))"
        )
        try await offerAndAnswer("pr-ben")
        _ = try await opportunities.call(
            Opportunities.decide, DecideRequest(opportunityId: byProvider["pr-ben"]!.id, assign: true), actor: partner)
        view = try await opportunities.call(Opportunities.getRequest, IdRequest(id: request.id), actor: partner)
        say(
            "Ben replaces her: "
                + view.opportunities.map { "\($0.providerId) \($0.state.rawValue)" }.joined(separator: ", "))
        let history = try await opportunities.call(Opportunities.history, HistoryRequest(id: ana.id), actor: partner)
            .transitions
        say(
            "Ana's history: "
                + history.map { "\($0.from?.rawValue ?? "none")→\($0.to.rawValue) by \($0.actorRole)" }.joined(
                    separator: ", "))
    }
}
