import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Who a wave takes, through the bus: only providers who can be reached, a channel found wrong
/// marked on the provider until it changes, a block list of the partner's own providers and
/// customers, every exclusion shown with its reason, and the never contacted before the recycled.
@Suite("Broadcast through the bus: reachability, the block list and fresh providers first", .serialized)
struct BroadcastReachabilityTests {
    static let hour: TimeInterval = 3600

    @Test func aProviderWithoutEmailOrPhoneIsFilteredAndTakesNoSlotInAWave() async throws {
        try await BroadcastWorld.with { world in
            // aa-02 loses its email and has no phone.
            _ = try await world.registry.upsertProvider(UpsertProviderRequest(id: "aa-02", updateMask: "email"))
            try await world.waitForMatching()
            // Two days out: waves of three.
            let request = try await world.create(days: 2)
            let detail = try await world.wave(1, of: request.id)
            #expect(world.providers(ofWave: 1, detail) == ["aa-01", "aa-03", "aa-04"])
            #expect(detail.attempts.allSatisfy { $0.status == .sent && $0.disposition == nil })
            let aa02 = try #require(detail.considered.first { $0.providerId == "aa-02" })
            #expect(
                aa02.reasons == [
                    FilterReason(criterion: "noContactChannel", detail: "no usable contact channel: no email, no phone")
                ])
            #expect(aa02.wouldBeEligibleIf == "eligible if the provider is given an email or a phone that works")
        }
    }

    @Test func wrongContactDetailsMarksTheChannelOnTheProviderUntilItChanges() async throws {
        try await BroadcastWorld.with { world in
            _ = try await world.registry.upsertProvider(UpsertProviderRequest(id: "aa-01", phone: "+1 312 555 0101"))
            try await world.waitForMatching()
            let first = try await world.create(days: 5)
            var detail = try await world.wave(1, of: first.id)
            let byEmail = try world.attempt("aa-01", wave: 1, detail)
            #expect(byEmail.channel == ContactChannel(kind: .email, address: "aa-01@example.org"))
            let dispositioned = try await world.broadcast.setDisposition(
                SetDispositionRequest(attemptId: byEmail.id, code: "WRONG_CONTACT_DETAILS", note: "bounced"))
            #expect(dispositioned.attempt.disposition == "WRONG_CONTACT_DETAILS")
            var provider = try await world.registry.getProvider(GetProviderRequest(id: "aa-01")).provider
            let mark = try #require(provider.invalidChannels?.first)
            #expect(provider.invalidChannels?.count == 1 && mark.channel == .email && mark.attemptId == byEmail.id)
            #expect(mark.reason == "WRONG_CONTACT_DETAILS: bounced")

            // The phone is left: the next request reaches aa-01 by SMS.
            try await world.waitForMatching()
            let second = try await world.create(days: 5)
            detail = try await world.wave(1, of: second.id)
            let bySMS = try world.attempt("aa-01", wave: 1, detail)
            #expect(bySMS.channel == ContactChannel(kind: .sms, address: "+1 312 555 0101"))
            _ = try await world.broadcast.setDisposition(
                SetDispositionRequest(attemptId: bySMS.id, code: "WRONG_CONTACT_DETAILS"))

            // Nothing is left: matching filters aa-01 out.
            try await world.waitForMatching()
            let matching = MatchingClient(world.matchingRPC, actor: world.partner, options: .patient())
            var ranking = try await matching.rank(RankRequest(job: world.job(days: 5).job, pageSize: 1000))
            #expect(!ranking.ranked.contains { $0.providerId == "aa-01" })
            #expect(
                ranking.filtered.first { $0.providerId == "aa-01" }?.reasons == [
                    FilterReason(
                        criterion: "noContactChannel",
                        detail: "no usable contact channel: email marked invalid, phone marked invalid")
                ])

            // The partner changes the email: its mark goes, the phone's stays, aa-01 ranks again.
            provider = try await world.registry.upsertProvider(
                UpsertProviderRequest(id: "aa-01", email: "aa-01@new.example.org")
            ).provider
            #expect(provider.invalidChannels?.map(\.channel) == [.phone])
            try await world.waitForMatching()
            ranking = try await matching.rank(RankRequest(job: world.job(days: 5).job, pageSize: 1000))
            #expect(ranking.ranked.contains { $0.providerId == "aa-01" })
        }
    }

    @Test func blockingAProviderOrCustomerThePartnerDoesNotHaveIsNotFound() async throws {
        try await BroadcastWorld.with { world in
            let other = try await PartnerFixture.build(world.registryRPC, partnerId: "p-other", now: world.clock.now)
            let refusals: [(BlockRequest, String)] = [
                (BlockRequest(providerId: "pr-nobody", reason: "typo"), "body.providerId"),
                (BlockRequest(providerId: other.providers["Ada"]!.id), "body.providerId"),
                (BlockRequest(providerId: "aa-01", customerId: "cu-nobody"), "body.customerId"),
                (BlockRequest(providerId: "aa-01", customerId: other.customers["School"]!.id), "body.customerId"),
            ]
            for (body, field) in refusals {
                let refused = await #expect(throws: RPCError.self) { try await world.broadcast.block(body) }
                #expect(refused?.code == .notFound && refused?.details.map(\.field) == [field], "\(body)")
            }
            // Nothing was written.
            #expect(try await world.broadcast.listBlocks().blocks.isEmpty)
            #expect(try await world.events(Broadcast.EventType.blockAdded).isEmpty)
            let block = try await world.broadcast.block(BlockRequest(providerId: "aa-01", customerId: world.school.id))
            #expect(block.block.providerId == "aa-01" && block.block.customerId == world.school.id)
        }
    }

    @Test func theConsideredListShowsEveryExclusionWithItsReason() async throws {
        try await BroadcastWorld.with(policy: SetPolicyRequest(bands: BroadcastPolicy.standard.bands, autoStart: false))
        {
            world in
            _ = try await world.broadcast.block(BlockRequest(providerId: "aa-01", reason: "complaints"))
            _ = try await world.broadcast.block(
                BlockRequest(providerId: "aa-01", customerId: world.school.id, reason: "asked by the school"))
            let request = try await world.create(days: 5)
            let detail = try await world.broadcast.start(StartRequest(requestId: request.id, exclude: ["aa-01"]))
            #expect(world.providers(ofWave: 1, detail) == ["aa-02", "aa-03"])
            let reasons = detail.considered.first { $0.providerId == "aa-01" }?.reasons
            #expect(
                reasons == [
                    FilterReason(criterion: "excluded", detail: "blocked for every customer: complaints"),
                    FilterReason(
                        criterion: "excluded", detail: "blocked for customer \(world.school.id): asked by the school"),
                    FilterReason(criterion: "excluded", detail: "excluded by the partner"),
                ])
        }
    }

    /// Thirty eligible providers, two days out (waves of three every two hours): the third wave
    /// takes three never contacted rather than the first wave's silent three, back by
    /// `NO_RESPONSE`'s rule, unless the partner's policy puts the recycled in rank order.
    @Test(arguments: [false, true])
    func aWaveTakesTheNeverContactedBeforeTheRecycled(recycledInRankOrder: Bool) async throws {
        let policy = SetPolicyRequest(bands: BroadcastPolicy.standard.bands, recycledInRankOrder: recycledInRankOrder)
        try await BroadcastWorld.with(policy: policy) { world in
            // Twenty more, ranked after the pool (ties go by id) and before Ada and Ben.
            for index in 9...28 {
                let id = String(format: "ab-%02d", index)
                _ = try await world.registry.upsertProvider(
                    UpsertProviderRequest(
                        id: id, name: "Provider \(id)", providerType: "asl", email: "\(id)@example.org", zones: ["IL"]))
            }
            try await world.waitForMatching()
            let request = try await world.create(days: 2)
            var detail = try await world.wave(1, of: request.id)
            #expect(detail.considered.filter { $0.rank != nil }.count == 30)
            let first = world.providers(ofWave: 1, detail)
            #expect(first == ["aa-01", "aa-02", "aa-03"])
            try await world.advance(by: 2 * Self.hour)
            detail = try await world.wave(2, of: request.id)
            #expect(world.providers(ofWave: 2, detail) == ["aa-04", "aa-05", "aa-06"])
            try await world.advance(by: 2 * Self.hour)
            detail = try await world.wave(3, of: request.id)
            #expect(world.providers(ofWave: 3, detail) == (recycledInRankOrder ? first : ["aa-07", "aa-08", "ab-09"]))
            let policy = try await world.broadcast.getPolicy()
            #expect(policy.policy.recycledInRankOrder == recycledInRankOrder)
        }
    }
}
