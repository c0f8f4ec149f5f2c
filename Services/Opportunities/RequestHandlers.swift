import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Requests: created with the customer's defaults from the registry, read, listed and cancelled.
struct RequestHandlers: OpportunitiesRequestHandling {
    let store: OpportunitiesStore
    let environment: ServiceEnvironment

    private var now: Date { environment.clock.now }

    /// Validates the request, merges in the customer's defaults (skipping, with a note, those
    /// that do not fit it) and checks every qualification and code with the registry before
    /// saving. The decision policy is the request's (set by the partner) or the customer's.
    func createRequest(_ body: CreateRequestRequest, _ context: CallerContext) async throws -> RequestReply {
        if let replay = try await store.storedReply(context, request: body, as: RequestReply.self) {
            return replay
        }
        var validator = Validator()
        validator.require(!body.customerId.isEmpty, "body.customerId", "must not be empty")
        if context.role == .customer {
            validator.require(body.customerId == context.actorId, "body.customerId", "must be the acting customer")
        }
        let providerType = validator.name(body.providerType, field: "body.providerType")
        validator.require(body.startsAt < body.endsAt, "body.endsAt", "must be after startsAt")
        validator.require(body.startsAt > now, "body.startsAt", "must be in the future")
        let teamSize = body.teamSize ?? 1
        validator.require(
            RequestRecord.teamSizes.contains(teamSize), "body.teamSize",
            "must be from \(RequestRecord.teamSizes.lowerBound) to \(RequestRecord.teamSizes.upperBound)")
        let remote = body.remote ?? (body.location == nil)
        if !remote { validator.require(body.location != nil, "body.location", "is required for an on-site request") }
        validator.location(body.location, field: "body.location")
        let required = validator.codes(body.requiredQualificationIds, field: "body.requiredQualificationIds")
        let preferred = validator.codes(body.preferredQualificationIds, field: "body.preferredQualificationIds")
        try validator.check()
        // The decision policy and whether defaults apply are the partner's to say.
        if context.role == .customer {
            if body.decision != nil {
                throw OpportunitiesError.fieldNotPermitted(field: "body.decision", role: context.role)
            }
            if body.overrideDefaults != nil {
                throw OpportunitiesError.fieldNotPermitted(field: "body.overrideDefaults", role: context.role)
            }
        }

        // The customer's defaults and lists, the qualifications and the vocabulary come from the registry.
        let registry = try environment.registry(onBehalfOf: context)
        let customer = try await registry.customer(body.customerId, field: "body.customerId")
        let vocabulary = try await registry.vocabulary()
        if !vocabulary.allows(providerType, as: .providerType) {
            throw OpportunitiesError.unknownCode(kind: .providerType, code: providerType, field: "body.providerType")
        }
        if let zone = body.zone, !vocabulary.allows(zone, as: .zone) {
            throw OpportunitiesError.unknownCode(kind: .zone, code: zone, field: "body.zone")
        }
        let known = Dictionary(uniqueKeysWithValues: try await registry.allQualifications().map { ($0.id, $0) })
        let merged = try RequestDefaults.merge(
            required: required, preferred: preferred, customer: customer,
            overrideDefaults: body.overrideDefaults == true, known: known, providerType: providerType,
            zone: body.zone)

        let now = self.now
        let record = RequestRecord(
            partnerId: context.partnerId, id: Identifier.make("rq"), customerId: body.customerId,
            providerType: providerType, startsAt: body.startsAt, endsAt: body.endsAt, remote: remote,
            location: body.location, zone: body.zone, teamSize: teamSize,
            requiredQualificationIds: merged.required, preferredQualificationIds: merged.preferred,
            preferredProviderIds: customer.lists.filter { $0.kind == .preferred }.map(\.providerId),
            decision: body.decision ?? customer.defaultDecision ?? DecisionPolicy(), status: .open, version: 1,
            createdAt: now, updatedAt: now)
        return try await store.mutate(context, body, at: now) { writer in
            var created = record
            try writer.create(&created, at: now)
            return RequestReply(request: created, defaultsSkipped: merged.skipped.isEmpty ? nil : merged.skipped)
        }
    }

    /// A request and its opportunities as the caller may see them; a provider sees a request only
    /// through its own opportunity on it.
    func getRequest(_ request: GetRequestRequest, _ context: CallerContext) async throws -> GetRequestResponse {
        try await store.read(context) { reader in
            let record = try reader.request(request.id, field: "body.id")
            var opportunities = try reader.opportunities(onRequest: record.id)
            if context.role == .provider { opportunities = opportunities.filter { $0.providerId == context.actorId } }
            try context.requireOwn(
                providerId: opportunities.first?.providerId, customerId: record.customerId, kind: "request",
                id: record.id, field: "body.id")
            return GetRequestResponse(
                request: OpportunityMasking.request(record, for: context.role),
                opportunities: try reader.views(opportunities, for: context.role))
        }
    }

    /// Requests by start, paged; a customer lists its own only.
    func listRequests(_ request: ListRequestsRequest, _ context: CallerContext) async throws -> ListRequestsResponse {
        guard (1...1000).contains(request.limit ?? 200) else {
            throw OpportunitiesError.invalidField("body.limit", "must be from 1 to 1000")
        }
        try Paging.validate(pageSize: request.pageSize)
        let all = try await store.read(context) { reader in
            try reader.requests(customerId: request.customerId, status: request.status, visibleTo: context)
        }
        let filters = [
            "requests", context.partnerId, "\(context.role)", context.actorId, request.customerId ?? "",
            request.status?.rawValue ?? "",
        ].joined(separator: "|")
        let page = try Paging.page(
            all, key: \.id, pageSize: request.pageSize ?? request.limit ?? 200, pageToken: request.pageToken,
            query: filters, maxBytes: environment.configuration.maxMessageBytes)
        return ListRequestsResponse(requests: page.items, nextPageToken: page.nextPageToken)
    }

    /// Cancels the request and every live opportunity on it, billable by the same rules as `Cancel`.
    func cancelRequest(_ request: CancelRequestRequest, _ context: CallerContext) async throws -> GetRequestResponse {
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var record = try writer.request(request.id, field: "body.id")
            try context.requireOwn(customerId: record.customerId, kind: "request", id: record.id, field: "body.id")
            var opportunities = try writer.opportunities(onRequest: record.id)
            if record.status != .cancelled && now >= record.endsAt {
                throw OpportunitiesError.requestEnded(requestId: record.id)
            }
            // Unfilled is final: its contingent members are cancelled one by one.
            if record.status == .unfilled { throw OpportunitiesError.requestUnfilled(requestId: record.id) }
            if record.status != .cancelled {
                // The request's cancellation is announced first: a subscriber applying the
                // opportunities' cancellations after it never sees an open slot to fill.
                try writer.setStatus(&record, .cancelled, event: Opportunities.EventType.requestCancelled, at: now)
                let reason = "request cancelled by \(context.role.rawValue)" + (request.reason.map { ": \($0)" } ?? "")
                for index in opportunities.indices
                where !OpportunityStateMachine.terminal.contains(opportunities[index].state) {
                    let percent = try writer.billablePercent(
                        request: record, providerId: opportunities[index].providerId, at: now)
                    try writer.move(
                        &opportunities[index], on: record, action: .withdrawForRequest, by: .system,
                        facts: TransitionFacts(billablePercent: percent), reason: reason, at: now)
                }
            }
            return GetRequestResponse(
                request: record, opportunities: try writer.views(opportunities, for: context.role))
        }
    }
}
