import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Broadcast with the real executables: the bus, registry, matching, opportunities, and
/// broadcast on its manual clock (`--manual-clock`), each its own process.
@Suite("Broadcast end to end: the real executables", .serialized)
struct BroadcastEndToEndTests {
    static let pool = (1...8).map { "aa-0\($0)" }

    /// The running system and what the tests do with it.
    struct Live {
        let system: ExecutableSystem
        let fixture: PartnerFixture
        let registryRPC: RPCClient
        let opportunitiesRPC: RPCClient
        let rpc: RPCClient

        var partner: Actor { fixture.partner }
        var broadcast: BroadcastClient {
            BroadcastClient(rpc, actor: partner, options: .patient())
        }
        var opportunities: OpportunitiesClient { OpportunitiesClient(opportunitiesRPC, actor: partner) }

        /// Starts broadcast (again), optionally armed to kill itself at a fault point.
        @discardableResult
        func startBroadcast(fault: String? = nil) async throws -> Process {
            let process = try system.start(
                "broadcast", arguments: ["--manual-clock"], environment: fault.map { ["OCTOO_FAULT": $0] } ?? [:])
            try await system.waitUntilServing("broadcast")
            return process
        }

        /// A remote job for the School in IL, `days` from now.
        func create(days: Double) async throws -> RequestRecord {
            let starts = Date().addingTimeInterval(days * 86_400)
            return try await opportunities.createRequest(
                CreateRequestRequest(
                    customerId: fixture.customers["School"]!.id, providerType: "asl", startsAt: starts,
                    endsAt: starts.addingTimeInterval(7200), remote: true, zone: "IL")
            ).request
        }

        /// The broadcast once `condition` holds.
        @discardableResult
        func detail(
            _ requestId: String, _ what: String, timeout: Duration = Patience.condition,
            until condition: (BroadcastDetail) -> Bool
        ) async throws -> BroadcastDetail {
            var last: BroadcastDetail?
            var found: BroadcastDetail?
            try await eventually("\(what); last: \(String(describing: last))", timeout: timeout) {
                guard let detail = try? await broadcast.get(BroadcastRequestId(requestId: requestId)) else {
                    return false
                }
                last = detail
                found = condition(detail) ? detail : nil
                return found != nil
            }
            return found!
        }

        /// The provider answers its latest offer.
        func respond(_ providerId: String, interested: Bool, _ detail: BroadcastDetail) async throws -> Opportunity {
            let attempt = try #require(detail.attempts.last { $0.providerId == providerId && $0.opportunityId != nil })
            let provider = OpportunitiesClient(
                opportunitiesRPC, actor: Actor(role: .provider, partnerId: partner.partnerId, id: providerId))
            return try await provider.respond(
                RespondRequest(opportunityId: attempt.opportunityId!, interested: interested)
            ).opportunity
        }

        /// Every `contact.sent` of broadcast so far.
        func contacts() async throws -> [ContactSent] {
            try await rpc.readEvents(Broadcast.service, afterSeq: 0, limit: 1000, actor: partner).events
                .filter { $0.type == Broadcast.EventType.contactSent }
                .map { try WireCoding.decode(ContactSent.self, from: try WireCoding.encode($0.data)) }
        }
    }

    /// The system with the shared partner and eight `asl` providers in IL, matching caught up;
    /// broadcast is started by the test (`startBroadcast`).
    static func withLive(_ body: (Live) async throws -> Void) async throws {
        try await withExecutableSystem(["registry", "opportunities", "matching"]) { system in
            let registryRPC = try system.client(Registry.service)
            let opportunitiesRPC = try system.client(Opportunities.service)
            let rpc = try system.client(Broadcast.service)
            let matchingRPC = try system.client(Matching.service)
            defer { for client in [registryRPC, opportunitiesRPC, rpc, matchingRPC] { client.close() } }
            let fixture = try await PartnerFixture.build(registryRPC, partnerId: "agency-b")
            let registry = RegistryClient(registryRPC, actor: fixture.partner)
            for id in pool {
                _ = try await registry.upsertProvider(
                    UpsertProviderRequest(
                        id: id, name: id, providerType: "asl", email: "\(id)@example.org", zones: ["IL"]))
            }
            let seq = try await registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
            let starts = Date().addingTimeInterval(86_400)
            _ = try await MatchingClient(
                matchingRPC, actor: fixture.partner, options: .patient()
            )
            .rank(
                RankRequest(
                    job: JobDescription(
                        customerId: fixture.customers["School"]!.id, providerType: "asl", startsAt: starts,
                        endsAt: starts.addingTimeInterval(60), remote: true, zone: "IL"),
                    minSeq: [Registry.service: seq], pageSize: 1))
            let live = Live(
                system: system, fixture: fixture, registryRPC: registryRPC, opportunitiesRPC: opportunitiesRPC,
                rpc: rpc)
            try await body(live)
        }
    }

