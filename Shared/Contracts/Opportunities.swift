import Foundation
import Transport
import Wire

/// The opportunities contract: requests, each provider's opportunity on them, decisions,
/// cancellations (billable by policy) and replacements.
public enum Opportunities {
    /// The service name.
    public static let service = "opportunities"

    static func method<Request, Response>(
        _ name: String, idempotent: Bool, roles: Set<Actor.Role>, _ summary: String, request: JSONValue,
        response: JSONValue
    ) -> MethodDescriptor<Request, Response> {
        MethodDescriptor(
            "opportunities.\(name)", idempotent: idempotent, roles: roles, summary: summary, request: request,
            response: response)
    }

    static let everyone: Set<Actor.Role> = [.partner, .service, .customer, .provider]

    public static let createRequest: MethodDescriptor<CreateRequestRequest, RequestReply> = method(
        "CreateRequest", idempotent: false, roles: [.partner, .service, .customer],
        "Creates a request; the customer's default qualifications (from the registry) are merged in.",
        request: CreateRequestRequest.schema, response: RequestReply.schema)
    public static let getRequest: MethodDescriptor<GetRequestRequest, GetRequestResponse> = method(
        "GetRequest", idempotent: true, roles: everyone, "A request and its opportunities, as the actor may see them.",
        request: IdRequest.schema(describing: "The request to read."), response: GetRequestResponse.schema)
    public static let listRequests: MethodDescriptor<ListRequestsRequest, ListRequestsResponse> = method(
        "ListRequests", idempotent: true, roles: [.partner, .service, .customer],
        "Requests by start time, optionally of one customer or status.",
        request: ListRequestsRequest.schema,
        response: JSONSchema.object(
            [
                "requests": JSONSchema.array(
                    of: RequestRecord.schema,
                    description: "One page of the requests (a customer's own only), by start time, then id.")
            ],
            required: ["requests"], page: .reply))
    public static let cancelRequest: MethodDescriptor<CancelRequestRequest, GetRequestResponse> = method(
        "CancelRequest", idempotent: true, roles: [.partner, .service, .customer],
        "Cancels a request and every live opportunity on it, billable by the same rules as Cancel.",
        request: CancelRequestRequest.schema, response: GetRequestResponse.schema)
    public static let offer: MethodDescriptor<OfferRequest, OpportunityReply> = method(
        "Offer", idempotent: true, roles: [.partner, .service],
        "Offers the request to a provider: an opportunity in OFFERED; idempotent per (request, provider).",
        request: OfferRequest.schema, response: OpportunityReply.schema)
    public static let respond: MethodDescriptor<RespondRequest, OpportunityReply> = method(
        "Respond", idempotent: false, roles: [.provider, .partner, .service],
        "The offered provider's answer, interested (with an optional quote) or not; the partner may record it for "
            + "the provider (recordedVia: how it heard it).",
        request: RespondRequest.schema, response: OpportunityReply.schema)
    public static let withdrawOffer: MethodDescriptor<WithdrawOfferRequest, OpportunityReply> = method(
        "WithdrawOffer", idempotent: false, roles: [.partner, .service],
        "Withdraws an open offer (OFFERED or PENDING): DECLINED with the reason; a later answer is refused.",
        request: WithdrawOfferRequest.schema, response: OpportunityReply.schema)
    public static let decide: MethodDescriptor<DecideRequest, OpportunityReply> = method(
        "Decide", idempotent: false, roles: [.partner, .service, .customer],
        "The decider assigns an interested provider or turns them down.",
        request: DecideRequest.schema, response: OpportunityReply.schema)
    public static let cancel: MethodDescriptor<CancelRequestBody, OpportunityReply> = method(
        "Cancel", idempotent: false, roles: [.partner, .service, .customer, .provider],
        "Cancels an assignment; billable inside the cancellation window unless the provider cancels.",
        request: CancelRequestBody.schema, response: OpportunityReply.schema)
    public static let markNoShow: MethodDescriptor<OpportunityActionRequest, OpportunityReply> = method(
        "MarkNoShow", idempotent: false, roles: [.partner, .service],
        "Records that an assigned provider did not appear (after the start only).",
        request: OpportunityActionRequest.schema, response: OpportunityReply.schema)
    public static let seekReplacement: MethodDescriptor<OpportunityActionRequest, OpportunityReply> = method(
        "SeekReplacement", idempotent: false, roles: [.provider, .customer],
        "The assigned provider or the customer asks for a replacement; the other party keeps seeing ASSIGNED.",
        request: OpportunityActionRequest.schema, response: OpportunityReply.schema)
    public static let withdrawReplacement: MethodDescriptor<OpportunityActionRequest, OpportunityReply> = method(
        "WithdrawReplacement", idempotent: false, roles: [.provider, .customer, .partner],
        "Takes a replacement request back: ASSIGNED again.",
        request: OpportunityActionRequest.schema, response: OpportunityReply.schema)
    public static let getOpportunity: MethodDescriptor<IdRequest, OpportunityReply> = method(
        "GetOpportunity", idempotent: true, roles: everyone, "One opportunity, masked for the actor.",
        request: IdRequest.schema(describing: "The opportunity to read."), response: OpportunityReply.schema)
    public static let listOpportunities: MethodDescriptor<ListOpportunitiesRequest, ListOpportunitiesResponse> = method(
        "ListOpportunities", idempotent: true, roles: everyone,
        "Opportunities of a request or a provider, masked for the actor.",
        request: ListOpportunitiesRequest.schema,
        response: JSONSchema.object(
            [
                "opportunities": JSONSchema.array(
                    of: Opportunity.schema,
                    description: "One page of them, as the caller sees them, oldest offer first.")
            ],
            required: ["opportunities"], page: .reply))
    public static let history: MethodDescriptor<HistoryRequest, HistoryResponse> = method(
        "History", idempotent: true, roles: everyone,
        "Every transition of an opportunity (who, when, from, to, why), masked for the actor, paged.",
        request: HistoryRequest.schema, response: HistoryResponse.schema)
    public static let setCancellationPolicy: MethodDescriptor<SetCancellationPolicyRequest, CancellationPolicy> =
        method(
            "SetCancellationPolicy", idempotent: true, roles: [.partner, .service],
            "Sets a customer's or a provider's cancellation bands (hours before start → percent billable).",
            request: SetCancellationPolicyRequest.schema, response: CancellationPolicy.schema)
    public static let getCancellationPolicy: MethodDescriptor<GetCancellationPolicyRequest, CancellationPolicy> =
        method(
            "GetCancellationPolicy", idempotent: true, roles: everyone,
            "A customer's or a provider's cancellation bands (a customer or provider reads its own).",
            request: GetCancellationPolicyRequest.schema, response: CancellationPolicy.schema)
    public static let getSettings: MethodDescriptor<Empty, OpportunitiesSettingsReply> = method(
        "GetSettings", idempotent: true, roles: [.partner, .service],
        "The partner's request settings (the defaults at version 0 until it sets its own).",
        request: JSONSchema.empty, response: OpportunitiesSettingsReply.schema)
    public static let setSettings: MethodDescriptor<SetOpportunitiesSettingsRequest, OpportunitiesSettingsReply> =
        method(
            "SetSettings", idempotent: true, roles: [.partner, .service],
            "Changes the partner's request settings (a field left out keeps its value); versioned.",
            request: SetOpportunitiesSettingsRequest.schema, response: OpportunitiesSettingsReply.schema)

