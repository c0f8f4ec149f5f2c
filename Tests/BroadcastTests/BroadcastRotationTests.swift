import Contracts
import Foundation
import OctooTesting
import RegistryService
import Testing
import Transport
import Wire

/// Who is contacted, through the bus: overrides, the block list at rank and at send time, the
/// send-time check, dispositions and recycling, delivery reports, pause/resume/stop, statistics.
@Suite("Broadcast through the bus: rotation and dispositions", .serialized)
struct BroadcastRotationTests {
    static let hour: TimeInterval = 3600
    static let manualStart = SetPolicyRequest(bands: BroadcastPolicy.standard.bands, autoStart: false)

    @Test func overridesBeforeAndDuringTheBroadcast() async throws {
        try await BroadcastWorld.with(policy: Self.manualStart) { world in
            let request = try await world.create(days: 5)
            await #expect(throws: RPCError.self) {
                try await world.broadcast.get(BroadcastRequestId(requestId: request.id))
            }
            var detail = try await world.broadcast.start(
                StartRequest(requestId: request.id, pin: ["aa-04"], exclude: ["aa-01"]))
            #expect(world.providers(ofWave: 1, detail) == ["aa-04", "aa-02"])
            detail = try await world.broadcast.override(
                OverrideRequest(requestId: request.id, exclude: ["aa-01", "aa-03"], order: ["aa-06", "aa-05"]))
            let positions = detail.considered.filter { $0.position != nil }.map(\.providerId)
            #expect(positions.prefix(4) == ["aa-04", "aa-06", "aa-05", "aa-02"])
            let excluded = detail.considered.filter(\.excluded)
            #expect(Set(excluded.map(\.providerId)) == ["aa-01", "aa-03"])
            #expect(detail.considered.first { $0.providerId == "aa-04" }?.pinned == true)
            _ = try await world.respond("aa-04", interested: false, detail)
            _ = try await world.respond("aa-02", interested: false, detail)
            detail = try await world.wave(2, of: request.id)
            #expect(world.providers(ofWave: 2, detail) == ["aa-06", "aa-05"])
            // The ranking behind wave 2 was asked without the excluded, and says why.
            let reasons = detail.considered.first { $0.providerId == "aa-03" }?.reasons.map(\.detail)
            #expect(reasons == ["excluded by the partner"])
        }
    }

    @Test func theBlockListAppliesAtRankAndAtSendTimeAsDoesTheSendTimeCheck() async throws {
        try await BroadcastWorld.with { world in
            _ = try await world.broadcast.block(BlockRequest(providerId: "aa-01", reason: "complaints"))
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            #expect(world.providers(ofWave: 1, detail) == ["aa-02", "aa-03"])
            let blocked = detail.considered.first { $0.providerId == "aa-01" }
            #expect(blocked?.reasons.map(\.detail) == ["blocked for every customer: complaints"])

            // The registry goes away: wave 2 is planned, but its contacts cannot be sent yet.
            try await world.system.stop(world.registryApplication)
            _ = try await world.respond("aa-02", interested: false, detail)
            _ = try await world.respond("aa-03", interested: false, detail)
            detail = try await world.detail(request.id) { $0.waves.count == 2 }
            #expect(world.providers(ofWave: 2, detail) == ["aa-04", "aa-05"])
            _ = try await world.broadcast.pause(BroadcastActionRequest(requestId: request.id))
            try await world.system.start(RegistryService.definition, clock: world.clock)
            // Blocking asks the registry whether the provider and the customer exist.
            _ = try await world.broadcast.block(
                BlockRequest(providerId: "aa-04", customerId: world.school.id, reason: "asked by the school"))
            _ = try await world.registry.setAvailability(
                SetAvailabilityRequest(
                    providerId: "aa-05",
                    windows: [
                        AvailabilityWindow(
                            from: request.startsAt.addingTimeInterval(-Self.hour),
                            to: request.endsAt.addingTimeInterval(Self.hour), status: .unavailable)
                    ]))
            try await world.waitForMatching()
            detail = try await world.broadcast.resume(BroadcastActionRequest(requestId: request.id))
            detail = try await world.wave(3, of: request.id)
            let skipped = detail.attempts.filter { $0.wave == 2 }
            #expect(skipped.map(\.disposition) == ["SKIPPED", "SKIPPED"] && skipped.allSatisfy { $0.sentAt == nil })
            #expect(skipped[0].reason == "blocked for customer \(world.school.id): asked by the school")
            #expect(skipped[1].reason?.hasPrefix("unavailable:") == true)
            #expect(world.providers(ofWave: 3, detail) == ["aa-06", "aa-07"])
            let sent = try await world.events(Broadcast.EventType.contactSent).count
            #expect(sent == 4)
            let offered = try await world.opportunities.getRequest(IdRequest(id: request.id)).opportunities
            #expect(!offered.contains { ["aa-04", "aa-05"].contains($0.providerId) })
        }
    }

    /// The default policy that puts the recycled back in their rank place among the never
    /// contacted (`recycledInRankOrder`), for the tests of recycle rules.
    static let recycledInRankOrder = SetPolicyRequest(bands: BroadcastPolicy.standard.bands, recycledInRankOrder: true)

    @Test func dispositionsSetByThePartnerCustomRecycleRulesAndArchiving() async throws {
        try await BroadcastWorld.with(policy: Self.recycledInRankOrder) { world in
            let broadcast = world.broadcast
            _ = try await broadcast.defineDisposition(
                DefineDispositionRequest(
                    code: "CALL_BACK", label: "Call back later", recycleAfterSeconds: 3600, maxAttempts: 2))
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let first = try world.attempt("aa-01", wave: 1, detail)
            let second = try world.attempt("aa-02", wave: 1, detail)
            _ = try await broadcast.setDisposition(SetDispositionRequest(attemptId: first.id, code: "CALL_BACK"))
            _ = try await broadcast.setDisposition(SetDispositionRequest(attemptId: second.id, code: "DO_NOT_CONTACT"))
            detail = try await world.wave(2, of: request.id)
            #expect(world.providers(ofWave: 2, detail) == ["aa-03", "aa-04"])
            let blocks = try await broadcast.listBlocks().blocks
            #expect(blocks.map(\.providerId) == ["aa-02"] && blocks[0].customerId == world.school.id)
            #expect(blocks[0].attemptId == second.id)

            // 8 hours on, wave 2's silent providers get NO_RESPONSE; CALL_BACK's hour has passed.
            try await world.advance(by: 8 * Self.hour)
            detail = try await world.wave(3, of: request.id)
            #expect(world.providers(ofWave: 3, detail) == ["aa-01", "aa-05"])
            #expect(try world.attempt("aa-01", wave: 3, detail).attemptNumber == 2)
            #expect(try world.attempt("aa-01", wave: 3, detail).opportunityId == first.opportunityId)

            let before = try await broadcast.stats(StatsRequest(requestId: request.id))
            let archived = try await broadcast.archiveDisposition(DispositionCodeRequest(code: "CALL_BACK"))
            #expect(archived.disposition.archived)
            #expect(try await broadcast.stats(StatsRequest(requestId: request.id)) == before)
            #expect(
                before.byDisposition.contains(DispositionCount(code: "CALL_BACK", label: "Call back later", count: 1)))
            let refused = await #expect(throws: RPCError.self) {
                try await broadcast.setDisposition(
                    SetDispositionRequest(attemptId: try world.attempt("aa-05", wave: 3, detail).id, code: "CALL_BACK"))
            }
            #expect(refused?.code == .failedPrecondition)
            let inUse = await #expect(throws: RPCError.self) {
                try await broadcast.deleteDisposition(DispositionCodeRequest(code: "CALL_BACK"))
            }
            #expect(inUse?.code == .failedPrecondition)
            #expect(!(try await broadcast.listDispositions().dispositions.contains { $0.code == "CALL_BACK" }))
            let all = try await broadcast.listDispositions(ListDispositionsRequest(includeArchived: true))
            #expect(all.dispositions.last?.code == "CALL_BACK" && all.dispositions.count == 9)

            let period = try await broadcast.stats(
                StatsRequest(
                    from: world.clock.now.addingTimeInterval(-86_400), to: world.clock.now.addingTimeInterval(1)))
            #expect(period.broadcasts == 1 && period.attempts == 6 && period.open == 2 && period.fillRate == 0)
        }
    }

    @Test func recycleBringsDispositionedProvidersBack() async throws {
        try await BroadcastWorld.with(policy: Self.manualStart) { world in
            let request = try await world.create(days: 5)
            let others = BroadcastWorld.pool.dropFirst(2) + ["Ada", "Ben"].map { world.fixture.providers[$0]!.id }
            var detail = try await world.broadcast.start(StartRequest(requestId: request.id, exclude: Array(others)))
            _ = try await world.respond("aa-01", interested: false, detail)
            _ = try await world.respond("aa-02", interested: false, detail)
            detail = try await world.detail(request.id) { $0.state == .exhausted }
            let recycled = try await world.broadcast.recycle(RecycleRequest(requestId: request.id))
            #expect(recycled.recycled.map(\.providerId) == ["aa-01", "aa-02"])
            detail = try await world.wave(2, of: request.id)
            #expect(world.providers(ofWave: 2, detail) == ["aa-01", "aa-02"])
            // Opportunities offers the DECLINED opportunities again (the service's re-offer): the
            // same opportunity, OFFERED, with the new attempt in its history.
            let second = detail.attempts.filter { $0.wave == 2 }
            #expect(second.count == 2 && second.allSatisfy { $0.status == .sent && $0.disposition == nil })
            let first = detail.attempts.filter { $0.wave == 1 }
            #expect(second.map(\.opportunityId) == first.map(\.opportunityId))
            let reoffered = try #require(second.first?.opportunityId)
            let history = try await world.opportunities.history(HistoryRequest(id: reoffered)).transitions
            #expect(history.map(\.action) == ["offer", "respondDeclined", "reoffer"])
            #expect(history.last?.to == .offered && history.last?.attemptId == second.first?.id)
            // The latest attempts are open offers now: none is DECLINED to recycle.
            #expect(
                try await world.broadcast.recycle(RecycleRequest(requestId: request.id, codes: ["DECLINED"])).recycled
                    .isEmpty)
        }
    }

    @Test func deliveryReportsAndPauseResumeStop() async throws {
        try await BroadcastWorld.with(policy: Self.recycledInRankOrder) { world in
            let broadcast = world.broadcast
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let delivered = try await broadcast.reportDelivery(
                ReportDeliveryRequest(attemptId: try world.attempt("aa-01", wave: 1, detail).id, delivered: true))
            #expect(delivered.attempt.deliveredAt != nil && delivered.attempt.disposition == nil)
            let failed = try await broadcast.reportDelivery(
                ReportDeliveryRequest(
                    attemptId: try world.attempt("aa-02", wave: 1, detail).id, delivered: false, error: "bounced"))
            #expect(failed.attempt.disposition == "DELIVERY_FAILED" && failed.attempt.deliveryError == "bounced")

            detail = try await broadcast.pause(BroadcastActionRequest(requestId: request.id, reason: "checking"))
            #expect(detail.state == .paused)
            try await world.advance(by: 8 * Self.hour)
            detail = try await broadcast.get(BroadcastRequestId(requestId: request.id))
            #expect(detail.state == .paused && detail.currentWave == 1)
            #expect(detail.attempts.map(\.disposition) == ["NO_RESPONSE", "DELIVERY_FAILED"])
            detail = try await broadcast.resume(BroadcastActionRequest(requestId: request.id))
            // aa-02's delivery failed 8 hours ago: back after an hour (DELIVERY_FAILED's rule); aa-01 after 2.
            #expect(detail.state == .running && world.providers(ofWave: 2, detail) == ["aa-02", "aa-03"])

            detail = try await broadcast.stop(BroadcastActionRequest(requestId: request.id, reason: "found someone"))
            #expect(detail.state == .stopped && detail.stopReason == "stopped by the partner: found someone")
            #expect(detail.attempts.suffix(2).map(\.disposition) == ["WITHDRAWN", "WITHDRAWN"])
            let refused = await #expect(throws: RPCError.self) {
                try await broadcast.pause(BroadcastActionRequest(requestId: request.id))
            }
            #expect(refused?.code == .failedPrecondition)
            detail = try await broadcast.start(StartRequest(requestId: request.id))
            #expect(detail.state == .running && detail.currentWave == 3)
            let listed = try await broadcast.list(ListBroadcastsRequest(state: .running))
            #expect(listed.broadcasts.map(\.requestId) == [request.id])
            #expect(try await broadcast.list(ListBroadcastsRequest(state: .filled)).broadcasts.isEmpty)
        }
    }
}
