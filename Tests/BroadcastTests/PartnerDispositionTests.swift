import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// The partner's dispositions and the provider's opportunity, through the bus: an answer the
/// dispatcher records, a final disposition that withdraws the offer, and how a request ends
/// unfilled; broadcast, opportunities and the statistics agree on each (docs/design.md, "Contact
/// dispositions", "Requests end").
@Suite("Broadcast through the bus: the partner's dispositions and opportunities", .serialized)
struct PartnerDispositionTests {
    static let hour: TimeInterval = 3600

    static func count(_ code: String, in stats: StatsResponse) -> Int {
        stats.byDisposition.first { $0.code == code }?.count ?? 0
    }

    @Test func theDispatcherRecordsAnswersAndBroadcastOpportunitiesAndTheStatisticsAgree() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let first = try world.attempt("aa-01", wave: 1, detail)
            let second = try world.attempt("aa-02", wave: 1, detail)

            // aa-01 said yes on the phone: the dispatcher sets INTERESTED.
            let set = try await world.broadcast.setDisposition(
                SetDispositionRequest(attemptId: first.id, code: "INTERESTED", recordedVia: "phone"))
            #expect(set.attempt.disposition == "INTERESTED" && set.attempt.dispositionBy == "partner")
            let interest = try await world.opportunities.getOpportunity(IdRequest(id: first.opportunityId!))
            #expect(interest.opportunity.state == .pending)
            let recorded = try await world.opportunities.history(HistoryRequest(id: first.opportunityId!))
                .transitions.last
            #expect(recorded?.action == "respondInterested" && recorded?.attemptId == first.id)
            #expect(recorded?.recordedBy == "partner" && recorded?.recordedVia == "phone")

            // aa-02 said no by email: the dispatcher records it in opportunities itself.
            _ = try await world.opportunities.respond(
                RespondRequest(opportunityId: second.opportunityId!, interested: false, recordedVia: "email"))
            detail = try await world.detail(request.id, "the wave answered") { $0.state == .waiting }
            #expect(detail.waitingFor == .interest && detail.pendingInterest == 1 && detail.currentWave == 1)
            #expect(detail.attempts.map(\.disposition) == ["INTERESTED", "DECLINED"])
            #expect(detail.attempts.map(\.dispositionBy) == ["partner", "partner"])
            let stats = try await world.broadcast.stats(StatsRequest(requestId: request.id))
            #expect(Self.count("INTERESTED", in: stats) == 1 && Self.count("DECLINED", in: stats) == 1)
            #expect(stats.timeToFirstInterestSeconds != nil)