    /// Event types (topic `opportunities.<type>`).
    public enum EventType {
        public static let requestCreated = "request.created"  // RequestChanged (a RequestRecord and more)
        public static let requestCancelled = "request.cancelled"  // RequestChanged
        public static let requestFilled = "request.filled"  // RequestChanged
        public static let requestReopened = "request.reopened"  // RequestChanged
        /// The job started with slots still open: the request is `unfilled` (final).
        public static let requestUnfilled = "request.unfilled"  // RequestChanged
        /// Slots are still open within the partner's lead time before the start (once per request).
        public static let requestUnfilledSoon = "request.unfilledSoon"  // RequestChanged
        public static let opportunityChanged = "opportunity.changed"  // OpportunityChanged
        public static let replacementSought = "replacement.sought"  // OpportunityChanged
    }
}

/// The states of an opportunity (docs/design.md, "Opportunity states").
public enum OpportunityState: String, Codable, Sendable, CaseIterable {
    case offered = "OFFERED"
    case declined = "DECLINED"
    case pending = "PENDING"
    case contingent = "CONTINGENT"
    case assigned = "ASSIGNED"
    case cancelled = "CANCELLED"
    case cancelledBillable = "CANCELLED_BILLABLE"
    case noShow = "NO_SHOW"
    case replacementSought = "REPLACEMENT_SOUGHT"
}

/// Who decides on interest, and how.
public struct DecisionPolicy: Codable, Sendable, Equatable {
    public enum Decider: String, Codable, Sendable, CaseIterable { case partner, customer }
    public enum Mode: String, Codable, Sendable, CaseIterable { case manual, automatic, hybrid }
    public var decider: Decider
    public var mode: Mode
    public init(decider: Decider = .partner, mode: Mode = .manual) {
        self.decider = decider
        self.mode = mode
    }
    static let schema = JSONSchema.object(
        [
            "decider": JSONSchema.string(
                values: Decider.allCases.map(\.rawValue), description: "Who decides on interest."),
            "mode": JSONSchema.string(
                values: Mode.allCases.map(\.rawValue),
                description: "manual: interest waits for the decider; automatic: an interested provider who passes "
                    + "every filter is assigned at once; hybrid: automatic for a provider on the customer's preferred "
                    + "list or meeting every preferred qualification, manual otherwise."),
        ], required: ["decider", "mode"])
}

/// A customer's request for providers.
public struct RequestRecord: Codable, Sendable, Equatable {
    /// How many providers a request may ask for.
    public static let teamSizes = 1...50

    /// open until every slot is held (filled; open again when a member leaves), cancelled, or
    /// unfilled when its job started with slots still open (final, like cancelled).
    public enum Status: String, Codable, Sendable, CaseIterable { case open, filled, cancelled, unfilled }
    public var partnerId: String
    public var id: String
    public var customerId: String
    public var providerType: String
    public var startsAt: Date
    public var endsAt: Date
    public var remote: Bool
    public var location: GeoPoint?
    public var zone: String?
    public var teamSize: Int
    public var requiredQualificationIds: [String]
    public var preferredQualificationIds: [String]
    /// The customer's preferred providers when the request was made (for hybrid decisions).
    public var preferredProviderIds: [String]
    public var decision: DecisionPolicy
    public var status: Status
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// When the partner was warned that slots were still open close to the start
    /// (`request.unfilledSoon`, once); absent: not warned.
    public var unfilledSoonAt: Date?

