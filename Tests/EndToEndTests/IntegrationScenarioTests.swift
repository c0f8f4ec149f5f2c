import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// The integration suite: the whole system (`WholeSystem`: the bus, the registry, two
/// matching replicas, broadcast, opportunities, each a real executable on free ports with its
/// own SQLite file in a temporary folder), driven over the wire only, as a partner, its
/// providers and its dispatcher would.
@Suite("Integration: the whole system over the wire", .serialized)
struct IntegrationScenarioTests {
    /// One running system, with the shared partner and six more `asl` interpreters in IL.
    struct Scenario {
        let system: ExecutableSystem
        let fixture: PartnerFixture
        let registryRPC: RPCClient
        let opportunitiesRPC: RPCClient
        let broadcastRPC: RPCClient
        let matchingRPC: RPCClient

        var partner: Actor { fixture.partner }
        var opportunities: OpportunitiesClient {
            OpportunitiesClient(opportunitiesRPC, actor: partner, options: .patient())
        }
        var broadcast: BroadcastClient {
            BroadcastClient(broadcastRPC, actor: partner, options: .patient())
        }
        var invariants: SystemInvariants {
            SystemInvariants(
                system: system, partner: partner, opportunitiesRPC: opportunitiesRPC, broadcastRPC: broadcastRPC)
        }

        /// A remote job in IL for `customer`, `days` from now, 2 hours long.
        func create(
            _ customer: String, days: Double, teamSize: Int = 1, mode: DecisionPolicy.Mode = .manual
        ) async throws -> RequestRecord {
            let starts = Date().addingTimeInterval(days * 86_400)
            return try await opportunities.createRequest(
                CreateRequestRequest(
                    customerId: fixture.customers[customer]!.id, providerType: "asl", startsAt: starts,
                    endsAt: starts.addingTimeInterval(7200), remote: true, zone: "IL", teamSize: teamSize,
                    decision: DecisionPolicy(decider: .partner, mode: mode))
            ).request
        }

        /// The request's broadcast once `condition` holds.
        @discardableResult
        func broadcast(
            _ requestId: String, _ what: String, until condition: (BroadcastDetail) -> Bool
        ) async throws -> BroadcastDetail {
            var last: BroadcastDetail?
            var found: BroadcastDetail?
            try await eventually("\(what); last: \(String(describing: last))") {
                guard let detail = try? await broadcast.get(BroadcastRequestId(requestId: requestId)) else {
                    return false
                }
                last = detail
                found = condition(detail) ? detail : nil
                return found != nil
            }
            return found!
        }

        /// `providerId` answers the offer of its attempt in `detail`, as the provider.
        func answer(
            _ providerId: String, in detail: BroadcastDetail, interested: Bool, doNotContact: Bool? = nil
        ) async throws -> Opportunity {
            let attempt = try #require(detail.attempts.last { $0.providerId == providerId && $0.opportunityId != nil })
            let provider = Actor(role: .provider, partnerId: partner.partnerId, id: providerId)
            return try await OpportunitiesClient(opportunitiesRPC, actor: provider).respond(
                RespondRequest(
                    opportunityId: attempt.opportunityId!, interested: interested, attemptId: attempt.id,
                    doNotContact: doNotContact)
            ).opportunity
        }

        /// The request's story, and every invariant of the fault test that applies to it.
        func expectInvariants(_ requestIds: [String]) async throws {
            let stories = try await invariants.stories(requestIds)
            #expect(SystemInvariants.finalStates(stories).isEmpty, "\(SystemInvariants.finalStates(stories))")
            #expect(SystemInvariants.historiesReplay(stories).isEmpty, "\(SystemInvariants.historiesReplay(stories))")
            let offers = SystemInvariants.noDoubleOffers(stories, announced: try await invariants.announcedContacts())
            #expect(offers.isEmpty, "\(offers)")
            let behind = try await invariants.checkpointsCaughtUp(until: .now + .seconds(20))
            #expect(behind.isEmpty, "\(behind)")
        }
    }

    /// Starts the whole system (broadcast on a manual clock), builds the partner through the
    /// registry, sets waves of two an hour apart, and waits until both replicas have seen it all.
    static func withScenario(_ body: (Scenario) async throws -> Void) async throws {
        try await withWholeSystem(manualClock: ["broadcast"]) { system in
            let clients = try ["registry", "opportunities", "broadcast", "matching"].map { try system.client($0) }
            defer { for client in clients { client.close() } }
            let fixture = try await PartnerFixture.build(clients[0], partnerId: "p-integration")
            let registry = RegistryClient(clients[0], actor: fixture.partner)
            for index in 1...6 {
                let id = "ip-0\(index)"
                _ = try await registry.upsertProvider(
                    UpsertProviderRequest(
                        id: id, name: id, providerType: "asl", email: "\(id)@example.org", zones: ["IL"]))
            }
            let scenario = Scenario(
                system: system, fixture: fixture, registryRPC: clients[0], opportunitiesRPC: clients[1],
                broadcastRPC: clients[2], matchingRPC: clients[3])
            _ = try await scenario.broadcast.setPolicy(
                SetPolicyRequest(bands: [PolicyBand(minLeadHours: 0, waveSize: 2, intervalMinutes: 60)]))
            try await expectReplicasCaughtUp(scenario)
            try await body(scenario)
        }
    }