            // Time passing sends no wave while the recorded interest covers the opening.
            try await world.advance(by: 9 * Self.hour)
            #expect(try await world.broadcast.get(BroadcastRequestId(requestId: request.id)).currentWave == 1)
            // Setting what opportunities already says is kept; contradicting it is refused.
            _ = try await world.broadcast.setDisposition(SetDispositionRequest(attemptId: second.id, code: "DECLINED"))
            let refused = await #expect(throws: RPCError.self) {
                try await world.broadcast.setDisposition(SetDispositionRequest(attemptId: first.id, code: "DECLINED"))
            }
            #expect(refused?.code == .failedPrecondition)
            #expect(try await world.broadcast.stats(StatsRequest(requestId: request.id)) == stats)
        }
    }

    @Test func aFinalDispositionWithdrawsTheOfferAndIsNeverReplacedByTheProvidersAnswer() async throws {
        try await BroadcastWorld.with { world in
            _ = try await world.broadcast.defineDisposition(
                DefineDispositionRequest(code: "MOVED_AWAY", label: "Moved away", final: true))
            _ = try await world.broadcast.defineDisposition(
                DefineDispositionRequest(code: "CALL_BACK", label: "Call back later"))
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let first = try world.attempt("aa-01", wave: 1, detail)
            let second = try world.attempt("aa-02", wave: 1, detail)

            _ = try await world.broadcast.setDisposition(
                SetDispositionRequest(attemptId: first.id, code: "DO_NOT_CONTACT"))
            _ = try await world.broadcast.setDisposition(
                SetDispositionRequest(attemptId: second.id, code: "MOVED_AWAY"))
            for (attempt, code) in [(first, "DO_NOT_CONTACT"), (second, "MOVED_AWAY")] {
                let opportunity = try await world.opportunities.getOpportunity(IdRequest(id: attempt.opportunityId!))
                #expect(opportunity.opportunity.state == .declined, "\(code)")
                let last = try await world.opportunities.history(HistoryRequest(id: attempt.opportunityId!))
                    .transitions.last
                #expect(last?.action == "withdrawOffer" && last?.reason == code && last?.attemptId == attempt.id)
                // The provider's answer comes too late: refused, in so many words.
                let provider = OpportunitiesClient(
                    world.opportunitiesRPC,
                    actor: Actor(role: .provider, partnerId: world.partnerId, id: attempt.providerId))
                let error = await #expect(throws: RPCError.self) {
                    try await provider.respond(RespondRequest(opportunityId: attempt.opportunityId!, interested: true))
                }
                #expect(error?.code == .failedPrecondition && error?.message.contains("withdrawn") == true)
            }
            detail = try await world.wave(2, of: request.id)
            #expect(detail.attempts.prefix(2).map(\.disposition) == ["DO_NOT_CONTACT", "MOVED_AWAY"])

            // A provider's own answer never replaces a disposition the partner set.
            let third = try world.attempt("aa-03", wave: 2, detail)
            _ = try await world.broadcast.setDisposition(SetDispositionRequest(attemptId: third.id, code: "CALL_BACK"))
            _ = try await world.respond("aa-03", interested: true, detail)
            detail = try await world.detail(request.id, "aa-03's interest counted") { $0.pendingInterest == 1 }
            #expect(try world.attempt("aa-03", wave: 2, detail).disposition == "CALL_BACK")
            let stats = try await world.broadcast.stats(StatsRequest(requestId: request.id))
            #expect(Self.count("DO_NOT_CONTACT", in: stats) == 1 && Self.count("MOVED_AWAY", in: stats) == 1)
            #expect(Self.count("CALL_BACK", in: stats) == 1 && Self.count("INTERESTED", in: stats) == 0)
            #expect(try await world.broadcast.listBlocks().blocks.map(\.providerId) == ["aa-01"])
        }
    }

    @Test func aJobStartingWithSlotsOpenWarnsOnceThenEndsUnfilledAndStopsTheBroadcast() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 2)
            try await world.wave(1, of: request.id)
            let opportunitiesEvents = { (type: String) async throws -> Int in
                try await world.opportunitiesRPC.readEvents(
                    Opportunities.service, afterSeq: 0, limit: 1000, actor: world.partner
                ).events.filter { $0.type == type }.count
            }
            try await world.advance(by: 23 * Self.hour)
            #expect(try await opportunitiesEvents(Opportunities.EventType.requestUnfilledSoon) == 0)
            try await world.advance(by: Self.hour)
            try await world.advance(by: 12 * Self.hour)
            #expect(try await opportunitiesEvents(Opportunities.EventType.requestUnfilledSoon) == 1)

            try await world.advance(by: 12 * Self.hour)
            let detail = try await world.detail(request.id, "stopped at the start") { $0.state == .stopped }
            #expect(detail.stopReason == "the job started unfilled")
            let view = try await world.opportunities.getRequest(IdRequest(id: request.id))
            #expect(view.request.status == .unfilled)
            #expect(!view.opportunities.isEmpty && view.opportunities.allSatisfy { $0.state == .declined })
            #expect(try await opportunitiesEvents(Opportunities.EventType.requestUnfilled) == 1)
            #expect(try await opportunitiesEvents(Opportunities.EventType.requestUnfilledSoon) == 1)
        }
    }
}
