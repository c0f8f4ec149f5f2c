import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire
import ZeroMQ

/// The compose test: the real `compose/docker-compose.yml`, brought up by
/// `.ci/compose-test` with `--scale matching=2` on podman, driven through the bus's published
/// ports with CURVE on. It runs only there (`OCTOO_COMPOSE_PROJECT` set).
@Suite(
    "Compose: the stack on podman, scaled, with CURVE", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["OCTOO_COMPOSE_PROJECT"] != nil,
        "run by .ci/compose-test against the stack it brings up"))
struct ComposeTests {
    static let school = "School"

    @Test func theStackServesScalesAndKeepsItsDataThroughRestarts() async throws {
        let stack = try #require(try ComposeStack.fromEnvironment())
        let clients = try ["registry", "opportunities", "broadcast", "matching"].map { try stack.client($0) }
        defer { for client in clients { client.close() } }
        let (registryRPC, opportunitiesRPC, broadcastRPC, matchingRPC) = (
            clients[0], clients[1], clients[2], clients[3]
        )
        for service in BusEndpoints.services { try await Self.waitUntilServing(service, stack) }
        try await Self.waitForMatchingWorkers(2, matchingRPC)

        print("compose: the stack serves, two matching replicas")
        // A partner, and a request through its first wave to assigned.
        let fixture = try await PartnerFixture.build(
            registryRPC, partnerId: "p-compose-\(UUID().uuidString.prefix(8).lowercased())")
        let registry = RegistryClient(registryRPC, actor: fixture.partner)
        for index in 1...6 {
            _ = try await registry.upsertProvider(
                UpsertProviderRequest(
                    id: "cp-0\(index)", name: "cp-0\(index)", providerType: "asl", email: "cp-0\(index)@example.org",
                    zones: ["IL"]))
        }
        let options = CallOptions.patient()
        let broadcast = BroadcastClient(broadcastRPC, actor: fixture.partner, options: options)
        let opportunities = OpportunitiesClient(opportunitiesRPC, actor: fixture.partner, options: options)
        _ = try await broadcast.setPolicy(
            SetPolicyRequest(bands: [PolicyBand(minLeadHours: 0, waveSize: 2, intervalMinutes: 60)]))
        let customerId = try #require(fixture.customers[Self.school]).id
        let create = { () async throws -> RequestRecord in
            let starts = Date().addingTimeInterval(5 * 86_400)
            let body = CreateRequestRequest(
                customerId: customerId, providerType: "asl", startsAt: starts, endsAt: starts.addingTimeInterval(7200),
                remote: true, zone: "IL")
            return try await opportunities.createRequest(body).request
        }
        let first = try await create()
        let wave = try await Self.waitFor("wave 1 of the first request") {
            try await broadcast.get(BroadcastRequestId(requestId: first.id))
        } until: {
            $0.waves.first?.sentAt != nil && $0.attempts.contains { $0.opportunityId != nil }
        }
        let attempt = try #require(wave.attempts.first { $0.opportunityId != nil })
        let provider = Actor(role: .provider, partnerId: fixture.partner.partnerId, id: attempt.providerId)
        let interested = try await OpportunitiesClient(opportunitiesRPC, actor: provider, options: options).respond(
            RespondRequest(opportunityId: attempt.opportunityId!, interested: true, attemptId: attempt.id))
        let assigned = try await opportunities.decide(
            DecideRequest(opportunityId: interested.opportunity.id, assign: true))
        #expect(assigned.opportunity.state == .assigned)
        _ = try await Self.waitFor("the first request's broadcast filled") {
            try await broadcast.get(BroadcastRequestId(requestId: first.id))
        } until: {
            $0.state == .filled
        }

        print("compose: a request through its first wave to assigned")
        // Matching: one replica stopped, then the other paused; calls succeed throughout.
        let matching = MatchingClient(matchingRPC, actor: fixture.partner, options: options)
        let rank = RankRequest(
            job: JobDescription(
                customerId: customerId, providerType: "asl", startsAt: Date().addingTimeInterval(86_400),
                endsAt: Date().addingTimeInterval(90_000), remote: true, zone: "IL"))
        let replicas = try await stack.containers("matching")
        #expect(replicas.count == 2, "\(replicas)")
        try await stack.podman(["stop", "--time", "10", replicas[0]])
        for _ in 0..<20 { #expect(try await !matching.rank(rank).ranked.isEmpty) }
        try await stack.podman(["start", replicas[0]])
        try await Self.waitForMatchingWorkers(2, matchingRPC)
        try await stack.podman(["pause", replicas[1]])
        // The bus drops a worker silent for three heartbeats; until then its calls wait.
        try await Self.waitForMatchingWorkers(1, matchingRPC)
        for _ in 0..<20 { #expect(try await !matching.rank(rank).ranked.isEmpty) }
        try await stack.podman(["unpause", replicas[1]])
        try await Self.waitForMatchingWorkers(2, matchingRPC)

        print("compose: matching served with one replica stopped, then the other paused")
        // Broadcast restarted: what it had is kept, and it goes on with what came meanwhile.
        let second = try await create()
        let before = try await Self.waitFor("wave 1 of the second request") {
            try await broadcast.get(BroadcastRequestId(requestId: second.id))
        } until: {
            $0.waves.first?.sentAt != nil
        }
        try await stack.compose(["restart", "broadcast"])
        let third = try await create()
        try await Self.waitUntilServing(Broadcast.service, stack)
        let after = try await broadcast.get(BroadcastRequestId(requestId: second.id))
        #expect(after.waves.first?.providerIds == before.waves.first?.providerIds)
        #expect(Set(before.attempts.map(\.id)).isSubset(of: Set(after.attempts.map(\.id))))
        _ = try await Self.waitFor("wave 1 of the request created during the restart") {
            try await broadcast.get(BroadcastRequestId(requestId: third.id))
        } until: {
            $0.waves.first?.sentAt != nil
        }
        let filled = try await opportunities.getRequest(GetRequestRequest(id: first.id))
        #expect(filled.request.status == .filled)

        print("compose: broadcast restarted, nothing lost")
        // CURVE: a key the bus does not list gets no service at all.
        let intruder = try ZeroMQ.Context(
            curveClient: CurveClientKeys(
                serverKey: try CurveKeyFile.readPublicKey("\(stack.keys)/bus.pub"), keyPair: try CurveKeyPair.generate()
            ))
        let outsider = try RPCClient(context: intruder, endpoint: stack.endpoints.client(Registry.service))
        defer { outsider.close() }
        await #expect(throws: RPCError.self) {
            _ = try await outsider.health(
                Registry.service, options: CallOptions(timeout: .seconds(2), retry: .none))
        }
    }

    /// Polls `Health` through the bus until `service` is SERVING (two minutes at most).
    static func waitUntilServing(_ service: String, _ stack: ComposeStack) async throws {
        let client = try stack.client(service)
        defer { client.close() }
        _ = try await waitFor("\(service) serving") {
            try await client.health(service, options: CallOptions(timeout: .seconds(2), retry: .none))
        } until: {
            $0.status == .serving
        }
    }

    /// Waits until the bus lists exactly `count` matching workers.
    static func waitForMatchingWorkers(_ count: Int, _ rpc: RPCClient) async throws {
        _ = try await waitFor("\(count) matching workers on the bus") {
            try await rpc.busStatus()
        } until: { status in
            status.services.first { $0.service == Matching.service }?.workers.count == count
        }
    }

    /// Reads `read` until `condition` holds (two minutes at most; read errors are retried).
    static func waitFor<Value: Sendable>(
        _ what: String, _ read: () async throws -> Value, until condition: (Value) -> Bool
    ) async throws -> Value {
        var last: String = "nothing yet"
        var found: Value?
        try await eventually(
            "\(what); last: \(String(last.prefix(2000)))", timeout: .seconds(120), every: .milliseconds(250)
        ) {
            do {
                let value = try await read()
                last = "\(value)"
                found = condition(value) ? value : nil
            } catch {
                last = "\(error)"
            }
            return found != nil
        }
        return found!
    }
}
