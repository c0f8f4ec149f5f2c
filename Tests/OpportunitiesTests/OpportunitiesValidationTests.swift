import Contracts
import Foundation
import Testing
import Transport
import Wire

/// Bad input, other tenants and wrong roles: the right code and field, and nothing changed.
@Suite("Opportunities validation, tenancy and roles", .serialized)
struct OpportunitiesValidationTests {
    @Test func everyProbeFailsCleanlyAndChangesNothing() async throws {
        let f = try await OpportunitiesFixture.make()
        defer { Task { await f.shutdown() } }
        let request = try await f.request(teamSize: 2)
        let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1")).opportunity
        let start = OpportunitiesFixture.jobStart
        let other = Actor(role: .partner, partnerId: "p-other")
        let stranger = Actor(role: .customer, partnerId: "p-1", id: "cu-other")
        func create(_ change: (inout CreateRequestRequest) -> Void) -> CreateRequestRequest {
            var body = CreateRequestRequest(customerId: "cu-1", providerType: "asl", startsAt: start, endsAt: start.addingTimeInterval(3600), remote: true)
            change(&body)
            return body
        }
        let probes: [(String, StatusCode, String?, () async -> RPCError)] = [
            ("ends before it starts", .invalidArgument, "body.endsAt", { await f.failure(Opportunities.createRequest, create { $0.endsAt = start }) }),
            ("starts in the past", .invalidArgument, "body.startsAt", { await f.failure(Opportunities.createRequest, create { $0.startsAt = OpportunitiesFixture.start.addingTimeInterval(-60) }) }),
            ("team of zero", .invalidArgument, "body.teamSize", { await f.failure(Opportunities.createRequest, create { $0.teamSize = 0 }) }),
            ("on-site without a location", .invalidArgument, "body.location", { await f.failure(Opportunities.createRequest, create { $0.remote = false }) }),
            ("latitude out of range", .invalidArgument, "body.location.lat", { await f.failure(Opportunities.createRequest, create { $0.remote = false; $0.location = GeoPoint(lat: 99, lon: 0) }) }),
            ("empty provider type", .invalidArgument, "body.providerType", { await f.failure(Opportunities.createRequest, create { $0.providerType = " " }) }),
            ("unknown customer", .notFound, "body.customerId", { await f.failure(Opportunities.createRequest, create { $0.customerId = "cu-nope" }) }),
            ("unknown qualification", .notFound, "body.requiredQualificationIds", { await f.failure(Opportunities.createRequest, create { $0.requiredQualificationIds = ["q-nope"] }) }),
            ("a customer creating for another", .invalidArgument, "body.customerId", { await f.failure(Opportunities.createRequest, create { $0.customerId = "cu-1" }, as: stranger) }),
            ("unknown request", .notFound, "body.id", { await f.failure(Opportunities.getRequest, IdRequest(id: "rq-nope")) }),
            ("another tenant's request", .notFound, "body.id", { await f.failure(Opportunities.getRequest, IdRequest(id: request.id), as: other) }),
            ("another customer's request", .notFound, "body.id", { await f.failure(Opportunities.getRequest, IdRequest(id: request.id), as: stranger) }),
            ("cancelling another customer's request", .notFound, "body.id", { await f.failure(Opportunities.cancelRequest, CancelRequestRequest(id: request.id), as: stranger) }),
            ("offer on an unknown request", .notFound, "body.requestId", { await f.failure(Opportunities.offer, OfferRequest(requestId: "rq-nope", providerId: "pr-2")) }),
            ("offer to another tenant's request", .notFound, "body.requestId", { await f.failure(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"), as: other) }),
            ("a customer offering", .permissionDenied, nil, { await f.failure(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"), as: f.customer) }),
            ("a partner responding for a provider", .permissionDenied, nil, { await f.failure(Opportunities.respond, RespondRequest(opportunityId: offered.id, interested: true)) }),
            ("responding to an unknown opportunity", .notFound, "body.opportunityId", { await f.failure(Opportunities.respond, RespondRequest(opportunityId: "op-nope", interested: true), as: OpportunitiesFixture.provider("pr-1")) }),
            ("deciding an offer nobody answered", .failedPrecondition, nil, { await f.failure(Opportunities.decide, DecideRequest(opportunityId: offered.id, assign: true)) }),
            ("deciding with a stale version", .aborted, "body.expectedVersion", { await f.failure(Opportunities.decide, DecideRequest(opportunityId: offered.id, assign: true, expectedVersion: 5)) }),
            ("a provider deciding", .permissionDenied, nil, { await f.failure(Opportunities.decide, DecideRequest(opportunityId: offered.id, assign: true), as: OpportunitiesFixture.provider("pr-1")) }),
            ("cancelling without a reason", .invalidArgument, "body.reason", { await f.failure(Opportunities.cancel, CancelRequestBody(opportunityId: offered.id, reason: "")) }),
            ("cancelling an offer", .failedPrecondition, nil, { await f.failure(Opportunities.cancel, CancelRequestBody(opportunityId: offered.id, reason: "x")) }),
            ("another provider's opportunity", .notFound, "body.id", { await f.failure(Opportunities.getOpportunity, IdRequest(id: offered.id), as: OpportunitiesFixture.provider("pr-2")) }),
            ("another tenant's history", .notFound, "body.id", { await f.failure(Opportunities.history, HistoryRequest(id: offered.id), as: other) }),
            ("a partner seeking a replacement", .permissionDenied, nil, { await f.failure(Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: offered.id)) }),
            ("seeking a replacement for an offer", .failedPrecondition, nil, { await f.failure(Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: offered.id), as: f.customer) }),
            ("a customer marking a no-show", .permissionDenied, nil, { await f.failure(Opportunities.markNoShow, OpportunityActionRequest(opportunityId: offered.id), as: f.customer) }),
            ("listing without a filter", .invalidArgument, "body.requestId", { await f.failure(Opportunities.listOpportunities, ListOpportunitiesRequest()) }),
            ("a band over 100 %", .invalidArgument, "body.bands[0].billablePercent", { await f.failure(Opportunities.setCancellationPolicy, SetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1", bands: [CancellationBand(hoursBeforeStart: 24, billablePercent: 120)])) }),
            ("a negative band", .invalidArgument, "body.bands[0].hoursBeforeStart", { await f.failure(Opportunities.setCancellationPolicy, SetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1", bands: [CancellationBand(hoursBeforeStart: -1, billablePercent: 10)])) }),
            ("a customer setting policies", .permissionDenied, nil, { await f.failure(Opportunities.setCancellationPolicy, SetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1", bands: []), as: f.customer) }),
            ("a provider without an id", .invalidArgument, "actor.id", { await f.failure(Opportunities.getOpportunity, IdRequest(id: offered.id), as: Actor(role: .provider, partnerId: "p-1")) }),
        ]
        let before = try await f.client.readEvents("opportunities", afterSeq: 0).lastSeq
        for (name, code, field, probe) in probes {
            let error = await probe()
            #expect(error.code == code, "\(name): \(error)")
            if let field { #expect(error.details.map(\.field).contains(field), "\(name): \(error.details)") }
        }
        #expect(try await f.client.readEvents("opportunities", afterSeq: 0).lastSeq == before, "a failed call wrote an event")
        #expect(try await f.call(Opportunities.getOpportunity, IdRequest(id: offered.id)).opportunity == offered)
    }

    @Test func mutationsAcceptIdempotencyKeys() async throws {
        let f = try await OpportunitiesFixture.make()
        defer { Task { await f.shutdown() } }
        let body = CreateRequestRequest(customerId: "cu-1", providerType: "asl", startsAt: OpportunitiesFixture.jobStart, endsAt: OpportunitiesFixture.jobStart.addingTimeInterval(3600))
        let options = CallOptions(idempotencyKey: "create-1", retry: .none)
        let first = try await f.client.call(Opportunities.createRequest, body, actor: f.partner, options: options)
        let again = try await f.client.call(Opportunities.createRequest, body, actor: f.partner, options: options)
        #expect(first == again)
        #expect(try await f.call(Opportunities.listRequests, ListRequestsRequest()).requests.count == 1)
    }
}
