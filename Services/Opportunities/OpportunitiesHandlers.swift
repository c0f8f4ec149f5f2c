import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Transport
import Wire

/// The opportunities RPC handlers. Every mutation is one transaction: the state machine's
/// verdict, the opportunity, its history row, the request's status and their events together.
struct OpportunitiesHandlers: Sendable {
    let environment: ServiceEnvironment
    let store: OpportunitiesStore

    init(environment: ServiceEnvironment) {
        self.environment = environment
        store = OpportunitiesStore(outbox: environment.database.outbox)
    }

    var database: ServiceDatabase { environment.database }
    var now: Date { environment.clock.now }

    func register(into router: inout RPCRouter) {
        router.register(Opportunities.createRequest, createRequest)
        router.register(Opportunities.getRequest, getRequest)
        router.register(Opportunities.listRequests, listRequests)
        router.register(Opportunities.cancelRequest, cancelRequest)
        router.register(Opportunities.offer, offer)
        router.register(Opportunities.respond, respond)
        router.register(Opportunities.decide, decide)
        router.register(Opportunities.cancel, cancel)
        router.register(Opportunities.markNoShow, markNoShow)
        router.register(Opportunities.seekReplacement, seekReplacement)
        router.register(Opportunities.withdrawReplacement, withdrawReplacement)
        router.register(Opportunities.getOpportunity, getOpportunity)
        router.register(Opportunities.listOpportunities, listOpportunities)
        router.register(Opportunities.history, history)
        router.register(Opportunities.setCancellationPolicy, setCancellationPolicy)
    }

    // MARK: Identity and tenancy

    /// The acting role and id, with the partner the call is scoped to.
    private func actor(_ context: RequestContext) throws -> (Actor, String) {
        let partner = try context.partnerId()
        guard let actor = context.actor else { throw RPCError.invalidArgument(field: "actor", "is required") }
        if (actor.role == .customer || actor.role == .provider), (actor.id ?? "").isEmpty {
            throw RPCError.invalidArgument(field: "actor.id", "is required for role \(actor.role.rawValue)")
        }
        return (actor, partner)
    }

    /// A customer sees only its own requests; as for an unknown id, anything else is NOT_FOUND.
    private func requireVisible(_ request: RequestRecord, to actor: Actor, field: String) throws {
        if actor.role == .customer, request.customerId != actor.id { throw RPCError.notFound("request", id: request.id, field: field) }
    }

    /// A provider sees only its own opportunities, a customer those on its own requests.
    private func requireVisible(_ opportunity: Opportunity, request: RequestRecord, to actor: Actor, field: String) throws {
        if actor.role == .provider, opportunity.providerId != actor.id { throw RPCError.notFound("opportunity", id: opportunity.id, field: field) }
        if actor.role == .customer, request.customerId != actor.id { throw RPCError.notFound("opportunity", id: opportunity.id, field: field) }
    }

    private func checkVersion(_ expected: Int?, _ opportunity: Opportunity) throws {
        if let expected, expected != opportunity.version {
            throw RPCError(.aborted, "opportunity \(opportunity.id) is at version \(opportunity.version), not \(expected); read it again and retry",
                           details: [FieldViolation(field: "body.expectedVersion", description: "is stale (current \(opportunity.version))")])
        }
    }

    private func registry() throws -> RPCClient { try environment.client(Registry.service) }

