import Contracts
import Foundation
import MatchingService
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Testing
import Transport
import Wire

/// The read model fed by the real services: events dropped on the way, and rebuilds.
@Suite("Matching's read model from the real event streams", .serialized)
struct ReadModelFeedTests {
    @Test func eventsDroppedOnTheWayAreCaughtUp() async throws {
        // Every third registry event never reaches the bus: only ReadEvents delivers it.
        let everyThirdDropped: @Sendable (Event) -> Bool = { $0.seq % 3 != 0 }
        try await MatchingSystem.with(publish: everyThirdDropped) { world in
            let reply = try await world.rank(world.job())
            #expect(reply.ranked.map(\.providerId) == [world.ada.id])
            #expect(reply.counts == RankCounts(considered: 4, ranked: 1, filtered: 3))
            let seqs = try await world.lastSeqs()
            #expect(reply.positions.first { $0.source == "registry" }?.appliedSeq == seqs["registry"])
        }
    }

    /// Assigns Ada to a School job through opportunities, so the read model holds jobs too.
    static func assignAda(_ world: MatchingSystem) async throws {
        let opportunities = OpportunitiesClient(world.opportunities, actor: world.partner)
        let created = try await opportunities.createRequest(
            world.requestBody(customer: world.fixture.customers["School"]!)
        )
        .request
        let offered = try await opportunities.offer(OfferRequest(requestId: created.id, providerId: world.ada.id))
            .opportunity
        let ada = OpportunitiesClient(
            world.opportunities, actor: Actor(role: .provider, partnerId: world.partner.partnerId, id: world.ada.id))
        _ = try await ada.respond(RespondRequest(opportunityId: offered.id, interested: true))
        _ = try await opportunities.decide(DecideRequest(opportunityId: offered.id, assign: true))
    }

    @Test func aRebuildEqualsTheIncrementalModel() async throws {
        try await MatchingSystem.with { world in
            try await Self.assignAda(world)
            _ = try await world.client.setSettings(SetSettingsRequest(travelBufferMinutes: 15))
            let seqs = try await world.lastSeqs()
            try await MatchingSystem.waitUntilApplied(world.matching, seqs)
            let incremental = try ReadModelFixture.dump(world.matching.environment.database.pool)
            let request = world.job()
            let before = try await world.client.rank(RankRequest(job: request, minSeq: seqs))
            #expect(incremental.contains { $0.contains("providerJob") })

            // `matching --rebuild`: the read model forgotten, the settings kept.
            try await world.system.stop(world.matching)
            try await MatchingService.rebuild(configuration: world.system.configuration(for: Matching.service))
            let rebuilt = try await world.system.start(MatchingService.definition)
            try await MatchingSystem.waitUntilApplied(rebuilt, seqs)
            #expect(try ReadModelFixture.dump(rebuilt.environment.database.pool) == incremental)
            #expect(try await world.client.rank(RankRequest(job: request, minSeq: seqs)) == before)
            let status = try await world.client.status()
            #expect(status.sources.map(\.rebuilds) == [1, 1])

            // A missing file is rebuilt from scratch at start. Its settings went with it: with no
            // other replica to take them from, the defaults apply again.
            try await world.system.stop(rebuilt)
            let path = world.system.configuration(for: Matching.service).databasePath
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let fresh = try await world.system.start(MatchingService.definition)
            try await MatchingSystem.waitUntilApplied(fresh, seqs)
            #expect(try ReadModelFixture.dump(fresh.environment.database.pool) == incremental)
            let again = try await world.client.rank(RankRequest(job: request, minSeq: seqs))
            #expect(again.settings == RankingSettings(partnerId: world.partner.partnerId!))
            #expect(again.ranked == before.ranked && again.counts == before.counts)
            #expect(
                again.filtered.map { $0.reasons.map(\.criterion) }
                    == before.filtered.map { $0.reasons.map(\.criterion) })
        }
    }
}
