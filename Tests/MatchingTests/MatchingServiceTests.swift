import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Matching through the bus, fed by the real registry and opportunities in-process.
@Suite("Matching through the bus", .serialized)
struct MatchingServiceTests {
    @Test func ranksTheFixtureWithEveryReason() async throws {
        try await MatchingSystem.with { world in
            let reply = try await world.rank(world.job())
            let ids = world.fixture.providers.mapValues(\.id)
            #expect(reply.ranked.map(\.providerId) == [ids["Ada"]!])
            #expect(reply.ranked.first?.criteria.first { $0.name == "preferredList" }?.contribution == 1000)
            #expect(reply.counts == RankCounts(considered: 4, ranked: 1, filtered: 3))
            let reasons = Dictionary(
                uniqueKeysWithValues: reply.filtered.map { ($0.providerId, $0.reasons.map(\.criterion)) })
            #expect(reasons[ids["Ben"]!] == ["requiredQualification", "doNotConsider"])
            #expect(reasons[ids["Cy"]!] == ["providerType", "requiredQualification"])
            #expect(reasons[ids["Di"]!] == ["inactive", "providerType", "requiredQualification"])
            #expect(
                reply.positions.first { $0.source == "registry" }?.appliedSeq
                    == (try await world.lastSeqs())["registry"])

            let ben = try await world.client.check(CheckRequest(job: world.job(), providerId: ids["Ben"]!))
            #expect(!ben.passes)
            #expect(ben.reasons.map(\.criterion) == ["requiredQualification", "doNotConsider"])
            let ada = try await world.client.check(CheckRequest(job: world.job(), providerId: ids["Ada"]!))
            #expect(ada.passes && ada.score == reply.ranked[0].score && ada.criteria == reply.ranked[0].criteria)
        }
    }

    @Test func anArchivedQualificationStillCountsForJobsThatRequireIt() async throws {
        try await MatchingSystem.with { world in
            let school = world.fixture.customers["School"]!
            let medical = world.fixture.qualifications["Medical"]!
            let before = try await world.rank(world.job(customer: school, required: [medical.id]))
            #expect(before.ranked.map(\.providerId) == [world.ada.id])
            let registry = RegistryClient(world.registry, actor: world.partner)
            _ = try await registry.archiveQualification(ArchiveQualificationRequest(id: medical.id))
            let after = try await world.rank(world.job(customer: school, required: [medical.id]))
            // Archiving means "no new use", not "unfillable": the same rule as the registry's.
            #expect(after.ranked.map(\.providerId) == [world.ada.id])
        }
    }

    @Test func anAssignedJobConflictsAndCountsAsWorkload() async throws {
        try await MatchingSystem.with { world in
            let school = world.fixture.customers["School"]!
            let opportunities = OpportunitiesClient(world.opportunities, actor: world.partner)
            let created = try await opportunities.createRequest(world.requestBody(customer: school)).request
            let offered = try await opportunities.offer(OfferRequest(requestId: created.id, providerId: world.ada.id))
                .opportunity
            let ada = OpportunitiesClient(
                world.opportunities, actor: Actor(role: .provider, partnerId: world.partner.partnerId, id: world.ada.id)
            )
            _ = try await ada.respond(RespondRequest(opportunityId: offered.id, interested: true))
            _ = try await opportunities.decide(DecideRequest(opportunityId: offered.id, assign: true))
            // The same hours again: Ada holds a job then.
            let again = try await world.rank(world.job(customer: school))
            #expect(again.filtered.first { $0.providerId == world.ada.id }?.reasons.map(\.criterion) == ["conflict"])
            // Ranked for that very request, her own assignment is no conflict.
            let own = try await world.client.rank(
                RankRequest(job: world.job(customer: school), requestId: created.id))
            #expect(own.ranked.contains { $0.providerId == world.ada.id })
            // A day later it is workload instead.
            var later = world.job(customer: school)
            later.startsAt = later.startsAt.addingTimeInterval(86_400)
            later.endsAt = later.endsAt.addingTimeInterval(86_400)
            let next = try await world.rank(later)
            #expect(next.ranked.first?.criteria.first { $0.name == "recentWorkload" }?.value == .integer(1))
        }
    }

    /// One row: a body that must fail with `code`, naming `field`.
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var code: StatusCode
        var field: String?
        var make: @Sendable (MatchingSystem, PartnerFixture) -> (Actor?, RankRequest?, CheckRequest?)
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(
            name: "unknown required qualification", code: .notFound, field: "body.request.requiredQualificationIds[0]"
        ) { w, _ in
            (nil, RankRequest(job: w.job(required: ["q-nope"])), nil)
        },
        BadInput(
            name: "unknown preferred qualification", code: .notFound, field: "body.request.preferredQualificationIds[1]"
        ) { w, _ in
            (nil, RankRequest(job: w.job(preferred: [w.fixture.qualifications["Medical"]!.id, "q-nope"])), nil)
        },
        BadInput(name: "unknown customer", code: .notFound, field: "body.request.customerId") { w, _ in
            var job = w.job()
            job.customerId = "cu-nope"
            return (nil, RankRequest(job: job), nil)
        },
        BadInput(name: "startsAt == endsAt", code: .invalidArgument, field: "body.request.endsAt") { w, _ in
            (nil, RankRequest(job: w.job(hours: 0)), nil)
        },
        BadInput(name: "startsAt > endsAt", code: .invalidArgument, field: "body.request.endsAt") { w, _ in
            (nil, nil, CheckRequest(job: w.job(hours: -1), providerId: w.ada.id))
        },
        BadInput(name: "latitude out of range", code: .invalidArgument, field: "body.request.location.lat") { w, _ in
            var job = w.job()
            job.location = GeoPoint(lat: 91, lon: 0)
            return (nil, RankRequest(job: job), nil)
        },
        BadInput(name: "longitude out of range", code: .invalidArgument, field: "body.request.location.lon") { w, _ in
            var job = w.job()
            job.location = GeoPoint(lat: 0, lon: -180.5)
            return (nil, RankRequest(job: job), nil)
        },
        BadInput(name: "on-site without a location", code: .invalidArgument, field: "body.request.location") { w, _ in
            var job = w.job()
            job.location = nil
            return (nil, RankRequest(job: job), nil)
        },
        BadInput(name: "limit out of range", code: .invalidArgument, field: "body.limit") { w, _ in
            (nil, RankRequest(job: w.job(), limit: 1001), nil)
        },
        BadInput(name: "pageSize out of range", code: .invalidArgument, field: "body.pageSize") { w, _ in
            (nil, RankRequest(job: w.job(), pageSize: 0), nil)
        },
        BadInput(name: "a page token of nothing", code: .invalidArgument, field: "body.pageToken") { w, _ in
            (nil, RankRequest(job: w.job(), pageToken: "garbage"), nil)
        },
        BadInput(name: "minSeq of no source", code: .invalidArgument, field: "body.minSeq.broadcast") { w, _ in
            (nil, RankRequest(job: w.job(), minSeq: ["broadcast": 1]), nil)
        },
        BadInput(name: "unknown provider", code: .notFound, field: "body.providerId") { w, _ in
            (nil, nil, CheckRequest(job: w.job(), providerId: "pr-nope"))
        },
        BadInput(name: "another partner's customer", code: .notFound, field: "body.request.customerId") { w, other in
            (other.partner, RankRequest(job: w.job()), nil)
        },
        BadInput(
            name: "another partner's qualification", code: .notFound, field: "body.request.requiredQualificationIds[0]"
        ) { w, other in
            (
                other.partner,
                RankRequest(
                    job: w.job(
                        customer: other.customers["School"]!, required: [w.fixture.qualifications["Medical"]!.id])), nil
            )
        },
        BadInput(name: "another partner's provider", code: .notFound, field: "body.providerId") { w, other in
            (
                other.partner, nil,
                CheckRequest(job: w.job(customer: other.customers["School"]!), providerId: w.ada.id)
            )
        },
        BadInput(name: "a customer may not rank", code: .permissionDenied, field: nil) { w, _ in
            (
                Actor(role: .customer, partnerId: w.partner.partnerId, id: w.clinic.id), RankRequest(job: w.job()),
                nil
            )
        },
    ]

    @Test func badInputIsRefusedNamingTheField() async throws {
        try await MatchingSystem.with { world in
            let other = try await PartnerFixture.build(world.registry, partnerId: "p-other")
            _ = try await world.rank(world.job())
            // The other partner's events applied too, before anything is asked.
            let seqs = try await world.lastSeqs()
            _ = try await world.client.rank(RankRequest(job: world.job(), minSeq: seqs))
            for row in Self.badInputs {
                let (actor, rank, check) = row.make(world, other)
                let client = MatchingClient(
                    world.rpc, actor: actor ?? world.partner, options: .patient(retry: .none))
                do {
                    if let rank { _ = try await client.rank(rank) }
                    if let check { _ = try await client.check(check) }
                    Issue.record("\(row.name) was accepted")
                } catch let error as RPCError {
                    #expect(error.code == row.code, "\(row.name): \(error)")
                    if let field = row.field {
                        #expect(error.details.map(\.field).contains(field), "\(row.name): \(error)")
                    }
                }
            }
        }
    }

    @Test func minSeqWaitsBrieflyThenAnswersUnavailable() async throws {
        try await MatchingSystem.with { world in
            let seqs = try await world.lastSeqs()
            let started = ContinuousClock.now
            await #expect(throws: RPCError.self) {
                _ = try await world.client.rank(
                    RankRequest(job: world.job(), minSeq: ["registry": seqs["registry"]! + 100]))
            }
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            do {
                _ = try await world.client.rank(
                    RankRequest(job: world.job(), minSeq: ["registry": seqs["registry"]! + 100]))
                Issue.record("answered although the read model is 100 events behind")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
                #expect(error.details.map(\.field) == ["body.minSeq.registry"])
            }
        }
    }

    @Test func settingsAreValidatedVersionedAndUsed() async throws {
        try await MatchingSystem.with { world in
            let defaults = try await world.client.getSettings().settings
            #expect(defaults == RankingSettings(partnerId: world.partner.partnerId!))
            let changed = try await world.client.setSettings(
                SetSettingsRequest(
                    weights: RankingWeightsChange(preferredList: 7), travelBufferMinutes: 45, expectedVersion: 0)
            ).settings
            #expect(changed.version == 1 && changed.weights.preferredList == 7 && changed.travelBufferMinutes == 45)
            #expect(changed.weights.distancePerKm == defaults.weights.distancePerKm)
            let repeated = try await world.client.setSettings(
                SetSettingsRequest(weights: RankingWeightsChange(preferredList: 7)))
            #expect(repeated.settings == changed, "the same values again change nothing")
            do {
                _ = try await world.client.setSettings(
                    SetSettingsRequest(
                        weights: RankingWeightsChange(noShow: -1), travelBufferMinutes: 2000, workloadWindowDays: 0))
                Issue.record("bad settings were accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(
                    error.details.map(\.field) == [
                        "body.weights.noShow", "body.travelBufferMinutes", "body.workloadWindowDays",
                    ])
            }
            await #expect(throws: RPCError.self) {
                _ = try await world.client.setSettings(SetSettingsRequest(travelBufferMinutes: 5, expectedVersion: 0))
            }
            let reply = try await world.rank(world.job())
            #expect(reply.settings == changed)
            #expect(reply.ranked.first?.criteria.first { $0.name == "preferredList" }?.contribution == 7)
            let events = try await world.rpc.readEvents(Matching.service, afterSeq: 0)
            #expect(events.events.map(\.type) == ["settings.set"])
        }
    }

    /// Ranking runs off the worker's I/O thread: `Health` is answered while a long `Rank` runs.
    @Test func healthAnswersWhileABigRankRuns() async throws {
        try await MatchingSystem.with { world in
            let seq = try await world.injectProviders(2000, type: "asl")
            try await MatchingSystem.waitUntilApplied(world.matching, ["registry": seq])
            let school = world.fixture.customers["School"]!
            let handedOut = try await waitForBus(world.rpc, Matching.service) { _ in true }.dispatched
            let rank = Task {
                let reply = try await world.client.rank(RankRequest(job: world.job(customer: school)))
                return (ContinuousClock.now, reply.counts.ranked)
            }
            // Health goes to the same (only) worker once the Rank is there, computing.
            _ = try await waitForBus(world.rpc, Matching.service) { $0.dispatched > handedOut }
            _ = try await world.rpc.health(Matching.service)
            let answeredHealth = ContinuousClock.now
            let (answeredRank, ranked) = try await rank.value
            #expect(ranked > 2000)
            #expect(answeredHealth < answeredRank, "Health waited for the Rank")
        }
    }

    @Test func statusReportsEachSource() async throws {
        try await MatchingSystem.with { world in
            _ = try await world.rank(world.job())
            let status = try await world.client.status()
            let seqs = try await world.lastSeqs()
            #expect(status.sources.map(\.source) == ["registry", "opportunities"])
            let registry = status.sources[0]
            #expect(
                registry.appliedSeq == seqs["registry"] && registry.lag == 0 && registry.lastSeq == seqs["registry"])
            #expect(registry.state == "current" && registry.rebuilds == 0 && registry.epoch != nil)
            #expect(status.providers == 4)
        }
    }
}
