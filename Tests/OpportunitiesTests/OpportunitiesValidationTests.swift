import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Bad input, other tenants and wrong roles: the right code and field, and nothing changed.
@Suite("Opportunities validation, tenancy and roles", .serialized)
struct OpportunitiesValidationTests {
    typealias Fixture = OpportunitiesFixture

    /// One bad call and what it must answer.
    struct Probe {
        var name: String
        var code: StatusCode
        /// The field the answer must name, when it names one.
        var field: String?
        var call: () async throws -> Void

        init(_ name: String, _ code: StatusCode, _ field: String?, call: @escaping () async throws -> Void) {
            self.name = name
            self.code = code
            self.field = field
            self.call = call
        }
    }

    @Test func everyProbeFailsCleanlyAndChangesNothing() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
                .opportunity
            let start = Fixture.jobStart
            let other = Actor(role: .partner, partnerId: "p-other")
            let stranger = Actor(role: .customer, partnerId: "p-1", id: "cu-other")
            let provider1 = Fixture.provider("pr-1")
            let provider2 = Fixture.provider("pr-2")
            func create(_ change: (inout CreateRequestRequest) -> Void) -> CreateRequestRequest {
                var body = CreateRequestRequest(
                    customerId: "cu-1", providerType: "asl", startsAt: start, endsAt: start.addingTimeInterval(3600),
                    remote: true)
                change(&body)
                return body
            }
            func bands(_ bands: [CancellationBand]) -> SetCancellationPolicyRequest {
                SetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1", bands: bands)
            }
            let probes: [Probe] = [
                Probe("ends before it starts", .invalidArgument, "body.endsAt") {
                    _ = try await f.call(Opportunities.createRequest, create { $0.endsAt = start })
                },
                Probe("starts in the past", .invalidArgument, "body.startsAt") {
                    let past = Fixture.start.addingTimeInterval(-60)
                    _ = try await f.call(Opportunities.createRequest, create { $0.startsAt = past })
                },
                Probe("team of zero", .invalidArgument, "body.teamSize") {
                    _ = try await f.call(Opportunities.createRequest, create { $0.teamSize = 0 })
                },
                Probe("on-site without a location", .invalidArgument, "body.location") {
                    _ = try await f.call(Opportunities.createRequest, create { $0.remote = false })
                },
                Probe("latitude out of range", .invalidArgument, "body.location.lat") {
                    let body = create {
                        $0.remote = false
                        $0.location = GeoPoint(lat: 99, lon: 0)
                    }
                    _ = try await f.call(Opportunities.createRequest, body)
                },
                Probe("empty provider type", .invalidArgument, "body.providerType") {
                    _ = try await f.call(Opportunities.createRequest, create { $0.providerType = " " })
                },
                Probe("unknown customer", .notFound, "body.customerId") {
                    _ = try await f.call(Opportunities.createRequest, create { $0.customerId = "cu-nope" })
                },
                Probe("unknown qualification", .notFound, "body.requiredQualificationIds") {
                    let body = create { $0.requiredQualificationIds = ["q-nope"] }
                    _ = try await f.call(Opportunities.createRequest, body)
                },
                Probe("a customer creating for another", .invalidArgument, "body.customerId") {
                    _ = try await f.call(Opportunities.createRequest, create { $0.customerId = "cu-1" }, as: stranger)
                },
                Probe("unknown request", .notFound, "body.id") {
                    _ = try await f.call(Opportunities.getRequest, IdRequest(id: "rq-nope"))
                },
                Probe("another tenant's request", .notFound, "body.id") {
                    _ = try await f.call(Opportunities.getRequest, IdRequest(id: request.id), as: other)
                },
                Probe("another customer's request", .notFound, "body.id") {
                    _ = try await f.call(Opportunities.getRequest, IdRequest(id: request.id), as: stranger)
                },
                Probe("cancelling another customer's request", .notFound, "body.id") {
                    _ = try await f.call(
                        Opportunities.cancelRequest, CancelRequestRequest(id: request.id), as: stranger)
                },
                Probe("offer on an unknown request", .notFound, "body.requestId") {
                    _ = try await f.call(Opportunities.offer, OfferRequest(requestId: "rq-nope", providerId: "pr-2"))
                },
                Probe("offer to another tenant's request", .notFound, "body.requestId") {
                    _ = try await f.call(
                        Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"), as: other)
                },
                Probe("a customer offering", .permissionDenied, nil) {
                    _ = try await f.call(
                        Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"), as: f.customer)
                },
                Probe("a customer responding for a provider", .permissionDenied, nil) {
                    let answer = RespondRequest(opportunityId: offered.id, interested: true)
                    _ = try await f.call(Opportunities.respond, answer, as: f.customer)
                },
                Probe("a provider saying how its own answer was recorded", .invalidArgument, "body.recordedVia") {
                    let answer = RespondRequest(opportunityId: offered.id, interested: true, recordedVia: "phone")
                    _ = try await f.call(Opportunities.respond, answer, as: provider1)
                },
                Probe("a quote with a refusal", .invalidArgument, "body.quote") {
                    let quote = Quote(amount: 10, currency: "USD", per: .hour)
                    let answer = RespondRequest(opportunityId: offered.id, interested: false, quote: quote)
                    _ = try await f.call(Opportunities.respond, answer, as: provider1)
                },
                Probe("a quote in a currency that is no ISO 4217 code", .invalidArgument, "body.quote.currency") {
                    let quote = Quote(amount: 10, currency: "usd", per: .hour)
                    let answer = RespondRequest(opportunityId: offered.id, interested: true, quote: quote)
                    _ = try await f.call(Opportunities.respond, answer, as: provider1)
                },
                Probe("a negative quote", .invalidArgument, "body.quote.amount") {
                    let quote = Quote(amount: -1, currency: "USD", per: .job)
                    let answer = RespondRequest(opportunityId: offered.id, interested: true, quote: quote)
                    _ = try await f.call(Opportunities.respond, answer, as: provider1)
                },
                Probe("withdrawing an offer without a reason", .invalidArgument, "body.reason") {
                    _ = try await f.call(
                        Opportunities.withdrawOffer, WithdrawOfferRequest(opportunityId: offered.id, reason: " "))
                },
                Probe("a provider withdrawing its offer", .permissionDenied, nil) {
                    _ = try await f.call(
                        Opportunities.withdrawOffer, WithdrawOfferRequest(opportunityId: offered.id, reason: "no"),
                        as: provider1)
                },
                Probe("a lead time beyond 30 days", .invalidArgument, "body.unfilledSoonLeadHours") {
                    _ = try await f.call(
                        Opportunities.setSettings, SetOpportunitiesSettingsRequest(unfilledSoonLeadHours: 721))
                },
                Probe("settings at a stale version", .aborted, "body.expectedVersion") {
                    _ = try await f.call(
                        Opportunities.setSettings,
                        SetOpportunitiesSettingsRequest(unfilledSoonLeadHours: 12, expectedVersion: 3))
                },
                Probe("responding to an unknown opportunity", .notFound, "body.opportunityId") {
                    _ = try await f.call(
                        Opportunities.respond, RespondRequest(opportunityId: "op-nope", interested: true),
                        as: provider1)
                },
                Probe("deciding an offer nobody answered", .failedPrecondition, nil) {
                    _ = try await f.call(Opportunities.decide, DecideRequest(opportunityId: offered.id, assign: true))
                },
                Probe("deciding with a stale version", .aborted, "body.expectedVersion") {
                    let stale = DecideRequest(opportunityId: offered.id, assign: true, expectedVersion: 5)
                    _ = try await f.call(Opportunities.decide, stale)
                },
                Probe("a provider deciding", .permissionDenied, nil) {
                    _ = try await f.call(
                        Opportunities.decide, DecideRequest(opportunityId: offered.id, assign: true), as: provider1)
                },
                Probe("cancelling without a reason", .invalidArgument, "body.reason") {
                    _ = try await f.call(Opportunities.cancel, CancelRequestBody(opportunityId: offered.id, reason: ""))
                },
                Probe("cancelling an offer", .failedPrecondition, nil) {
                    let cancellation = CancelRequestBody(opportunityId: offered.id, reason: "x")
                    _ = try await f.call(Opportunities.cancel, cancellation)
                },
                Probe("another provider's opportunity", .notFound, "body.id") {
                    _ = try await f.call(Opportunities.getOpportunity, IdRequest(id: offered.id), as: provider2)
                },
                Probe("another tenant's history", .notFound, "body.id") {
                    _ = try await f.call(Opportunities.history, HistoryRequest(id: offered.id), as: other)
                },
                Probe("a partner seeking a replacement", .permissionDenied, nil) {
                    let body = OpportunityActionRequest(opportunityId: offered.id)
                    _ = try await f.call(Opportunities.seekReplacement, body)
                },
                Probe("seeking a replacement for an offer", .failedPrecondition, nil) {
                    _ = try await f.call(
                        Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: offered.id),
                        as: f.customer)
                },
                Probe("a customer marking a no-show", .permissionDenied, nil) {
                    _ = try await f.call(
                        Opportunities.markNoShow, OpportunityActionRequest(opportunityId: offered.id), as: f.customer)
                },
                Probe("listing without a filter", .invalidArgument, "body.requestId") {
                    _ = try await f.call(Opportunities.listOpportunities, ListOpportunitiesRequest())
                },
                Probe("a band over 100 %", .invalidArgument, "body.bands[0].billablePercent") {
                    let over = bands([CancellationBand(hoursBeforeStart: 24, billablePercent: 120)])
                    _ = try await f.call(Opportunities.setCancellationPolicy, over)
                },
                Probe("a negative band", .invalidArgument, "body.bands[0].hoursBeforeStart") {
                    let negative = bands([CancellationBand(hoursBeforeStart: -1, billablePercent: 10)])
                    _ = try await f.call(Opportunities.setCancellationPolicy, negative)
                },
                Probe("a customer setting policies", .permissionDenied, nil) {
                    _ = try await f.call(Opportunities.setCancellationPolicy, bands([]), as: f.customer)
                },
                Probe("a customer choosing the decision", .permissionDenied, "body.decision") {
                    let body = create { $0.decision = DecisionPolicy(decider: .customer, mode: .automatic) }
                    _ = try await f.call(Opportunities.createRequest, body, as: f.customer)
                },
                Probe("a customer overriding its defaults", .permissionDenied, "body.overrideDefaults") {
                    _ = try await f.call(
                        Opportunities.createRequest, create { $0.overrideDefaults = false }, as: f.customer)
                },
                Probe("a replacement named for a decline", .invalidArgument, "body.replacesOpportunityId") {
                    let body = DecideRequest(
                        opportunityId: offered.id, assign: false, replacesOpportunityId: offered.id)
                    _ = try await f.call(Opportunities.decide, body)
                },
                Probe("a policy for an unknown customer", .notFound, "body.subjectId") {
                    let body = SetCancellationPolicyRequest(scope: .customer, subjectId: "cu-nope", bands: [])
                    _ = try await f.call(Opportunities.setCancellationPolicy, body)
                },
                Probe("another customer's policy", .notFound, "body.subjectId") {
                    let body = GetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1")
                    _ = try await f.call(Opportunities.getCancellationPolicy, body, as: stranger)
                },
                Probe("a provider reading a customer's policy", .notFound, "body.subjectId") {
                    let body = GetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1")
                    _ = try await f.call(Opportunities.getCancellationPolicy, body, as: provider1)
                },
                Probe("a provider without an id", .invalidArgument, "actor.id") {
                    let anonymous = Actor(role: .provider, partnerId: "p-1")
                    _ = try await f.call(Opportunities.getOpportunity, IdRequest(id: offered.id), as: anonymous)
                },
            ]
            let before = try await f.client.readEvents("opportunities", afterSeq: 0).lastSeq
            for probe in probes {
                let error = await #expect(throws: RPCError.self, "\(probe.name)") { try await probe.call() }
                #expect(error?.code == probe.code, "\(probe.name): \(String(describing: error))")
                if let field = probe.field {
                    let fields = error?.details.map(\.field) ?? []
                    #expect(fields.contains(field), "\(probe.name): \(fields)")
                }
            }
            let after = try await f.client.readEvents("opportunities", afterSeq: 0).lastSeq
            #expect(after == before, "a failed call wrote an event")
            #expect(try await f.call(Opportunities.getOpportunity, IdRequest(id: offered.id)).opportunity == offered)
        }
    }

    @Test func mutationsAcceptIdempotencyKeys() async throws {
        try await Fixture.run { f in
            let body = CreateRequestRequest(
                customerId: "cu-1", providerType: "asl", startsAt: Fixture.jobStart,
                endsAt: Fixture.jobStart.addingTimeInterval(3600))
            let options = CallOptions.patient(idempotencyKey: "create-1", retry: .none)
            let first = try await f.client.call(Opportunities.createRequest, body, actor: f.partner, options: options)
            let again = try await f.client.call(Opportunities.createRequest, body, actor: f.partner, options: options)
            #expect(first == again)
            #expect(try await f.call(Opportunities.listRequests, ListRequestsRequest()).requests.count == 1)
        }
    }
}