    public init(
        partnerId: String, id: String, customerId: String, providerType: String, startsAt: Date, endsAt: Date,
        remote: Bool, location: GeoPoint? = nil, zone: String? = nil, teamSize: Int, requiredQualificationIds: [String],
        preferredQualificationIds: [String], preferredProviderIds: [String], decision: DecisionPolicy, status: Status,
        version: Int, createdAt: Date, updatedAt: Date, unfilledSoonAt: Date? = nil
    ) {
        self.partnerId = partnerId
        self.id = id
        self.customerId = customerId
        self.providerType = providerType
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.remote = remote
        self.location = location
        self.zone = zone
        self.teamSize = teamSize
        self.requiredQualificationIds = requiredQualificationIds
        self.preferredQualificationIds = preferredQualificationIds
        self.preferredProviderIds = preferredProviderIds
        self.decision = decision
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.unfilledSoonAt = unfilledSoonAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) it belongs to."),
            "id": JSONSchema.string(description: "The request's id, made by opportunities."),
            "customerId": JSONSchema.string(description: "The customer whose job it is."),
            "providerType": JSONSchema.string(description: "The type of provider the job needs."),
            "startsAt": JSONSchema.timestamp(description: "When the job starts."),
            "endsAt": JSONSchema.timestamp(description: "When the job ends."),
            "remote": JSONSchema.boolean(description: "True for a remote job; false for an on-site one at location."),
            "location": GeoPoint.schema.described("Where an on-site job takes place."),
            "zone": JSONSchema.string(description: "The job's zone; absent: none."),
            "teamSize": JSONSchema.integer(minimum: 1, description: "How many providers the job needs, one slot each."),
            "requiredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications a provider must have in effect over the job, the customer's defaults "
                    + "included."),
            "preferredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications that raise a provider's rank, the customer's defaults included."),
            "preferredProviderIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "The customer's preferred providers when the request was made, for hybrid decisions "
                    + "(not shown to providers)."),
            "decision": DecisionPolicy.schema.described("Who decides on interest in this request, and how."),
            "status": JSONSchema.string(
                values: Status.allCases.map(\.rawValue),
                description: "open until every slot is held (filled; open again when a member leaves) or it is "
                    + "cancelled; unfilled (final) when its job started with slots still open."),
            "version": JSONSchema.integer(minimum: 1, description: "Increases by one on every change."),
            "createdAt": JSONSchema.timestamp(description: "When the request was created."),
            "updatedAt": JSONSchema.timestamp(description: "When the request last changed."),
            "unfilledSoonAt": JSONSchema.timestamp(
                description: "When the partner was warned that slots were still open within its lead time before "
                    + "the start (request.unfilledSoon, once); absent: not warned."),
        ],
        required: [
            "id", "customerId", "providerType", "startsAt", "endsAt", "remote", "teamSize", "decision", "status",
            "version", "partnerId", "requiredQualificationIds", "preferredQualificationIds", "preferredProviderIds",
            "createdAt", "updatedAt",
        ])
}

/// One provider's opportunity on one request.
public struct Opportunity: Codable, Sendable, Equatable {
    public var partnerId: String
    public var id: String
    public var requestId: String
    public var providerId: String
    public var state: OpportunityState
    public var version: Int
    /// What the provider quoted with its interest, exactly as given.
    public var quote: Quote?
    /// Set on CANCELLED_BILLABLE.
    public var billablePercent: Int?
    /// Who asked for a replacement (`provider` or `customer`), shown only to them and the partner.
    public var replacementSoughtBy: String?
    /// Everyone seeking the replacement, both parties when both do (shown to the partner; a
    /// seeker sees only itself, in `replacementSoughtBy`).
    public var replacementSeekers: [String]?
    /// Offered to find a replacement while the team was complete (shown to the partner).
    public var offeredForReplacement: Bool?
    /// Why an automatic or hybrid decision left this interest to the decider (shown to the
    /// partner, and to the customer when it decides).
    public var decisionReasons: [String]?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        partnerId: String, id: String, requestId: String, providerId: String, state: OpportunityState, version: Int,
        quote: Quote? = nil, billablePercent: Int? = nil, replacementSoughtBy: String? = nil,
        replacementSeekers: [String]? = nil, offeredForReplacement: Bool? = nil, decisionReasons: [String]? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.partnerId = partnerId
        self.id = id
        self.requestId = requestId
        self.providerId = providerId
        self.state = state
        self.version = version
        self.quote = quote
        self.billablePercent = billablePercent
        self.replacementSoughtBy = replacementSoughtBy
        self.replacementSeekers = replacementSeekers
        self.offeredForReplacement = offeredForReplacement
        self.decisionReasons = decisionReasons
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) it belongs to."),
            "id": JSONSchema.string(description: "The opportunity's id, made by opportunities."),
            "requestId": JSONSchema.string(description: "The request it is part of."),
            "providerId": JSONSchema.string(description: "The provider it was offered to."),
            "state": JSONSchema.string(
                values: OpportunityState.allCases.map(\.rawValue),
                description: "Where it stands, as the caller may see it (docs/design.md, \"Opportunity states\")."),
            "version": JSONSchema.integer(
                minimum: 1,
                description: "Increases by one on every transition the caller sees; send it back as expectedVersion."),
            "quote": Quote.schema.described(
                "What the provider quoted with its interest, exactly as given; absent: none (cleared when offered "
                    + "again)."),
            "billablePercent": JSONSchema.integer(
                minimum: 0, maximum: 100,
                description: "On CANCELLED_BILLABLE, the percent of the job billed (never shown to providers)."),
            "replacementSoughtBy": JSONSchema.string(
                values: ["provider", "customer"],
                description: "Who asked for a replacement, shown only to them and the partner."),
            "replacementSeekers": JSONSchema.array(
                of: JSONSchema.string(values: ["provider", "customer"]),
                description: "Everyone seeking the replacement, both parties when both do (shown to the partner)."),
            "offeredForReplacement": JSONSchema.boolean(
                description: "Offered to find a replacement while the team was complete (shown to the partner)."),
            "decisionReasons": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Why an automatic or hybrid decision left this interest to the decider (shown to the "
                    + "partner, and to the customer when it decides)."),
            "createdAt": JSONSchema.timestamp(description: "When it was first offered."),
            "updatedAt": JSONSchema.timestamp(description: "When it last changed, as the caller sees it."),
        ], required: ["id", "requestId", "providerId", "state", "version", "partnerId", "createdAt", "updatedAt"])
}

