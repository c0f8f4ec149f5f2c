import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Broadcast through the bus, with the real registry, matching and opportunities in-process on
/// one manual clock: the waves and every advance rule (docs/design.md, "Advance rules").
@Suite("Broadcast through the bus: waves", .serialized)
struct BroadcastServiceTests {
    static let hour: TimeInterval = 3600

    @Test func aCreatedRequestIsRankedAndItsFirstWaveFollowsTheBand() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            let detail = try await world.wave(1, of: request.id)
            #expect(detail.state == .running && detail.currentWave == 1)
            // 3–14 days out: 2 every 8 hours, the best ranked first.
            #expect(world.providers(ofWave: 1, detail) == ["aa-01", "aa-02"])
            #expect(detail.waves[0].intervalMinutes == 480 && detail.waves[0].waveSize == 2)
            #expect(detail.waves[0].closesAt == detail.waves[0].sentAt!.addingTimeInterval(8 * Self.hour))
            #expect(
                detail.nextWaveAt == detail.waves[0].closesAt && detail.openings == 1 && detail.pendingInterest == 0)
            // Everyone matching judged is there: ranked in contact order, the rest with every reason.
            let considered = Dictionary(uniqueKeysWithValues: detail.considered.map { ($0.providerId, $0) })
            #expect(detail.considered.prefix(8).map(\.providerId) == BroadcastWorld.pool)
            #expect(detail.considered.prefix(8).map(\.position) == Array(1...8))
            let cy = try #require(considered[world.fixture.providers["Cy"]!.id])
            #expect(cy.position == nil && cy.reasons.map(\.criterion) == ["providerType"])
            #expect(considered["aa-01"]?.attempts == 1 && considered["aa-03"]?.attempts == 0)
            #expect(detail.counts?.ranked == 10)
            // Each contact: an opportunity offered, an attempt, and an event saying how and what.
            let sent = try await world.events(Broadcast.EventType.contactSent)
            let contacts = try sent.map {
                try WireCoding.decode(ContactSent.self, from: try WireCoding.encode($0.data))
            }
            #expect(contacts.map(\.providerId) == ["aa-01", "aa-02"])
            #expect(contacts[0].channel == ContactChannel(kind: .email, address: "aa-01@example.org"))
            #expect(contacts[0].message.text.contains(contacts[0].opportunityId))
            let offered = try await world.opportunities.getRequest(IdRequest(id: request.id)).opportunities
            #expect(
                offered.map(\.providerId).sorted() == ["aa-01", "aa-02"] && offered.allSatisfy { $0.state == .offered })
            #expect(detail.attempts.map(\.opportunityId) == contacts.map(\.opportunityId))
        }
    }

    @Test func theWholeWaveDecliningSendsTheNextAtOnce() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            _ = try await world.respond("aa-01", interested: false, detail)
            detail = try await world.detail(request.id) { $0.attempts.first?.disposition == "DECLINED" }
            #expect(detail.currentWave == 1)  // aa-02 has not answered
            _ = try await world.respond("aa-02", interested: false, detail)
            detail = try await world.wave(2, of: request.id)
            #expect(world.providers(ofWave: 2, detail) == ["aa-03", "aa-04"])
            #expect(detail.waves[0].closedAt != nil && detail.waves[0].closedAt! < detail.waves[0].closesAt!)
        }
    }

    @Test func theIntervalPassingGivesTheSilentNoResponseAndSendsTheNextWave() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            _ = try await world.respond("aa-01", interested: false, detail)
            try await world.detail(request.id) { $0.attempts.first?.disposition == "DECLINED" }
            try await world.advance(by: 8 * Self.hour - 1)
            #expect(try await world.broadcast.get(BroadcastRequestId(requestId: request.id)).currentWave == 1)
            try await world.advance(by: 1)
            detail = try await world.wave(2, of: request.id)
            #expect(detail.attempts.prefix(2).map(\.disposition) == ["DECLINED", "NO_RESPONSE"])
            #expect(world.providers(ofWave: 2, detail) == ["aa-03", "aa-04"])
            // A late answer is still taken, marked late.
            _ = try await world.respond("aa-02", interested: true, detail)
            detail = try await world.detail(request.id) { $0.attempts[1].disposition == "INTERESTED" }
            #expect(detail.attempts[1].late)
        }
    }

    @Test func pendingInterestCoveringTheOpeningsWaitsAndResumesWhenTurnedDown() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let interest = try await world.respond("aa-01", interested: true, detail)
            _ = try await world.respond("aa-02", interested: false, detail)
            detail = try await world.detail(request.id) { $0.state == .waiting }
            #expect(detail.waitingFor == .interest && detail.pendingInterest == 1 && detail.currentWave == 1)
            // Time passing changes nothing while the interest covers the opening.
            try await world.advance(by: 9 * Self.hour)
            #expect(try await world.broadcast.get(BroadcastRequestId(requestId: request.id)).currentWave == 1)
            _ = try await world.opportunities.decide(DecideRequest(opportunityId: interest.id, assign: false))
            detail = try await world.wave(2, of: request.id)
            #expect(world.providers(ofWave: 2, detail) == ["aa-03", "aa-04"])
        }
    }

    @Test func filledStopsTheBroadcastAndWithdrawsOpenAttempts() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let interest = try await world.respond("aa-01", interested: true, detail)
            _ = try await world.opportunities.decide(DecideRequest(opportunityId: interest.id, assign: true))
            detail = try await world.detail(request.id) { $0.state == .filled }
            #expect(detail.attempts.map(\.disposition) == ["INTERESTED", "WITHDRAWN"] && detail.openings == 0)
            #expect(detail.nextWaveAt == nil)
            try await world.advance(by: 10 * Self.hour)
            #expect(try await world.broadcast.get(BroadcastRequestId(requestId: request.id)).currentWave == 1)
            let stats = try await world.broadcast.stats(StatsRequest(requestId: request.id))
            #expect(stats.filled == 1 && stats.fillRate == 1 && stats.timeToFillSeconds == 0)
        }
    }

    @Test func aCancelledRequestStopsTheBroadcast() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            try await world.wave(1, of: request.id)
            _ = try await world.opportunities.cancelRequest(CancelRequestRequest(id: request.id, reason: "not needed"))
            let detail = try await world.detail(request.id) { $0.state == .stopped }
            #expect(detail.stopReason == "the request was cancelled")
            #expect(detail.attempts.map(\.disposition) == ["WITHDRAWN", "WITHDRAWN"])
        }
    }

    @Test func aMemberLeavingAFilledTeamReopensOneSlot() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5, teamSize: 2)
            var detail = try await world.wave(1, of: request.id)
            for provider in ["aa-01", "aa-02"] {
                let interest = try await world.respond(provider, interested: true, detail)
                _ = try await world.opportunities.decide(DecideRequest(opportunityId: interest.id, assign: true))
            }
            detail = try await world.detail(request.id) { $0.state == .filled }
            let leaving = try #require(detail.attempts.first?.opportunityId)
            let provider = OpportunitiesClient(
                world.opportunitiesRPC, actor: Actor(role: .provider, partnerId: world.partnerId, id: "aa-01"))
            _ = try await provider.cancel(CancelRequestBody(opportunityId: leaving, reason: "ill"))
            detail = try await world.wave(2, of: request.id)
            #expect(detail.openings == 1 && world.providers(ofWave: 2, detail) == ["aa-03", "aa-04"])
        }
    }

    @Test func aReplacementSoughtReopensOneSlotWithoutTheDepartingProvider() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let interest = try await world.respond("aa-01", interested: true, detail)
            _ = try await world.opportunities.decide(DecideRequest(opportunityId: interest.id, assign: true))
            try await world.detail(request.id) { $0.state == .filled }
            let provider = OpportunitiesClient(
                world.opportunitiesRPC, actor: Actor(role: .provider, partnerId: world.partnerId, id: "aa-01"))
            _ = try await provider.seekReplacement(OpportunityActionRequest(opportunityId: interest.id))
            detail = try await world.wave(2, of: request.id)
            // aa-02 was withdrawn when the team filled: back in rotation at once, after those never
            // contacted; aa-01 never.
            #expect(world.providers(ofWave: 2, detail) == ["aa-03", "aa-04"])
            let replacement = try await world.respond("aa-03", interested: true, detail)
            _ = try await world.opportunities.decide(DecideRequest(opportunityId: replacement.id, assign: true))
            detail = try await world.detail(request.id) { $0.state == .filled }
            #expect(detail.attempts.last { $0.providerId == "aa-02" }?.disposition == "WITHDRAWN")
        }
    }

    @Test func aJobBeyondTheStartWindowWaitsForIt() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 40)
            var detail = try await world.detail(request.id) { $0.state == .waiting }
            #expect(detail.waitingFor == .startWindow && detail.currentWave == 0)
            #expect(detail.nextWaveAt == request.startsAt.addingTimeInterval(-30 * 86_400))
            try await world.advance(by: 10 * 86_400 - 60)
            #expect(try await world.broadcast.get(BroadcastRequestId(requestId: request.id)).currentWave == 0)
            try await world.advance(by: 60)
            detail = try await world.wave(1, of: request.id)
            // 30 days out: 1 every 24 hours.
            #expect(world.providers(ofWave: 1, detail) == ["aa-01"] && detail.waves[0].intervalMinutes == 1440)
        }
    }

    @Test func jobsCloseToTheirStartGetBiggerWaves() async throws {
        try await BroadcastWorld.with { world in
            let soon = try await world.create(days: 0.5)
            var detail = try await world.wave(1, of: soon.id)
            #expect(world.providers(ofWave: 1, detail) == Array(BroadcastWorld.pool.prefix(5)))
            let now = try await world.create(days: 0.1)
            detail = try await world.wave(1, of: now.id)
            #expect(detail.waves[0].waveSize == 0 && detail.waves[0].providerIds.count == 10)
        }
    }
}
