import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire
import ZeroMQ

/// Without CURVE anyone who reaches the bus's event port can publish there: matching must take
/// what it applies from the sources' `ReadEvents`, never from the port.
@Suite("Forged events on the event port", .serialized)
struct ForgedEventTests {
    /// Publishes `events` on the bus from a PUB socket of its own until a SUB socket of the test
    /// has seen each arrive, so every subscriber on the bus has been sent them.
    static func publishForged(_ events: [Event], on system: InProcessSystem) async throws {
        let publisher = try Socket(context: system.context, type: .pub)
        let witness = try Socket(context: system.context, type: .sub)
        defer {
            publisher.close(lingerMs: 0)
            witness.close(lingerMs: 0)
        }
        try publisher.setLinger(ms: 0)
        try witness.setLinger(ms: 0)
        try witness.subscribe(prefix: "")
        try witness.connect(system.endpoints.eventsSubscribe)
        try publisher.connect(system.endpoints.eventsPublish)
        var seen: Set<String> = []
        try await eventually("the forged events went through the bus") {
            for event in events {
                _ = try publisher.send([
                    Array(event.topic.utf8), LengthPrefixedFrame.encode(try WireCoding.encode(event)),
                ])
            }
            while let frames = try witness.receive(dontWait: true), frames.count == 2 {
                if case .success(let json) = LengthPrefixedFrame.decode(frames[1], maxMessageBytes: 1 << 20),
                    let event = try? WireCoding.decode(Event.self, from: json)
                {
                    seen.insert("\(event.source)/\(event.seq)/\(event.type)")
                }
            }
            return events.allSatisfy { seen.contains("\($0.source)/\($0.seq)/\($0.type)") }
        }
    }

    static func json(_ value: some Encodable) throws -> JSONValue {
        try WireCoding.decode(JSONValue.self, from: try WireCoding.encode(value))
    }

    @Test func aForgedProviderWithTheNextSeqIsNeverAppliedAndTheGenuineEventStillIs() async throws {
        try await MatchingSystem.with { world in
            let partner = world.partner.partnerId!
            let before = try await world.registry.readEvents(Registry.service, afterSeq: 0, limit: 1)
            let forgedProvider = Provider(
                partnerId: partner, id: "pr-forged", name: "Forged", providerType: "asl", email: nil, phone: nil,
                location: MatchingSystem.chicago, travelRadiusKm: 40, zones: ["IL"], active: true, version: 1,
                createdAt: Date(), updatedAt: Date())
            // The next seq and the registry's own epoch: what a forger can learn from Health and ReadEvents.
            let forged = Event(
                source: Registry.service, seq: before.lastSeq + 1, type: Registry.EventType.providerUpserted,
                occurredAt: Date(), partnerId: partner, data: try Self.json(forgedProvider),
                epoch: before.epoch)
            try await Self.publishForged([forged], on: world.system)

            // The genuine event with that seq comes after the forged one, and is the one applied.
            let genuine = try await RegistryClient(world.registry, actor: world.partner).upsertProvider(
                UpsertProviderRequest(
                    name: "Genuine", providerType: "asl", location: MatchingSystem.chicago, travelRadiusKm: 40,
                    zones: ["IL"], active: true)
            ).provider
            let reply = try await world.rank(world.job())
            let ranked = reply.ranked.map(\.providerId) + reply.filtered.map(\.providerId)
            #expect(ranked.contains(genuine.id), "\(ranked)")
            #expect(!ranked.contains("pr-forged"), "\(ranked)")
            let source = world.matching.subscriber?.status().first { $0.source == Registry.service }
            #expect(source?.appliedSeq == before.lastSeq + 1)
        }
    }

    @Test func forgedSettingsChangeNoReplicaAndCrashNone() async throws {
        try await MatchingSystem.with { world in
            let partner = world.partner.partnerId!
            let original = try await world.client.getSettings().settings
            var weights = RankingWeights()
            weights.distancePerKm = .greatestFiniteMagnitude
            let forged = RankingSettings(
                partnerId: partner, weights: weights, travelBufferMinutes: .max, workloadWindowDays: .max,
                version: original.version + 100, updatedAt: Date(), updatedBy: "forger")
            let event = Event(
                source: Matching.service, seq: 1_000_000, type: Matching.EventType.settingsSet, occurredAt: Date(),
                partnerId: partner, data: try Self.json(forged), epoch: nil)
            try await Self.publishForged([event], on: world.system)

            // A genuine change after the forged one is taken, and the forged values never are.
            let changed = try await world.client.setSettings(SetSettingsRequest(travelBufferMinutes: 45)).settings
            #expect(changed.version == original.version + 1)
            #expect(try await world.client.getSettings().settings == changed)
            #expect(try await world.rank(world.job()).settings == changed)
        }
    }
}