/// One recorded transition.
public struct Transition: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var seq: Int
    public var at: Date
    public var actorRole: String
    public var actorId: String?
    public var action: String
    public var from: OpportunityState?
    public var to: OpportunityState
    public var reason: String?
    /// The contact attempt the transition belongs to (an offer, or the answer to it), if any.
    public var attemptId: String?
    /// An interest's quote, as given.
    public var quote: Quote?
    /// An answer recorded for the provider: who recorded it (`partner`), absent when the provider
    /// answered itself.
    public var recordedBy: String?
    /// An answer recorded for the provider: how the partner heard it (e.g. `phone`).
    public var recordedVia: String?

    public init(
        opportunityId: String, seq: Int, at: Date, actorRole: String, actorId: String? = nil, action: String,
        from: OpportunityState? = nil, to: OpportunityState, reason: String? = nil, attemptId: String? = nil,
        quote: Quote? = nil, recordedBy: String? = nil, recordedVia: String? = nil
    ) {
        self.opportunityId = opportunityId
        self.seq = seq
        self.at = at
        self.actorRole = actorRole
        self.actorId = actorId
        self.action = action
        self.from = from
        self.to = to
        self.reason = reason
        self.attemptId = attemptId
        self.quote = quote
        self.recordedBy = recordedBy
        self.recordedVia = recordedVia
    }

    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(description: "The opportunity."),
            "seq": JSONSchema.integer(
                minimum: 1,
                description: "Its number in the opportunity's history, from 1, without gaps as the "
                    + "caller sees it."),
            "at": JSONSchema.timestamp(description: "When it happened, on the service's clock."),
            "actorRole": JSONSchema.string(
                description: "The role of who made it: partner, customer, provider or service (service also for "
                    + "the system's own consequences)."),
            "actorId": JSONSchema.string(description: "Who made it; absent for the system's own."),
            "action": JSONSchema.string(
                description: "What was done, e.g. respondInterested, decideAssign, cancel, reoffer (docs/design.md, "
                    + "\"Opportunity states\")."),
            "from": JSONSchema.string(
                values: OpportunityState.allCases.map(\.rawValue),
                description: "The state before; absent for the first offer."),
            "to": JSONSchema.string(
                values: OpportunityState.allCases.map(\.rawValue), description: "The state after."),
            "reason": JSONSchema.string(description: "Why, when someone said, or the system's reason."),
            "attemptId": JSONSchema.string(
                description: "The contact attempt it belongs to (an offer, or the answer to it), if any."),
            "quote": Quote.schema.described("An interest's quote, exactly as the provider gave it."),
            "recordedBy": JSONSchema.string(
                values: ["partner"],
                description: "An answer the partner recorded for the provider (directly, or with broadcast's "
                    + "SetDisposition); absent when the provider answered itself."),
            "recordedVia": JSONSchema.string(
                description: "An answer the partner recorded: how it heard it (e.g. phone)."),
        ], required: ["opportunityId", "seq", "at", "actorRole", "action", "to"])
}

/// A provider's quote with its interest: an amount in a currency, per hour or for the whole job.
public struct Quote: Codable, Sendable, Equatable {
    /// What the amount is for.
    public enum Per: String, Codable, Sendable, CaseIterable { case hour, job }
    /// The most characters a quote's note may hold.
    public static let maxNoteLength = 1000

    public var amount: Double
    /// An ISO 4217 code: three capital letters (`USD`, `EUR`).
    public var currency: String
    public var per: Per
    public var note: String?

    public init(amount: Double, currency: String, per: Per, note: String? = nil) {
        self.amount = amount
        self.currency = currency
        self.per = per
        self.note = note
    }

    /// Whether `code` has the shape of an ISO 4217 code: three capital letters.
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.unicodeScalars.count == 3 && code.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) }
    }

    static let schema = JSONSchema.object(
        [
            "amount": JSONSchema.number(minimum: 0, description: "The amount, 0 or more."),
            "currency": JSONSchema.string(
                pattern: "^[A-Z]{3}$",
                description: "The currency, an ISO 4217 code (three capital letters, e.g. USD)."),
            "per": JSONSchema.string(
                values: Per.allCases.map(\.rawValue),
                description: "hour: the amount per hour; job: for the whole job."),
            "note": JSONSchema.string(description: "The provider's note, at most 1000 characters."),
        ], required: ["amount", "currency", "per"])
}

/// A band of a cancellation policy: cancelling at most `hoursBeforeStart` hours before the start
/// bills `billablePercent`.
public struct CancellationBand: Codable, Sendable, Equatable {
    public var hoursBeforeStart: Double
    public var billablePercent: Int
    public init(hoursBeforeStart: Double, billablePercent: Int) {
        self.hoursBeforeStart = hoursBeforeStart
        self.billablePercent = billablePercent
    }

    static let schema = JSONSchema.object(
        [
            "hoursBeforeStart": JSONSchema.number(
                minimum: 0,
                description: "The band applies to a cancellation at most this many hours before the start (the edge "
                    + "included, and any time after)."),
            "billablePercent": JSONSchema.integer(
                minimum: 0, maximum: 100, description: "The percent of the job billed for such a cancellation."),
        ], required: ["hoursBeforeStart", "billablePercent"])
}

/// A customer's or a provider's cancellation policy.
public struct CancellationPolicy: Codable, Sendable, Equatable {
    public enum Scope: String, Codable, Sendable, CaseIterable { case customer, provider }
    public var partnerId: String
    public var scope: Scope
    public var subjectId: String
    public var bands: [CancellationBand]
    public var updatedAt: Date

    public init(partnerId: String, scope: Scope, subjectId: String, bands: [CancellationBand], updatedAt: Date) {
        self.partnerId = partnerId
        self.scope = scope
        self.subjectId = subjectId
        self.bands = bands
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) it belongs to."),
            "scope": JSONSchema.string(
                values: Scope.allCases.map(\.rawValue), description: "Whose policy: a customer's or a provider's."),
            "subjectId": JSONSchema.string(description: "The customer's or the provider's id."),
            "bands": JSONSchema.array(
                of: CancellationBand.schema,
                description: "Its bands, furthest from the start first; of those that apply, the highest percent "
                    + "counts."),
            "updatedAt": JSONSchema.timestamp(description: "When it was last set."),
        ], required: ["scope", "subjectId", "bands", "partnerId", "updatedAt"])
}

