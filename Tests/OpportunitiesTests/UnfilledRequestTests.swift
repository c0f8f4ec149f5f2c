import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// How a request ends when its slots stay open, through the bus on the manual clock: warned once
/// at the partner's lead time before the start, unfilled at the start (docs/design.md, "Requests
/// end").
@Suite("Opportunities: unfilled requests", .serialized)
struct UnfilledRequestTests {
    typealias Fixture = OpportunitiesFixture
    static let hour: TimeInterval = 3600

    static func requestEvents(_ f: Fixture, _ type: String) async throws -> [RequestChanged] {
        try await f.events(type).map {
            try WireCoding.decode(RequestChanged.self, from: try WireCoding.encode($0.data))
        }
    }

    @Test func slotsStillOpenWarnOnceAtTheLeadTimeAndTheStartLeavesTheRequestUnfilled() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let member = try await f.assign(try await f.interested(request, "pr-1"))
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"))
                .opportunity
            let interest = try await f.interested(request, "pr-3")

            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-25 * Self.hour))
            #expect(try await Self.requestEvents(f, Opportunities.EventType.requestUnfilledSoon).isEmpty)
            let warnedAt = Fixture.jobStart.addingTimeInterval(-24 * Self.hour)
            try await f.clock.set(warnedAt)
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-Self.hour))
            let warnings = try await Self.requestEvents(f, Opportunities.EventType.requestUnfilledSoon)
            #expect(warnings.map(\.request.id) == [request.id])
            #expect(warnings.first?.slotsOpen == 1 && warnings.first?.request.unfilledSoonAt == warnedAt)
            var view = try await f.call(Opportunities.getRequest, IdRequest(id: request.id))
            #expect(view.request.status == .open && view.request.unfilledSoonAt == warnedAt)

            try await f.clock.set(Fixture.jobStart)
            view = try await f.call(Opportunities.getRequest, IdRequest(id: request.id))
            #expect(view.request.status == .unfilled)
            let states = Dictionary(uniqueKeysWithValues: view.opportunities.map { ($0.id, $0.state) })
            #expect(states == [member.id: .contingent, offered.id: .declined, interest.id: .declined])
            let unfilled = try await Self.requestEvents(f, Opportunities.EventType.requestUnfilled)
            #expect(unfilled.map(\.request.id) == [request.id] && unfilled.first?.slotsOpen == 1)
            #expect(try await Self.requestEvents(f, Opportunities.EventType.requestUnfilledSoon).count == 1)
            let listed = try await f.call(Opportunities.listRequests, ListRequestsRequest(status: .unfilled))
            #expect(listed.requests.map(\.id) == [request.id])

            // Unfilled is final: the request takes no offer and is not cancelled.
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.cancelRequest, CancelRequestRequest(id: request.id))
            }
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-4"))
            }
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(Self.hour))
            #expect(try await Self.requestEvents(f, Opportunities.EventType.requestUnfilled).count == 1)
        }
    }

    @Test func theLeadTimeIsThePartnersAndAFilledRequestIsWarnedOnlyWhenItReopens() async throws {
        try await Fixture.run { f in
            let defaults = try await f.call(Opportunities.getSettings, Empty()).settings
            #expect(defaults.unfilledSoonLeadHours == 24 && defaults.version == 0)
            let filled = try await f.request()
            let member = try await f.assign(try await f.interested(filled, "pr-1"))
            let open = try await f.request()
            let set = try await f.call(
                Opportunities.setSettings,
                SetOpportunitiesSettingsRequest(unfilledSoonLeadHours: 48, expectedVersion: 0))
            #expect(set.settings.unfilledSoonLeadHours == 48 && set.settings.version == 1)
            #expect(try await f.call(Opportunities.getSettings, Empty()) == set)
            // The same value again changes nothing.
            #expect(
                try await f.call(Opportunities.setSettings, SetOpportunitiesSettingsRequest(unfilledSoonLeadHours: 48))
                    .settings.version == 1)

            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-48 * Self.hour))
            var warned = try await Self.requestEvents(f, Opportunities.EventType.requestUnfilledSoon)
            #expect(warned.map(\.request.id) == [open.id])
            // The filled one loses its member inside the lead time: warned then, once.
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-30 * Self.hour))
            _ = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: member.id, reason: "ill"),
                as: Fixture.provider("pr-1"))
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-2 * Self.hour))
            warned = try await Self.requestEvents(f, Opportunities.EventType.requestUnfilledSoon)
            #expect(warned.map(\.request.id) == [open.id, filled.id])
            #expect(warned.last?.request.unfilledSoonAt == Fixture.jobStart.addingTimeInterval(-30 * Self.hour))

            // A request made inside the lead time is warned as it is made; with warnings off, none is.
            let late = try await f.request()
            #expect(late.unfilledSoonAt == Fixture.jobStart.addingTimeInterval(-2 * Self.hour))
            _ = try await f.call(Opportunities.setSettings, SetOpportunitiesSettingsRequest(unfilledSoonLeadHours: 0))
            let quiet = try await f.request()
            #expect(quiet.unfilledSoonAt == nil)
            warned = try await Self.requestEvents(f, Opportunities.EventType.requestUnfilledSoon)
            #expect(warned.map(\.request.id) == [open.id, filled.id, late.id])
        }
    }
}