    /// Reads from the registry as a service of the tenant; its NOT_FOUND names our field.
    private func fetch<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, partner: String, context: RequestContext,
        notFound: (kind: String, id: String, field: String)
    ) async throws -> Response {
        let client = try registry()
        do {
            return try await client.call(method, request, actor: Actor(role: .service, partnerId: partner), options: context.downstreamOptions())
        } catch {
            if error.code == .notFound { throw RPCError.notFound(notFound.kind, id: notFound.id, field: notFound.field) }
            throw error
        }
    }

    // MARK: Requests

    func createRequest(_ request: CreateRequestRequest, _ context: RequestContext) async throws -> RequestReply {
        let (actor, partner) = try actor(context)
        if let replay = try await database.storedReply(context, request: request, as: RequestReply.self) { return replay }
        var validator = Validator()
        validator.require(!request.customerId.isEmpty, "body.customerId", "must not be empty")
        if actor.role == .customer { validator.require(request.customerId == actor.id, "body.customerId", "must be the acting customer") }
        let providerType = validator.name(request.providerType, field: "body.providerType")
        validator.require(request.startsAt < request.endsAt, "body.endsAt", "must be after startsAt")
        validator.require(request.startsAt > now, "body.startsAt", "must be in the future")
        let teamSize = request.teamSize ?? 1
        validator.require((1...50).contains(teamSize), "body.teamSize", "must be from 1 to 50")
        let remote = request.remote ?? (request.location == nil)
        if !remote { validator.require(request.location != nil, "body.location", "is required for an on-site request") }
        if let location = request.location {
            validator.require((-90...90).contains(location.lat), "body.location.lat", "must be from -90 to 90")
            validator.require((-180...180).contains(location.lon), "body.location.lon", "must be from -180 to 180")
        }
        let required = validator.codes(request.requiredQualificationIds, field: "body.requiredQualificationIds")
        let preferred = validator.codes(request.preferredQualificationIds, field: "body.preferredQualificationIds")
        try validator.check()

        // The customer's defaults and lists, and the qualifications, come from the registry.
        let asService = Actor(role: .service, partnerId: partner)
        let registry = try registry()
        let customer = try await fetch(Registry.getCustomer, GetCustomerRequest(id: request.customerId), partner: partner, context: context, notFound: ("customer", request.customerId, "body.customerId")).customer
        let merge = { (given: [String], defaults: [String]) in
            request.overrideDefaults == true ? given : defaults + given.filter { !defaults.contains($0) }
        }
        let allRequired = merge(required, customer.defaultRequiredQualificationIds)
        let allPreferred = merge(preferred, customer.defaultPreferredQualificationIds).filter { !allRequired.contains($0) }
        var known: [Qualification] = []
        var pageToken: String?
        repeat {
            let page = try await registry.call(
                Registry.listQualifications, ListQualificationsRequest(includeArchived: true, pageToken: pageToken), actor: asService,
                options: context.downstreamOptions())
            known += page.qualifications
            pageToken = page.nextPageToken
        } while pageToken != nil
        let byId = Dictionary(uniqueKeysWithValues: known.map { ($0.id, $0) })
        for (field, ids) in [("body.requiredQualificationIds", allRequired), ("body.preferredQualificationIds", allPreferred)] {
            for id in ids {
                guard let qualification = byId[id] else { throw RPCError.notFound("qualification", id: id, field: field) }
                if qualification.archived {
                    throw RPCError(.failedPrecondition, "qualification \(qualification.name) is archived", details: [FieldViolation(field: field, description: "\(id) is archived")])
                }
                if let zone = request.zone, !qualification.zones.isEmpty, !qualification.zones.contains(zone) {
                    throw RPCError(.failedPrecondition, "qualification \(qualification.name) is not offered in zone \(zone)", details: [FieldViolation(field: field, description: "\(id) is not for zone \(zone)")])
                }
            }
        }
        let now = self.now
        let record = RequestRecord(
            partnerId: partner, id: Identifier.make("rq"), customerId: request.customerId, providerType: providerType,
            startsAt: request.startsAt, endsAt: request.endsAt, remote: remote, location: request.location, zone: request.zone,
            teamSize: teamSize, requiredQualificationIds: allRequired, preferredQualificationIds: allPreferred,
            preferredProviderIds: customer.lists.filter { $0.kind == .preferred }.map(\.providerId),
            decision: request.decision ?? DecisionPolicy(), status: .open, version: 1, createdAt: now, updatedAt: now)
        return try await database.mutate(context, request: request, now: now) { db in
            try record.insert(db)
            try database.outbox.append(db, type: Opportunities.EventType.requestCreated, partnerId: partner, occurredAt: now, data: record)
            return RequestReply(request: record)
        }
    }

    func getRequest(_ request: IdRequest, _ context: RequestContext) async throws -> GetRequestResponse {
        let (actor, partner) = try actor(context)
        return try await database.pool.read { db in
            let record = try OpportunitiesStore.request(db, partner: partner, id: request.id, field: "body.id")
            try requireVisible(record, to: actor, field: "body.id")
            var opportunities = try OpportunitiesStore.opportunities(db, partner: partner, requestId: record.id)
            if actor.role == .provider {
                opportunities = opportunities.filter { $0.providerId == actor.id }
                guard !opportunities.isEmpty else { throw RPCError.notFound("request", id: request.id, field: "body.id") }
            }
            return GetRequestResponse(request: record, opportunities: OpportunityMasking.visible(opportunities, for: actor.role))
        }
    }

    func listRequests(_ request: ListRequestsRequest, _ context: RequestContext) async throws -> ListRequestsResponse {
        let (actor, partner) = try actor(context)
        guard (1...1000).contains(request.limit ?? 200) else { throw RPCError.invalidArgument(field: "body.limit", "must be from 1 to 1000") }
        try Paging.validate(pageSize: request.pageSize)
        let all = try await database.pool.read { db in
            var query = RequestRecord.filter(RequestRecord.Columns.partnerId == partner)
            if actor.role == .customer { query = query.filter(RequestRecord.Columns.customerId == actor.id) }
            if let customer = request.customerId { query = query.filter(RequestRecord.Columns.customerId == customer) }
            if let status = request.status { query = query.filter(RequestRecord.Columns.status == status.rawValue) }
            return try query.order(RequestRecord.Columns.startsAt, Column("id")).fetchAll(db)
        }
        let filters = "requests|\(partner)|\(actor.role)|\(actor.id ?? "")|\(request.customerId ?? "")|\(request.status?.rawValue ?? "")"
        let page = try Paging.page(
            all, key: \.id, pageSize: request.pageSize ?? request.limit ?? 200, pageToken: request.pageToken, query: filters,
            maxBytes: environment.configuration.maxMessageBytes)
        return ListRequestsResponse(requests: page.items, nextPageToken: page.nextPageToken)
    }

    func cancelRequest(_ request: CancelRequestRequest, _ context: RequestContext) async throws -> GetRequestResponse {
        let (actor, partner) = try actor(context)
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var record = try OpportunitiesStore.request(db, partner: partner, id: request.id, field: "body.id")
            try requireVisible(record, to: actor, field: "body.id")
            var opportunities = try OpportunitiesStore.opportunities(db, partner: partner, requestId: record.id)
            if record.status != .cancelled {
                for index in opportunities.indices where !OpportunityStateMachine.terminal.contains(opportunities[index].state) {
                    let percent = try OpportunitiesStore.billablePercent(db, request: record, providerId: opportunities[index].providerId, at: now)
                    try store.move(db, &opportunities[index], request: record, action: .withdrawForRequest, actor: .system,
                                   facts: TransitionFacts(billablePercent: percent),
                                   reason: "request cancelled by \(actor.role.rawValue)" + (request.reason.map { ": \($0)" } ?? ""), at: now)
                }
                try store.setStatus(db, &record, .cancelled, event: Opportunities.EventType.requestCancelled, at: now)
            }
            return GetRequestResponse(request: record, opportunities: opportunities.map { OpportunityMasking.mask($0, for: actor.role) })
        }
    }

    // MARK: Opportunities

    func offer(_ request: OfferRequest, _ context: RequestContext) async throws -> OpportunityReply {
        let (actor, partner) = try actor(context)
        if let replay = try await database.storedReply(context, request: request, as: OpportunityReply.self) { return replay }
        var validator = Validator()
        validator.require(!request.requestId.isEmpty, "body.requestId", "must not be empty")
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        try validator.check()
        let existing = try await database.pool.read { db -> Opportunity? in
            _ = try OpportunitiesStore.request(db, partner: partner, id: request.requestId, field: "body.requestId")
            return try Opportunity.filter(Opportunity.Columns.partnerId == partner && Opportunity.Columns.requestId == request.requestId && Opportunity.Columns.providerId == request.providerId).fetchOne(db)
        }
        if let existing { return OpportunityReply(opportunity: existing) }
        let provider = try await fetch(Registry.getProvider, GetProviderRequest(id: request.providerId), partner: partner, context: context, notFound: ("provider", request.providerId, "body.providerId")).provider
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            let record = try OpportunitiesStore.request(db, partner: partner, id: request.requestId, field: "body.requestId")
            if let raced = try Opportunity.filter(Opportunity.Columns.partnerId == partner && Opportunity.Columns.requestId == record.id && Opportunity.Columns.providerId == provider.id).fetchOne(db) {
                return OpportunityReply(opportunity: raced)
            }
            // A filled request takes offers only while someone on it seeks a replacement.
            let seeking = try OpportunitiesStore.opportunities(db, partner: partner, requestId: record.id).contains { $0.state == .replacementSought }
            guard record.status == .open || (record.status == .filled && seeking) else {
                throw RPCError(.failedPrecondition, "request \(record.id) is \(record.status.rawValue): it takes no new offers")
            }
            guard provider.providerType == record.providerType else {
                throw RPCError(.failedPrecondition, "provider \(provider.id) is a \(provider.providerType), the request needs a \(record.providerType)",
                               details: [FieldViolation(field: "body.providerId", description: "is not a \(record.providerType)")])
            }
            let opportunity = Opportunity(partnerId: partner, id: Identifier.make("op"), requestId: record.id, providerId: provider.id,
                                          state: .offered, version: 1, createdAt: now, updatedAt: now)
            try opportunity.insert(db)
            try store.record(db, opportunity, from: nil, action: nil, actor: actor, reason: nil, seeker: nil, request: record, at: now)
            return OpportunityReply(opportunity: opportunity)
        }
    }

    func respond(_ request: RespondRequest, _ context: RequestContext) async throws -> OpportunityReply {
        let (actor, partner) = try actor(context)
        if let replay = try await database.storedReply(context, request: request, as: OpportunityReply.self) { return replay }
        // Whether an interest is assigned at once depends on the request's decision policy; a
        // hybrid policy may need the registry's word on preferred qualifications first.
        let (opportunity, record) = try await database.pool.read { db in
            let opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.opportunityId, field: "body.opportunityId")
            return (opportunity, try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.opportunityId"))
        }
        if actor.role == .provider, opportunity.providerId != actor.id {
            throw RPCError.notFound("opportunity", id: opportunity.id, field: "body.opportunityId")
        }
        let automatic = request.interested ? try await decidesAutomatically(record, providerId: opportunity.providerId, partner: partner, context: context) : false
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.opportunityId, field: "body.opportunityId")
            var record = try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.opportunityId")
            try checkVersion(request.expectedVersion, opportunity)
            if request.interested { opportunity.quote = request.quote }
            try store.move(db, &opportunity, request: record, action: request.interested ? .respondInterested : .respondDeclined, actor: actor, reason: nil, at: now)
            if automatic, record.status == .open {
                do {
                    try store.assign(db, &opportunity, request: &record, actor: .system, reason: "automatic decision (\(record.decision.mode.rawValue))", at: now)
                } catch let error as RPCError where error.code == .failedPrecondition {
                    // No open slot (a replacement is not sought): the interest waits for the decider.
                }
            }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: actor.role))
        }
    }

    /// `automatic` assigns the first interested provider; `hybrid` does so for a provider on the
    /// customer's preferred list or meeting every preferred qualification; `manual` never.
    private func decidesAutomatically(_ request: RequestRecord, providerId: String, partner: String, context: RequestContext) async throws -> Bool {
        switch request.decision.mode {
        case .manual: return false
        case .automatic: return true
        case .hybrid:
            if request.preferredProviderIds.contains(providerId) { return true }
            guard !request.preferredQualificationIds.isEmpty else { return false }
            do {
                let check = try await registry().call(Registry.checkQualifications, CheckQualificationsRequest(
                    providerId: providerId, from: request.startsAt, to: request.endsAt, zone: request.zone,
                    qualificationIds: request.preferredQualificationIds), actor: Actor(role: .service, partnerId: partner), options: context.downstreamOptions())
                return check.results.allSatisfy(\.inEffect)
            } catch {
                // Without the registry's answer the decider decides: never assign on a guess.
                environment.logger.warning("hybrid decision fell back to manual", metadata: ["error": "\(error)"])
                return false
            }
        }
    }

    func decide(_ request: DecideRequest, _ context: RequestContext) async throws -> OpportunityReply {
        let (actor, partner) = try actor(context)
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.opportunityId, field: "body.opportunityId")
            var record = try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.opportunityId")
            try requireVisible(opportunity, request: record, to: actor, field: "body.opportunityId")
            if actor.role == .customer, record.decision.decider != .customer {
                throw RPCError(.permissionDenied, "the partner decides on request \(record.id), not the customer")
            }
            try checkVersion(request.expectedVersion, opportunity)
            if request.assign {
                _ = try OpportunityStateMachine.next(opportunity.state, .decideAssign, role: actor.role).get()
                try store.assign(db, &opportunity, request: &record, actor: actor, reason: request.reason, at: now)
            } else {
                try store.move(db, &opportunity, request: record, action: .decideDecline, actor: actor, reason: request.reason, at: now)
            }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: actor.role))
        }
    }

    func cancel(_ request: CancelRequestBody, _ context: RequestContext) async throws -> OpportunityReply {
        let (actor, partner) = try actor(context)
        var validator = Validator()
        _ = validator.name(request.reason, field: "body.reason")
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.opportunityId, field: "body.opportunityId")
            var record = try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.opportunityId")
            try requireVisible(opportunity, request: record, to: actor, field: "body.opportunityId")
            try checkVersion(request.expectedVersion, opportunity)
            let percent = actor.role == .provider ? 0 : try OpportunitiesStore.billablePercent(db, request: record, providerId: opportunity.providerId, at: now)
            let heldSlot = OpportunityStateMachine.holdsSlot.contains(opportunity.state)
            try store.move(db, &opportunity, request: record, action: .cancel, actor: actor, facts: TransitionFacts(billablePercent: percent), reason: request.reason, at: now)
            if heldSlot { try store.reopenIfFilled(db, request: &record, at: now) }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: actor.role))
        }
    }

    func markNoShow(_ request: OpportunityActionRequest, _ context: RequestContext) async throws -> OpportunityReply {
        try await simpleAction(.markNoShow, request, context)
    }

    func seekReplacement(_ request: OpportunityActionRequest, _ context: RequestContext) async throws -> OpportunityReply {
        try await simpleAction(.seekReplacement, request, context)
    }

    func withdrawReplacement(_ request: OpportunityActionRequest, _ context: RequestContext) async throws -> OpportunityReply {
        try await simpleAction(.withdrawReplacement, request, context) { opportunity, actor in
            // Only whoever asked (or the partner) takes a replacement request back.
            if opportunity.state == .replacementSought, actor.role != .partner, actor.role.rawValue != opportunity.replacementSoughtBy {
                throw RPCError(.failedPrecondition, "cannot withdrawReplacement: no replacement sought by this \(actor.role.rawValue)")
            }
        }
    }

    /// An action with no side effects beyond the transition itself.
    private func simpleAction(
        _ action: OpportunityAction, _ request: OpportunityActionRequest, _ context: RequestContext,
        check: @escaping @Sendable (Opportunity, Actor) throws -> Void = { _, _ in }
    ) async throws -> OpportunityReply {
        let (actor, partner) = try actor(context)
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.opportunityId, field: "body.opportunityId")
            let record = try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.opportunityId")
            try requireVisible(opportunity, request: record, to: actor, field: "body.opportunityId")
            try checkVersion(request.expectedVersion, opportunity)
            try check(opportunity, actor)
            // A masked REPLACEMENT_SOUGHT looks ASSIGNED to the other party, and so must act like it.
            let visible = OpportunityMasking.mask(opportunity, for: actor.role)
            if visible.state != opportunity.state {
                _ = try OpportunityStateMachine.next(visible.state, action, role: actor.role, facts: TransitionFacts(started: now >= record.startsAt)).get()
                throw RPCError(.failedPrecondition, "cannot \(action.rawValue) the opportunity now")
            }
            try store.move(db, &opportunity, request: record, action: action, actor: actor, facts: TransitionFacts(started: now >= record.startsAt), reason: request.reason, at: now)
            if action == .withdrawReplacement, record.status == .open {
                // The team lost a member meanwhile: back among the contingent until it is whole again.
                try store.move(db, &opportunity, request: record, action: .reopenTeam, actor: .system, reason: "the team is not complete", at: now)
            }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: actor.role))
        }
    }

    // MARK: Reads

    func getOpportunity(_ request: IdRequest, _ context: RequestContext) async throws -> OpportunityReply {
        let (actor, partner) = try actor(context)
        return try await database.pool.read { db in
            let opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.id, field: "body.id")
            let record = try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.id")
            try requireVisible(opportunity, request: record, to: actor, field: "body.id")
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: actor.role))
        }
    }

    func listOpportunities(_ request: ListOpportunitiesRequest, _ context: RequestContext) async throws -> ListOpportunitiesResponse {
        let (actor, partner) = try actor(context)
        guard request.requestId != nil || request.providerId != nil || actor.role == .provider else {
            throw RPCError.invalidArgument(field: "body.requestId", "requestId or providerId is required")
        }
        try Paging.validate(pageSize: request.pageSize)
        let visible = try await database.pool.read { db in
            var query = Opportunity.filter(Opportunity.Columns.partnerId == partner)
            if let requestId = request.requestId { query = query.filter(Opportunity.Columns.requestId == requestId) }
            if let providerId = request.providerId { query = query.filter(Opportunity.Columns.providerId == providerId) }
            if actor.role == .provider { query = query.filter(Opportunity.Columns.providerId == actor.id) }
            var found = try query.order(Opportunity.Columns.createdAt, Column("id")).fetchAll(db)
            if actor.role == .customer {
                let mine = Set(try String.fetchAll(db, sql: "SELECT id FROM request WHERE partnerId = ? AND customerId = ?", arguments: [partner, actor.id]))
                found = found.filter { mine.contains($0.requestId) }
            }
            // Masked per request, so replacement offers do not give a hidden replacement away.
            var byRequest = Dictionary(grouping: found, by: \.requestId)
            var visible: [Opportunity] = []
            for opportunity in found where byRequest[opportunity.requestId] != nil {
                visible += OpportunityMasking.visible(byRequest.removeValue(forKey: opportunity.requestId) ?? [], for: actor.role)
            }
            return visible
        }
        let filters = "opportunities|\(partner)|\(actor.role)|\(actor.id ?? "")|\(request.requestId ?? "")|\(request.providerId ?? "")"
        let page = try Paging.page(
            visible, key: \.id, pageSize: request.pageSize, pageToken: request.pageToken, query: filters,
            maxBytes: environment.configuration.maxMessageBytes)
        return ListOpportunitiesResponse(opportunities: page.items, nextPageToken: page.nextPageToken)
    }

    func history(_ request: HistoryRequest, _ context: RequestContext) async throws -> HistoryResponse {
        let (actor, partner) = try actor(context)
        try Paging.validate(pageSize: request.pageSize)
        let whole = try await database.pool.read { db in
            let opportunity = try OpportunitiesStore.opportunity(db, partner: partner, id: request.id, field: "body.id")
            let record = try OpportunitiesStore.request(db, partner: partner, id: opportunity.requestId, field: "body.id")
            try requireVisible(opportunity, request: record, to: actor, field: "body.id")
            let rows = try TransitionRow.filter(TransitionRow.Columns.partnerId == partner && TransitionRow.Columns.opportunityId == opportunity.id)
                .order(TransitionRow.Columns.seq).fetchAll(db)
            return HistoryResponse(opportunityId: opportunity.id, transitions: OpportunityMasking.mask(rows.map(\.transition), soughtBy: rows.map(\.replacementSoughtBy), for: actor.role))
        }
        let page = try Paging.page(
            whole.transitions, key: { "\($0.seq)" }, pageSize: request.pageSize, pageToken: request.pageToken,
            query: "history|\(partner)|\(actor.role)|\(actor.id ?? "")|\(request.id)", maxBytes: environment.configuration.maxMessageBytes)
        return HistoryResponse(opportunityId: whole.opportunityId, transitions: page.items, nextPageToken: page.nextPageToken)
    }

    // MARK: Policies

    func setCancellationPolicy(_ request: SetCancellationPolicyRequest, _ context: RequestContext) async throws -> CancellationPolicy {
        let partner = try context.partnerId()
        var validator = Validator()
        validator.require(!request.subjectId.isEmpty, "body.subjectId", "must not be empty")
        validator.require(request.bands.count <= 20, "body.bands", "must hold at most 20 bands")
        for (index, band) in request.bands.enumerated() {
            validator.require(band.hoursBeforeStart >= 0 && band.hoursBeforeStart.isFinite, "body.bands[\(index)].hoursBeforeStart", "must be 0 or more")
            validator.require((0...100).contains(band.billablePercent), "body.bands[\(index)].billablePercent", "must be from 0 to 100")
        }
        validator.require(Set(request.bands.map(\.hoursBeforeStart)).count == request.bands.count, "body.bands", "must not repeat hoursBeforeStart")
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            let policy = CancellationPolicy(partnerId: partner, scope: request.scope, subjectId: request.subjectId,
                                            bands: request.bands.sorted { $0.hoursBeforeStart > $1.hoursBeforeStart }, updatedAt: now)
            try policy.save(db)
            return policy
        }
    }
}