/// `opportunity.changed` and `replacement.sought`: the change with the request's window and
/// customer, so consumers (matching, broadcast) need not call back.
public struct OpportunityChanged: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var requestId: String
    public var providerId: String
    public var customerId: String
    public var from: OpportunityState?
    public var to: OpportunityState
    public var action: String
    public var actorRole: String
    public var startsAt: Date
    public var endsAt: Date
    public var billablePercent: Int?
    public var replacementSoughtBy: String?
    /// Everyone seeking the replacement (both parties when both do).
    public var replacementSeekers: [String]?
    /// The contact attempt the change belongs to (an offer, or the answer to it), if any.
    public var attemptId: String?
    /// With a refusal: the provider asked never to be contacted again.
    public var doNotContact: Bool?
    /// Why the system moved it, when it did (e.g. the request filled, the job started), or why
    /// the partner withdrew the offer.
    public var reason: String?
    /// An interest's quote, as given.
    public var quote: Quote?
    /// An answer recorded for the provider: `partner`; absent when the provider answered itself.
    public var recordedBy: String?
    /// An answer the partner recorded: how it heard it (e.g. `phone`).
    public var recordedVia: String?

    public init(
        opportunityId: String, requestId: String, providerId: String, customerId: String, from: OpportunityState? = nil,
        to: OpportunityState, action: String, actorRole: String, startsAt: Date, endsAt: Date,
        billablePercent: Int? = nil, replacementSoughtBy: String? = nil, replacementSeekers: [String]? = nil,
        attemptId: String? = nil, doNotContact: Bool? = nil, reason: String? = nil, quote: Quote? = nil,
        recordedBy: String? = nil, recordedVia: String? = nil
    ) {
        self.quote = quote
        self.recordedBy = recordedBy
        self.recordedVia = recordedVia
        self.attemptId = attemptId
        self.doNotContact = doNotContact
        self.reason = reason
        self.opportunityId = opportunityId
        self.requestId = requestId
        self.providerId = providerId
        self.customerId = customerId
        self.from = from
        self.to = to
        self.action = action
        self.actorRole = actorRole
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.billablePercent = billablePercent
        self.replacementSoughtBy = replacementSoughtBy
        self.replacementSeekers = replacementSeekers
    }
}

/// A customer default a job did not take, and why (unknown, archived, or limited to other zones or
/// provider types than the request's).
public struct SkippedDefault: Codable, Sendable, Equatable {
    public enum List: String, Codable, Sendable, CaseIterable { case required, preferred }
    public var qualificationId: String
    public var name: String
    public var list: List
    public var reason: String

    public init(qualificationId: String, name: String, list: List, reason: String) {
        self.qualificationId = qualificationId
        self.name = name
        self.list = list
        self.reason = reason
    }

    static let schema = JSONSchema.object(
        [
            "qualificationId": JSONSchema.string(description: "The customer's default qualification skipped."),
            "name": JSONSchema.string(description: "Its name."),
            "list": JSONSchema.string(
                values: List.allCases.map(\.rawValue), description: "The customer's default list it is on."),
            "reason": JSONSchema.string(
                description: "Why the request did not take it: archived, or limited to other zones or provider "
                    + "types."),
        ], required: ["qualificationId", "name", "list", "reason"])
}

/// The request events' data: the `RequestRecord`'s own fields at the top level (so a reader
/// decoding a `RequestRecord` still can), plus the team's slots and why one reopened, so a
/// consumer never counts a slot twice.
public struct RequestChanged: Codable, Sendable, Equatable {
    public var request: RequestRecord
    /// Slots held (contingent, assigned or seeking a replacement) after the change.
    public var slotsHeld: Int?
    /// Slots still open: `teamSize - slotsHeld`, never below 0.
    public var slotsOpen: Int?
    /// `request.reopened`: why a slot reopened (e.g. a member cancelled).
    public var reopenReason: String?
    /// `request.reopened`: the member whose slot reopened.
    public var reopenedByProviderId: String?

    public init(
        request: RequestRecord, slotsHeld: Int? = nil, slotsOpen: Int? = nil, reopenReason: String? = nil,
        reopenedByProviderId: String? = nil
    ) {
        self.request = request
        self.slotsHeld = slotsHeld
        self.slotsOpen = slotsOpen
        self.reopenReason = reopenReason
        self.reopenedByProviderId = reopenedByProviderId
    }

    /// The request's team size (the record's own).
    public var teamSize: Int { request.teamSize }

    private enum ExtraKeys: String, CodingKey {
        case slotsHeld, slotsOpen, reopenReason, reopenedByProviderId
    }

    public init(from decoder: any Decoder) throws {
        request = try RequestRecord(from: decoder)
        let extra = try decoder.container(keyedBy: ExtraKeys.self)
        slotsHeld = try extra.decodeIfPresent(Int.self, forKey: .slotsHeld)
        slotsOpen = try extra.decodeIfPresent(Int.self, forKey: .slotsOpen)
        reopenReason = try extra.decodeIfPresent(String.self, forKey: .reopenReason)
        reopenedByProviderId = try extra.decodeIfPresent(String.self, forKey: .reopenedByProviderId)
    }

    public func encode(to encoder: any Encoder) throws {
        try request.encode(to: encoder)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encodeIfPresent(slotsHeld, forKey: .slotsHeld)
        try extra.encodeIfPresent(slotsOpen, forKey: .slotsOpen)
        try extra.encodeIfPresent(reopenReason, forKey: .reopenReason)
        try extra.encodeIfPresent(reopenedByProviderId, forKey: .reopenedByProviderId)
    }
}

// MARK: Requests and replies

public struct CreateRequestRequest: Codable, Sendable, Equatable {
    public var customerId: String
    public var providerType: String
    public var startsAt: Date
    public var endsAt: Date
    public var remote: Bool?
    public var location: GeoPoint?
    public var zone: String?
    public var teamSize: Int?
    public var requiredQualificationIds: [String]?
    public var preferredQualificationIds: [String]?
    /// Use the qualification lists as given instead of adding the customer's defaults.
    public var overrideDefaults: Bool?
    public var decision: DecisionPolicy?

    public init(
        customerId: String, providerType: String, startsAt: Date, endsAt: Date, remote: Bool? = nil,
        location: GeoPoint? = nil, zone: String? = nil, teamSize: Int? = nil, requiredQualificationIds: [String]? = nil,
        preferredQualificationIds: [String]? = nil, overrideDefaults: Bool? = nil, decision: DecisionPolicy? = nil
    ) {
        self.customerId = customerId
        self.providerType = providerType
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.remote = remote
        self.location = location
        self.zone = zone
        self.teamSize = teamSize
        self.requiredQualificationIds = requiredQualificationIds
        self.preferredQualificationIds = preferredQualificationIds
        self.overrideDefaults = overrideDefaults
        self.decision = decision
    }