    @Test func requestToFilledThroughTheBus() async throws {
        try await Self.withLive { live in
            try await live.startBroadcast()
            let request = try await live.create(days: 5)
            var detail = try await live.detail(request.id, "wave 1") { $0.waves.first?.sentAt != nil }
            #expect(detail.waves[0].providerIds == ["aa-01", "aa-02"])
            _ = try await live.respond("aa-01", interested: false, detail)
            try await live.detail(request.id, "aa-01's decline") { $0.attempts.first?.disposition == "DECLINED" }
            // aa-02 stays silent: 8 hours later it gets NO_RESPONSE and the next wave goes out.
            _ = try await live.rpc.setClock(
                Broadcast.service, to: Date().addingTimeInterval(8 * 3600 + 60), options: .patient())
            detail = try await live.detail(request.id, "wave 2") { $0.waves.count == 2 && $0.waves[1].sentAt != nil }
            #expect(detail.waves[1].providerIds == ["aa-03", "aa-04"])
            #expect(detail.attempts.prefix(2).map(\.disposition) == ["DECLINED", "NO_RESPONSE"])
            let interest = try await live.respond("aa-03", interested: true, detail)
            _ = try await live.opportunities.decide(DecideRequest(opportunityId: interest.id, assign: true))
            detail = try await live.detail(request.id, "filled") { $0.state == .filled }
            #expect(detail.attempts.map(\.disposition) == ["DECLINED", "NO_RESPONSE", "INTERESTED", "WITHDRAWN"])
            #expect(try await live.contacts().map(\.providerId) == ["aa-01", "aa-02", "aa-03", "aa-04"])
            let states = try await live.opportunities.getRequest(IdRequest(id: request.id)).opportunities
            let open = states.filter { $0.state == .offered }.map(\.providerId)
            #expect(open.isEmpty, "still OFFERED: \(open)")
            // aa-04's offer was declined with the fill, saying so.
            let aa04 = try #require(states.first { $0.providerId == "aa-04" })
            #expect(aa04.state == .declined)
            let closed = try await live.opportunities.history(HistoryRequest(id: aa04.id)).transitions.last
            #expect(closed?.reason == "the request is filled")
            #expect(await live.system.terminate("broadcast") == 0)
        }
    }

    /// Killed after `opportunities.Offer` succeeded and before the attempt was recorded as sent:
    /// the worst moment. After the restart every contact goes out exactly once.
    @Test func killedBetweenAnOfferAndItsRecordNothingIsLostOrSentTwice() async throws {
        try await Self.withLive { live in
            let broadcast = try await live.startBroadcast(fault: "broadcast.after-offer:3")
            let request = try await live.create(days: 0.1)
            try await eventually("broadcast killed at its fault point") { !broadcast.isRunning }
            #expect(!broadcast.isRunning && broadcast.terminationReason == .uncaughtSignal)
            #expect(broadcast.terminationStatus == SIGKILL)
            try await live.startBroadcast()
            let detail = try await live.detail(request.id, "the wave sent") { $0.waves.first?.sentAt != nil }
            try await Self.expectEachContactOnce(live, request.id, detail)
            #expect(detail.attempts.filter { $0.status == .sent }.count == 10)
        }
    }

    /// Killed at random moments while a request is announced, ranked, planned and sent, five times.
    @Test func killedAtRandomMomentsEveryWaveGoesOutOnce() async throws {
        try await Self.withLive { live in
            var broadcast = try await live.startBroadcast()
            var requests: [String] = []
            for round in 0..<5 {
                let request = try await live.create(days: 0.1 + Double(round) * 0.01)
                requests.append(request.id)
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                kill(broadcast.processIdentifier, SIGKILL)
                await broadcast.exited()
                broadcast = try await live.startBroadcast()
            }
            for requestId in requests {
                let detail = try await live.detail(requestId, "the wave of \(requestId)") {
                    $0.waves.first?.sentAt != nil
                }
                #expect(detail.waves.count == 1)
                try await Self.expectEachContactOnce(live, requestId, detail)
            }
        }
    }

    /// One wave, every attempt sent and announced exactly once, one opportunity per provider.
    static func expectEachContactOnce(_ live: Live, _ requestId: String, _ detail: BroadcastDetail) async throws {
        let attempts = detail.attempts
        #expect(Set(attempts.map(\.providerId)).count == attempts.count, "a provider twice in one wave")
        let contacts = try await live.contacts().filter { $0.requestId == requestId }
        #expect(contacts.count == attempts.filter { $0.status == .sent }.count)
        #expect(Set(contacts.map(\.attemptId)).count == contacts.count, "an attempt announced twice")
        let offered = try await live.opportunities.getRequest(IdRequest(id: requestId)).opportunities
        #expect(Set(offered.map(\.providerId)) == Set(contacts.map(\.providerId)))
        #expect(offered.count == Set(offered.map(\.providerId)).count)
    }
}