    /// Both replicas answer `Rank` with the registry's last event applied (the bus hands calls
    /// to the replica with the most free credit, so four at once reach both).
    static func expectReplicasCaughtUp(_ scenario: Scenario) async throws {
        let seq = try await scenario.registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
        let starts = Date().addingTimeInterval(86_400)
        let matching = MatchingClient(
            scenario.matchingRPC, actor: scenario.partner, options: .patient())
        let request = RankRequest(
            job: JobDescription(
                customerId: scenario.fixture.customers["School"]!.id, providerType: "asl", startsAt: starts,
                endsAt: starts.addingTimeInterval(3600), remote: true, zone: "IL"),
            minSeq: [Registry.service: seq])
        let rankings = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { try await matching.rank(request).ranked.map(\.providerId) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(rankings).count == 1, "the replicas ranked differently: \(rankings)")
        let status = try await scenario.matchingRPC.busStatus()
        let workers = try #require(status.services.first { $0.service == Matching.service }).workers
        #expect(workers.map(\.instance) == WholeSystem.matchingReplicas)
        #expect(workers.allSatisfy { ($0.dispatched ?? 0) > 0 }, "not every replica was handed a call: \(workers)")
    }

    /// A team of two through waves: a decline and an interest, the next wave at once (everyone of
    /// the first answered), a silent provider, the team complete, the silent one's offer closed
    /// by the fill, and every invariant of the fault test holding.
    @Test func aTeamOfTwoIsFilledThroughWavesOfAnswers() async throws {
        try await Self.withScenario { scenario in
            let request = try await scenario.create("School", days: 5, teamSize: 2)
            var detail = try await scenario.broadcast(request.id, "wave 1") { $0.waves.first?.sentAt != nil }
            let first = detail.waves[0].providerIds
            #expect(first.count == 2)
            let interested = try await scenario.answer(first[0], in: detail, interested: true)
            #expect(interested.state == .pending)
            _ = try await scenario.answer(first[1], in: detail, interested: false)
            // Everyone of wave 1 answered and one opening is not covered by interest: wave 2 goes out.
            detail = try await scenario.broadcast(request.id, "wave 2") {
                $0.waves.count == 2 && $0.waves[1].sentAt != nil
            }
            let second = detail.waves[1].providerIds
            #expect(Set(second).isDisjoint(with: first))
            let contingent = try await scenario.opportunities.decide(
                DecideRequest(opportunityId: interested.id, assign: true))
            #expect(contingent.opportunity.state == .contingent)
            let last = try await scenario.answer(second[0], in: detail, interested: true)
            let assigned = try await scenario.opportunities.decide(DecideRequest(opportunityId: last.id, assign: true))
            #expect(assigned.opportunity.state == .assigned)
            detail = try await scenario.broadcast(request.id, "filled") { $0.state == .filled }
            let silent = try #require(detail.attempts.first { $0.providerId == second[1] })
            #expect(silent.disposition == "WITHDRAWN")
            let found = try await scenario.opportunities.getRequest(GetRequestRequest(id: request.id))
            #expect(found.request.status == .filled)
            let states = Dictionary(uniqueKeysWithValues: found.opportunities.map { ($0.providerId, $0.state) })
            #expect(states == [first[0]: .assigned, first[1]: .declined, second[0]: .assigned, second[1]: .declined])
            try await scenario.expectInvariants([request.id])
        }
    }

    /// Decided automatically, across services: a provider who declines asking never to be
    /// contacted is blocked by broadcast for the customer; an interested one is assigned at once
    /// (`matching.Check`, with the block list). A second job for the same customer at the same
    /// time then goes to neither: the blocked provider is excluded from the ranking, and the
    /// assigned one, known to both replicas from opportunities' events, has a conflict.
    @Test func anAutomaticAssignmentAndABlockShapeTheNextRequest() async throws {
        try await Self.withScenario { scenario in
            let customer = "School"
            let first = try await scenario.create(customer, days: 3, mode: .automatic)
            var detail = try await scenario.broadcast(first.id, "wave 1") { $0.waves.first?.sentAt != nil }
            let (refuser, taker) = (detail.waves[0].providerIds[0], detail.waves[0].providerIds[1])
            _ = try await scenario.answer(refuser, in: detail, interested: false, doNotContact: true)
            let assigned = try await scenario.answer(taker, in: detail, interested: true)
            #expect(assigned.state == .assigned, "\(assigned.decisionReasons ?? [])")
            detail = try await scenario.broadcast(first.id, "filled") { $0.state == .filled }
            #expect(detail.attempts.map(\.disposition) == ["DO_NOT_CONTACT", "INTERESTED"])
            let customerId = scenario.fixture.customers[customer]!.id
            let blocks = try await scenario.broadcast.listBlocks(ListBlocksRequest(customerId: customerId)).blocks
            #expect(blocks.map(\.providerId) == [refuser])

            let second = try await scenario.create(customer, days: 3, mode: .automatic)
            detail = try await scenario.broadcast(second.id, "wave 1 of the second") { $0.waves.first?.sentAt != nil }
            let contacted = Set(detail.attempts.map(\.providerId))
            #expect(!contacted.contains(refuser) && !contacted.contains(taker), "\(contacted)")
            let reasons = Dictionary(uniqueKeysWithValues: detail.considered.map { ($0.providerId, $0.reasons) })
            #expect(reasons[refuser]?.map(\.criterion) == ["excluded"])
            #expect(reasons[taker]?.map(\.criterion) == ["conflict"])
            for provider in detail.waves[0].providerIds {
                _ = try await scenario.answer(provider, in: detail, interested: false)
            }
            try await scenario.broadcast(second.id, "wave 2 of the second") { $0.waves.count == 2 }
            _ = try await scenario.broadcast.stop(BroadcastActionRequest(requestId: second.id, reason: "enough"))
            try await scenario.expectInvariants([first.id, second.id])
        }
    }
}