    static let schema = JSONSchema.object(
        [
            "customerId": JSONSchema.string(
                description: "The customer whose job it is (a customer creating a request: itself)."),
            "providerType": JSONSchema.string(
                description: "The type of provider the job needs (CreateRequest: in the partner's vocabulary when it "
                    + "has one)."),
            "startsAt": JSONSchema.timestamp(
                description: "When the job starts (CreateRequest: in the future)."),
            "endsAt": JSONSchema.timestamp(description: "When the job ends; after startsAt."),
            "remote": JSONSchema.boolean(
                description: "Whether the job is remote; default: remote without a location, on site with one."),
            "location": GeoPoint.schema.described("Where the job takes place; required on site."),
            "zone": JSONSchema.string(
                description: "The job's zone (CreateRequest: in the partner's vocabulary when it has one)."),
            "teamSize": JSONSchema.integer(
                minimum: 1, maximum: 50, description: "How many providers the job needs (default 1)."),
            "requiredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications a provider must have in effect over the job, besides the customer's "
                    + "required defaults."),
            "preferredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications that raise a provider's rank, besides the customer's preferred "
                    + "defaults."),
            "overrideDefaults": JSONSchema.boolean(
                description: "Take the qualification lists as given, without the customer's defaults (default "
                    + "false; a customer may not set it)."),
            "decision": DecisionPolicy.schema.described(
                "Who decides on interest, and how; absent: the customer's defaultDecision, else the partner, "
                    + "manually (a customer may not set it)."),
        ], required: ["customerId", "providerType", "startsAt", "endsAt"])
}

public struct RequestReply: Codable, Sendable, Equatable {
    public var request: RequestRecord
    /// The customer's defaults this request did not take, each with the reason (absent: none).
    public var defaultsSkipped: [SkippedDefault]?

    public init(request: RequestRecord, defaultsSkipped: [SkippedDefault]? = nil) {
        self.request = request
        self.defaultsSkipped = defaultsSkipped
    }
    static let schema = JSONSchema.object(
        [
            "request": RequestRecord.schema.described("The request as created, the customer's defaults merged in."),
            "defaultsSkipped": JSONSchema.array(
                of: SkippedDefault.schema,
                description: "The customer's defaults the request did not take, each with the reason; absent: none."),
        ],
        required: ["request"])
}

/// A body holding only an `id`.
public struct IdRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    /// The schema, with what the `id` names.
    static func schema(describing id: String) -> JSONValue {
        JSONSchema.object(["id": JSONSchema.string(description: id)], required: ["id"])
    }
}

public typealias GetRequestRequest = IdRequest

public struct GetRequestResponse: Codable, Sendable, Equatable {
    public var request: RequestRecord
    public var opportunities: [Opportunity]

    public init(request: RequestRecord, opportunities: [Opportunity]) {
        self.request = request
        self.opportunities = opportunities
    }
    static let schema = JSONSchema.object(
        [
            "request": RequestRecord.schema.described("The request, as the caller may see it."),
            "opportunities": JSONSchema.array(
                of: Opportunity.schema,
                description: "Its opportunities as the caller may see them, oldest offer first (a provider: its "
                    + "own only)."),
        ],
        required: ["request", "opportunities"])
}

public struct ListRequestsRequest: Codable, Sendable, Equatable, PagedRequest {
    public var customerId: String?
    public var status: RequestRecord.Status?
    public var limit: Int?
    /// AIP-158 paging; `pageSize` is `limit` by another name (`limit` kept for older clients).
    public var pageSize: Int?
    public var pageToken: String?
    public init(
        customerId: String? = nil, status: RequestRecord.Status? = nil, limit: Int? = nil, pageSize: Int? = nil,
        pageToken: String? = nil
    ) {
        self.customerId = customerId
        self.status = status
        self.limit = limit
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "customerId": JSONSchema.string(description: "Only this customer's requests."),
            "status": JSONSchema.string(
                values: RequestRecord.Status.allCases.map(\.rawValue), description: "Only requests with this status."),
            "limit": JSONSchema.integer(
                minimum: 1, maximum: 1000,
                description: "pageSize's older name, kept for older clients (default 200); pageSize, when sent, wins."),
        ], page: .request(pageSizeDefault: "limit, or 200"))
}

public struct ListRequestsResponse: Codable, Sendable, Equatable, PagedReply {
    public var requests: [RequestRecord]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?

    public init(requests: [RequestRecord], nextPageToken: String? = nil) {
        self.requests = requests
        self.nextPageToken = nextPageToken
    }
}

public struct CancelRequestRequest: Codable, Sendable, Equatable {
    public var id: String
    public var reason: String?
    public init(id: String, reason: String? = nil) {
        self.id = id
        self.reason = reason
    }
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(
                description: "The request to cancel; cancelling it again changes nothing, and once its job has ended "
                    + "it cannot be cancelled."),
            "reason": JSONSchema.string(description: "Why, recorded on each opportunity it cancels."),
        ], required: ["id"])
}

public struct OfferRequest: Codable, Sendable, Equatable {
    public var requestId: String
    public var providerId: String
    /// The contact attempt (broadcast's) this offer belongs to, recorded in the history.
    public var attemptId: String?
    public init(requestId: String, providerId: String, attemptId: String? = nil) {
        self.requestId = requestId
        self.providerId = providerId
        self.attemptId = attemptId
    }
    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request to offer."),
            "providerId": JSONSchema.string(
                description: "The provider to offer it to: existing, active, and of the request's type."),
            "attemptId": JSONSchema.string(
                description: "The contact attempt (broadcast's) this offer belongs to, recorded in the history."),
        ],
        required: ["requestId", "providerId"])
}

public struct OpportunityReply: Codable, Sendable, Equatable {
    public var opportunity: Opportunity
    /// `Offer` only: whether this call created the opportunity (false: it existed, or a declined
    /// one was offered again).
    public var created: Bool?

