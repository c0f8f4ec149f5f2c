import BroadcastService
import Contracts
import Foundation
import MatchingService
import OctooTesting
import OpportunitiesService
import RegistryService
import ServiceKit
import Testing
import Transport
import Wire

/// The registry, matching, opportunities and broadcast in-process on one manual clock, with the
/// shared partner fixture and a pool of eight `asl` providers working in `IL` (`aa-01`…`aa-08`,
/// ranked in that order for the School, ahead of the fixture's Ada and Ben): what the tests
/// through the bus start from.
struct BroadcastWorld: Sendable {
    let system: InProcessSystem
    let clock: ManualClock
    let registryRPC: RPCClient
    let opportunitiesRPC: RPCClient
    let matchingRPC: RPCClient
    let rpc: RPCClient
    let fixture: PartnerFixture
    let registryApplication: ServiceApplication

    static let pool = (1...8).map { "aa-0\($0)" }
    var partner: Actor { fixture.partner }
    var partnerId: String { partner.partnerId! }
    var school: Customer { fixture.customers["School"]! }
    var broadcast: BroadcastClient {
        BroadcastClient(rpc, actor: partner, options: .patient(retry: .none))
    }
    var opportunities: OpportunitiesClient { OpportunitiesClient(opportunitiesRPC, actor: partner) }
    var registry: RegistryClient { RegistryClient(registryRPC, actor: partner) }

    /// Runs `body` against a fresh world, torn down (awaited) before returning or rethrowing.
    /// - Parameter policy: set before anything happens (`autoStart: false` to start by hand).
    static func with<Result: Sendable>(
        policy: SetPolicyRequest? = nil, _ body: (BroadcastWorld) async throws -> Result
    ) async throws -> Result {
        let system = try InProcessSystem()
        let clock = ManualClock(start: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()))
        return try await tearingDown(teardown: system.shutdown) {
            let registryApplication = try await system.start(RegistryService.definition, clock: clock)
            try await system.start(OpportunitiesService.definition, clock: clock)
            try await system.start(MatchingService.definition, clock: clock)
            try await system.start(BroadcastService.definition, clock: clock)
            let registryRPC = try system.client(Registry.service)
            let fixture = try await PartnerFixture.build(registryRPC, now: clock.now)
            let registry = RegistryClient(registryRPC, actor: fixture.partner)
            for id in pool {
                _ = try await registry.upsertProvider(
                    UpsertProviderRequest(
                        id: id, name: "Provider \(id)", providerType: "asl", email: "\(id)@example.org",
                        location: GeoPoint(lat: 41.88, lon: -87.63), travelRadiusKm: 40, zones: ["IL"]))
            }
            let world = BroadcastWorld(
                system: system, clock: clock, registryRPC: registryRPC,
                opportunitiesRPC: try system.client(Opportunities.service),
                matchingRPC: try system.client(Matching.service), rpc: try system.client(Broadcast.service),
                fixture: fixture, registryApplication: registryApplication)
            if let policy { _ = try await world.broadcast.setPolicy(policy) }
            try await world.waitForMatching()
            return try await body(world)
        }
    }

    /// Waits until matching has applied every registry event so far.
    func waitForMatching() async throws {
        let seq = try await registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
        let matching = MatchingClient(matchingRPC, actor: partner, options: .patient())
        _ = try await matching.rank(RankRequest(job: job(days: 5).job, minSeq: [Registry.service: seq], pageSize: 1))
    }

    /// A remote job for the School in zone IL, `days` from now, for two hours.
    func job(days: Double, teamSize: Int? = nil) -> CreateRequestRequest {
        let starts = clock.now.addingTimeInterval(days * 86_400)
        return CreateRequestRequest(
            customerId: school.id, providerType: "asl", startsAt: starts, endsAt: starts.addingTimeInterval(7200),
            remote: true, zone: "IL", teamSize: teamSize)
    }

    /// Creates the request (which starts its broadcast unless the policy says not to).
    func create(days: Double, teamSize: Int? = nil) async throws -> RequestRecord {
        try await opportunities.createRequest(job(days: days, teamSize: teamSize)).request
    }

    /// The broadcast once `condition` holds (it moves on events, asynchronously).
    @discardableResult
    func detail(
        _ requestId: String, _ what: String = "the expected broadcast", timeout: Duration = Patience.condition,
        until condition: (BroadcastDetail) -> Bool
    ) async throws -> BroadcastDetail {
        var last: BroadcastDetail?
        var found: BroadcastDetail?
        try await eventually("\(what); last: \(String(describing: last))", timeout: timeout) {
            guard let detail = try? await broadcast.get(BroadcastRequestId(requestId: requestId)) else { return false }
            last = detail
            found = condition(detail) ? detail : nil
            return found != nil
        }
        return found!
    }

    /// Wave `number` sent (every contact of it out or skipped).
    @discardableResult
    func wave(_ number: Int, of requestId: String) async throws -> BroadcastDetail {
        try await detail(requestId, "wave \(number) sent") { detail in
            detail.waves.count >= number && detail.waves[number - 1].sentAt != nil
        }
    }

    /// The providers of wave `number`.
    func providers(ofWave number: Int, _ detail: BroadcastDetail) -> [String] {
        detail.waves.count >= number ? detail.waves[number - 1].providerIds : []
    }

    /// The attempt of `providerId` in `wave`.
    func attempt(_ providerId: String, wave: Int, _ detail: BroadcastDetail) throws -> ContactAttempt {
        try #require(detail.attempts.first { $0.providerId == providerId && $0.wave == wave })
    }

    /// The provider answers its latest offer.
    func respond(_ providerId: String, interested: Bool, _ detail: BroadcastDetail) async throws -> Opportunity {
        let attempt = try #require(detail.attempts.last { $0.providerId == providerId && $0.opportunityId != nil })
        let provider = OpportunitiesClient(
            opportunitiesRPC, actor: Actor(role: .provider, partnerId: partnerId, id: providerId))
        return try await provider.respond(
            RespondRequest(opportunityId: attempt.opportunityId!, interested: interested)
        ).opportunity
    }

    /// Moves every service's clock forward by `seconds`; returns once due timers fired and the
    /// waves they made due went out.
    func advance(by seconds: TimeInterval) async throws {
        _ = try await rpc.setClock(
            Broadcast.service, to: clock.now.addingTimeInterval(seconds), options: .patient(retry: .none))
    }

    /// Broadcast's events of `type` so far.
    func events(_ type: String) async throws -> [Event] {
        try await rpc.readEvents(Broadcast.service, afterSeq: 0, limit: 1000, actor: partner).events.filter {
            $0.type == type
        }
    }
}