    public init(opportunity: Opportunity, created: Bool? = nil) {
        self.opportunity = opportunity
        self.created = created
    }
    static let schema = JSONSchema.object(
        [
            "opportunity": Opportunity.schema.described("The opportunity as it is now, as the caller may see it."),
            "created": JSONSchema.boolean(
                description: "Offer only: whether this call created the opportunity (false: it existed, or a "
                    + "declined one was offered again)."),
        ], required: ["opportunity"])
}

public struct RespondRequest: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var interested: Bool
    public var quote: Quote?
    public var expectedVersion: Int?
    /// The contact attempt being answered, recorded in the history and the event.
    public var attemptId: String?
    /// With a refusal: the provider asks never to be contacted again (carried by the event).
    public var doNotContact: Bool?
    /// The partner recording the answer for the provider: how it heard it (e.g. `phone`).
    public var recordedVia: String?
    public init(
        opportunityId: String, interested: Bool, quote: Quote? = nil, expectedVersion: Int? = nil,
        attemptId: String? = nil, doNotContact: Bool? = nil, recordedVia: String? = nil
    ) {
        self.opportunityId = opportunityId
        self.interested = interested
        self.quote = quote
        self.expectedVersion = expectedVersion
        self.attemptId = attemptId
        self.doNotContact = doNotContact
        self.recordedVia = recordedVia
    }
    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(
                description: "The open offer answered (a provider: its own; the partner: any of its providers'), "
                    + "before the job starts."),
            "interested": JSONSchema.boolean(description: "True: interested (PENDING); false: a refusal (DECLINED)."),
            "quote": Quote.schema.described("Only with an interest: the provider's quote, stored as given."),
            "recordedVia": JSONSchema.string(
                description: "Not for a provider: the partner records the provider's answer, and how it heard it "
                    + "(e.g. phone; 1 to 50 characters), kept in the history."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last saw: any other is ABORTED (someone changed it first)."),
            "attemptId": JSONSchema.string(
                description: "The contact attempt being answered, recorded in the history and the event."),
            "doNotContact": JSONSchema.boolean(
                description: "Only with a refusal: the provider asks never to be contacted again (carried by the "
                    + "event)."),
        ], required: ["opportunityId", "interested"])
}

public struct DecideRequest: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var assign: Bool
    public var reason: String?
    public var expectedVersion: Int?
    /// With `assign`: the member seeking a replacement this one replaces (default: when the team
    /// is complete, the one that has sought it longest).
    public var replacesOpportunityId: String?
    public init(
        opportunityId: String, assign: Bool, reason: String? = nil, expectedVersion: Int? = nil,
        replacesOpportunityId: String? = nil
    ) {
        self.opportunityId = opportunityId
        self.assign = assign
        self.reason = reason
        self.expectedVersion = expectedVersion
        self.replacesOpportunityId = replacesOpportunityId
    }
    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(description: "The PENDING interest to decide on."),
            "assign": JSONSchema.boolean(
                description: "True: assign the provider (CONTINGENT, or ASSIGNED with the whole team once the last "
                    + "slot is held); false: turn them down (DECLINED)."),
            "reason": JSONSchema.string(description: "Why, recorded in the history."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last saw: any other is ABORTED (someone changed it first)."),
            "replacesOpportunityId": JSONSchema.string(
                description: "Only with assign: the member seeking a replacement this one replaces (default, in a "
                    + "complete team: the one seeking longest)."),
        ], required: ["opportunityId", "assign"])
}

/// `Cancel`'s body.
public struct CancelRequestBody: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var reason: String
    public var expectedVersion: Int?
    public init(opportunityId: String, reason: String, expectedVersion: Int? = nil) {
        self.opportunityId = opportunityId
        self.reason = reason
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(
                description: "The opportunity to cancel (a provider: its own); not once the job has ended."),
            "reason": JSONSchema.string(description: "Why, 1 to 200 characters, recorded in the history."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last saw: any other is ABORTED (someone changed it first)."),
        ], required: ["opportunityId", "reason"])
}

/// `MarkNoShow`, `SeekReplacement`, `WithdrawReplacement`.
public struct OpportunityActionRequest: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var reason: String?
    public var expectedVersion: Int?
    public init(opportunityId: String, reason: String? = nil, expectedVersion: Int? = nil) {
        self.opportunityId = opportunityId
        self.reason = reason
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(description: "The assigned opportunity to act on."),
            "reason": JSONSchema.string(description: "Why, recorded in the history."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last saw: any other is ABORTED (someone changed it first)."),
        ], required: ["opportunityId"])
}

public struct ListOpportunitiesRequest: Codable, Sendable, Equatable, PagedRequest {
    public var requestId: String?
    public var providerId: String?
    public var pageSize: Int?
    public var pageToken: String?
    public init(requestId: String? = nil, providerId: String? = nil, pageSize: Int? = nil, pageToken: String? = nil) {
        self.requestId = requestId
        self.providerId = providerId
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(
                description: "Only this request's opportunities; this or providerId is required, except for a "
                    + "provider (its own)."),
            "providerId": JSONSchema.string(description: "Only this provider's opportunities."),
        ], page: .request(pageSizeDefault: "all that fit in one reply"))
}

public struct ListOpportunitiesResponse: Codable, Sendable, Equatable, PagedReply {
    public var opportunities: [Opportunity]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?

    public init(opportunities: [Opportunity], nextPageToken: String? = nil) {
        self.opportunities = opportunities
        self.nextPageToken = nextPageToken
    }
}

/// `History`'s request: the opportunity, and paging (AIP-158).
public struct HistoryRequest: Codable, Sendable, Equatable, PagedRequest {
    public var id: String
    public var pageSize: Int?
    public var pageToken: String?
    public init(id: String, pageSize: Int? = nil, pageToken: String? = nil) {
        self.id = id
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(description: "The opportunity whose transitions to list.")
        ], required: ["id"], page: .request(pageSizeDefault: "all that fit in one reply"))
}

public struct HistoryResponse: Codable, Sendable, Equatable, PagedReply {
    public var opportunityId: String
    public var transitions: [Transition]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?

    public init(opportunityId: String, transitions: [Transition], nextPageToken: String? = nil) {
        self.opportunityId = opportunityId
        self.transitions = transitions
        self.nextPageToken = nextPageToken
    }
    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(description: "The opportunity."),
            "transitions": JSONSchema.array(
                of: Transition.schema,
                description: "One page of its transitions, in order, as the caller may see them."),
        ], required: ["opportunityId", "transitions"], page: .reply)
}

public struct SetCancellationPolicyRequest: Codable, Sendable, Equatable {
    public var scope: CancellationPolicy.Scope
    public var subjectId: String
    public var bands: [CancellationBand]
    public init(scope: CancellationPolicy.Scope, subjectId: String, bands: [CancellationBand]) {
        self.scope = scope
        self.subjectId = subjectId
        self.bands = bands
    }
    static let schema = JSONSchema.object(
        [
            "scope": JSONSchema.string(
                values: CancellationPolicy.Scope.allCases.map(\.rawValue),
                description: "Whose policy: a customer's or a provider's."),
            "subjectId": JSONSchema.string(
                description: "The customer's or provider's id; it must exist in the registry (NOT_FOUND otherwise)."),
            "bands": JSONSchema.array(
                of: CancellationBand.schema,
                description: "The bands, replacing any before: at most 20, each hoursBeforeStart once ([]: this "
                    + "policy bills nothing)."),
        ], required: ["scope", "subjectId", "bands"])
}

/// `GetCancellationPolicy`'s body: whose policy.
public struct GetCancellationPolicyRequest: Codable, Sendable, Equatable {
    public var scope: CancellationPolicy.Scope
    public var subjectId: String
    public init(scope: CancellationPolicy.Scope, subjectId: String) {
        self.scope = scope
        self.subjectId = subjectId
    }
    static let schema = JSONSchema.object(
        [
            "scope": JSONSchema.string(
                values: CancellationPolicy.Scope.allCases.map(\.rawValue),
                description: "Whose policy: a customer's or a provider's."),
            "subjectId": JSONSchema.string(
                description: "The customer's or provider's id (a customer or provider: its own); NOT_FOUND when no "
                    + "policy is set."),
        ], required: ["scope", "subjectId"])
}

/// `WithdrawOffer`'s body.
public struct WithdrawOfferRequest: Codable, Sendable, Equatable {
    public var opportunityId: String
    public var reason: String
    /// The contact attempt (broadcast's) the withdrawal belongs to, recorded in the history.
    public var attemptId: String?
    public var expectedVersion: Int?
    public init(opportunityId: String, reason: String, attemptId: String? = nil, expectedVersion: Int? = nil) {
        self.opportunityId = opportunityId
        self.reason = reason
        self.attemptId = attemptId
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "opportunityId": JSONSchema.string(description: "The open offer (OFFERED or PENDING) to withdraw."),
            "reason": JSONSchema.string(
                description: "Why, 1 to 200 characters (broadcast gives the disposition's code), recorded in the "
                    + "history and told to a provider who answers later."),
            "attemptId": JSONSchema.string(
                description: "The contact attempt (broadcast's) the withdrawal belongs to, recorded in the history."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last saw: any other is ABORTED (someone changed it first)."),
        ], required: ["opportunityId", "reason"])
}

/// A partner's request settings.
public struct OpportunitiesSettings: Codable, Sendable, Equatable {
    /// The default lead time of the `request.unfilledSoon` warning, in hours.
    public static let defaultUnfilledSoonLeadHours = 24.0
    /// The longest lead time accepted: 30 days.
    public static let maxUnfilledSoonLeadHours = 720.0

    public var partnerId: String
    /// How long before a job's start a request with slots still open warns the partner
    /// (`request.unfilledSoon`, once); 0: never.
    public var unfilledSoonLeadHours: Double
    /// 0 for the defaults; increases by one on every change.
    public var version: Int
    public var updatedAt: Date?

    public init(
        partnerId: String, unfilledSoonLeadHours: Double = defaultUnfilledSoonLeadHours, version: Int = 0,
        updatedAt: Date? = nil
    ) {
        self.partnerId = partnerId
        self.unfilledSoonLeadHours = unfilledSoonLeadHours
        self.version = version
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) whose settings these are."),
            "unfilledSoonLeadHours": JSONSchema.number(
                minimum: 0, maximum: maxUnfilledSoonLeadHours,
                description: "How many hours before a job's start a request with slots still open warns the partner "
                    + "(request.unfilledSoon, once per request; default 24; 0: never)."),
            "version": JSONSchema.integer(
                minimum: 0, description: "0 for the defaults; increases by one on every change."),
            "updatedAt": JSONSchema.timestamp(description: "When they last changed; absent for the defaults."),
        ], required: ["partnerId", "unfilledSoonLeadHours", "version"])
}

/// `SetSettings`' body: each field given replaces the partner's; a field left out keeps its value.
public struct SetOpportunitiesSettingsRequest: Codable, Sendable, Equatable {
    public var unfilledSoonLeadHours: Double?
    public var expectedVersion: Int?
    public init(unfilledSoonLeadHours: Double? = nil, expectedVersion: Int? = nil) {
        self.unfilledSoonLeadHours = unfilledSoonLeadHours
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "unfilledSoonLeadHours": JSONSchema.number(
                minimum: 0, maximum: OpportunitiesSettings.maxUnfilledSoonLeadHours,
                description: "Hours before a job's start at which a request with slots still open warns the partner "
                    + "(0 to 720; 0: never). Requests not warned yet take it at once."),
            "expectedVersion": JSONSchema.integer(
                minimum: 0, description: "The version you last read: any other is ABORTED (someone changed it first)."),
        ])
}

/// The partner's request settings, as they are now.
public struct OpportunitiesSettingsReply: Codable, Sendable, Equatable {
    public var settings: OpportunitiesSettings
    public init(settings: OpportunitiesSettings) { self.settings = settings }
    static let schema = JSONSchema.object(
        ["settings": OpportunitiesSettings.schema.described("The partner's request settings.")],
        required: ["settings"])
}
