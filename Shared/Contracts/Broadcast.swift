import Foundation
import Transport
import Wire

/// The broadcast contract: each request's ranked providers contacted in waves planned by the
/// job's lead time, every contact attempt ending with one disposition, recycling, a block list,
/// wave policies and statistics. Dispositions, blocks, policies and statistics are in
/// `BroadcastSettings.swift`.
public enum Broadcast {
    /// The service name.
    public static let service = "broadcast"

    static let callers: Set<Actor.Role> = [.partner, .service]

    static func method<Request, Response>(
        _ name: String, idempotent: Bool, roles: Set<Actor.Role> = callers, _ summary: String, request: JSONValue,
        response: JSONValue
    ) -> MethodDescriptor<Request, Response> {
        MethodDescriptor(
            "broadcast.\(name)", idempotent: idempotent, roles: roles, summary: summary, request: request,
            response: response)
    }

    public static let start: MethodDescriptor<StartRequest, BroadcastDetail> = method(
        "Start", idempotent: true,
        "Starts (or restarts a stopped) broadcast of a request, with overrides if given: ranks, sends the first wave.",
        request: StartRequest.schema, response: BroadcastDetail.schema)
    public static let get: MethodDescriptor<BroadcastRequestId, BroadcastDetail> = method(
        "Get", idempotent: true,
        "A request's broadcast: state, the considered list with explanations and overrides, waves, attempts.",
        request: BroadcastRequestId.schema, response: BroadcastDetail.schema)
    public static let list: MethodDescriptor<ListBroadcastsRequest, ListBroadcastsResponse> = method(
        "List", idempotent: true, "The partner's broadcasts by request id, optionally in one state, paged.",
        request: ListBroadcastsRequest.schema, response: ListBroadcastsResponse.schema)
    public static let override: MethodDescriptor<OverrideRequest, BroadcastDetail> = method(
        "Override", idempotent: true,
        "Pins, excludes and orders providers of the considered list (each list given replaces the previous one).",
        request: OverrideRequest.schema, response: BroadcastDetail.schema)
    public static let pause: MethodDescriptor<BroadcastActionRequest, BroadcastDetail> = method(
        "Pause", idempotent: true, "Sends no new wave until resumed; the current wave still closes on time.",
        request: BroadcastActionRequest.schema, response: BroadcastDetail.schema)
    public static let resume: MethodDescriptor<BroadcastActionRequest, BroadcastDetail> = method(
        "Resume", idempotent: true, "Resumes a paused broadcast where the rules say it is.",
        request: BroadcastActionRequest.schema, response: BroadcastDetail.schema)
    public static let stop: MethodDescriptor<BroadcastActionRequest, BroadcastDetail> = method(
        "Stop", idempotent: true, "Stops the broadcast; open attempts get WITHDRAWN.",
        request: BroadcastActionRequest.schema, response: BroadcastDetail.schema)
    public static let recycle: MethodDescriptor<RecycleRequest, RecycleResponse> = method(
        "Recycle", idempotent: false,
        "Puts dispositioned providers back in rotation now (codes given, else every non-final code but INTERESTED).",
        request: RecycleRequest.schema, response: RecycleResponse.schema)
    public static let setDisposition: MethodDescriptor<SetDispositionRequest, AttemptReply> = method(
        "SetDisposition", idempotent: true,
        "The partner qualifies an attempt with a default or custom disposition (one that blocks adds a block).",
        request: SetDispositionRequest.schema, response: AttemptReply.schema)
    public static let reportDelivery: MethodDescriptor<ReportDeliveryRequest, AttemptReply> = method(
        "ReportDelivery", idempotent: true,
        "Whatever delivers contact messages reports the outcome; a failure sets DELIVERY_FAILED.",
        request: ReportDeliveryRequest.schema, response: AttemptReply.schema)

    /// Event types broadcast publishes (topic `broadcast.<type>`).
    public enum EventType {
        /// `ContactSent`: for a notifier to deliver.
        public static let contactSent = "contact.sent"
        /// `BroadcastStateChanged`.
        public static let stateChanged = "state.changed"
        /// `WaveSent`.
        public static let waveSent = "wave.sent"
        /// `AttemptReply`: an attempt got (or changed) its disposition.
        public static let attemptDispositioned = "attempt.dispositioned"
        /// `BlockReply`.
        public static let blockAdded = "block.added"
        /// `BlockReply`.
        public static let blockRemoved = "block.removed"
        /// `PolicyReply`.
        public static let policySet = "policy.set"
        /// `DispositionReply`.
        public static let dispositionDefined = "disposition.defined"
        /// `DispositionReply`.
        public static let dispositionArchived = "disposition.archived"
    }
}

// MARK: The broadcast as the wire shows it

/// Where a broadcast is (docs/design.md, "Broadcast states").
public enum BroadcastState: String, Codable, Sendable, CaseIterable {
    /// Waves are going out (or one is answered and the next is being planned).
    case running
    /// The partner paused it: no new wave.
    case paused
    /// Nothing to do until something happens: see `waitingFor`.
    case waiting
    /// Every slot of the team is held.
    case filled
    /// Stopped by the partner, by a cancelled request or by the job's start (`stopReason`).
    case stopped
    /// Nobody is left to contact and nobody comes back into rotation by rule.
    case exhausted
}

/// What a `waiting` (or `running` between waves) broadcast waits for.
public enum BroadcastWait: String, Codable, Sendable, CaseIterable {
    /// The job is further out than the policy's start window.
    case startWindow
    /// Pending interest covers every opening: it resumes when interest is turned down.
    case interest
    /// Everyone left is out of rotation until a recycle rule brings someone back.
    case recycle
}

/// How a provider is reached, from the registry's data.
public struct ContactChannel: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case email, sms }
    public var kind: Kind
    public var address: String
    public init(kind: Kind, address: String) {
        self.kind = kind
        self.address = address
    }
    static let schema = JSONSchema.object(
        [
            "kind": JSONSchema.string(
                values: Kind.allCases.map(\.rawValue),
                description: "email when the provider has an address, else sms."),
            "address": JSONSchema.string(description: "The email address or the phone number."),
        ],
        required: ["kind", "address"])
}

/// What a contact says.
public struct ContactMessage: Codable, Sendable, Equatable {
    public var subject: String
    public var text: String
    public init(subject: String, text: String) {
        self.subject = subject
        self.text = text
    }
    static let schema = JSONSchema.object(
        ["subject": JSONSchema.string(), "text": JSONSchema.string()], required: ["subject", "text"])
}

/// One provider of the considered list: matching's verdict with the partner's overrides.
public struct ConsideredProvider: Codable, Sendable, Equatable {
    public var providerId: String
    /// Place in the contact order (from 1) once overrides apply; absent when never to be contacted.
    public var position: Int?
    /// Matching's rank (from 1), absent when filtered out.
    public var rank: Int?
    public var score: Double?
    public var criteria: [CriterionValue]
    /// Every reason matching filtered the provider out (empty when ranked).
    public var reasons: [FilterReason]
    public var pinned: Bool
    public var excluded: Bool
    /// Contact attempts made so far for this request.
    public var attempts: Int
    public var lastDisposition: String?
    /// Matching's: the job's preferred qualifications the provider meets (ranked ones).
    public var preferredQualificationsMet: [NamedQualification]?
    /// Matching's: what would make a provider filtered out by one changeable reason eligible.
    public var wouldBeEligibleIf: String?

    public init(
        providerId: String, position: Int? = nil, rank: Int? = nil, score: Double? = nil,
        criteria: [CriterionValue] = [], reasons: [FilterReason] = [], pinned: Bool = false, excluded: Bool = false,
        attempts: Int = 0, lastDisposition: String? = nil, preferredQualificationsMet: [NamedQualification]? = nil,
        wouldBeEligibleIf: String? = nil
    ) {
        self.providerId = providerId
        self.position = position
        self.rank = rank
        self.score = score
        self.criteria = criteria
        self.reasons = reasons
        self.pinned = pinned
        self.excluded = excluded
        self.attempts = attempts
        self.lastDisposition = lastDisposition
        self.preferredQualificationsMet = preferredQualificationsMet
        self.wouldBeEligibleIf = wouldBeEligibleIf
    }

    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider."),
            "position": JSONSchema.integer(
                minimum: 1,
                description: "Place in the contact order (from 1) once overrides apply; absent when never to be "
                    + "contacted (excluded or filtered out)."),
            "rank": JSONSchema.integer(minimum: 1, description: "Matching's rank (from 1); absent when filtered out."),
            "score": JSONSchema.number(
                description: "Matching's score, the sum of the criteria's contributions; absent when filtered out."),
            "criteria": JSONSchema.array(
                of: CriterionValue.schema,
                description: "Each criterion with its value and contribution (empty when filtered out)."),
            "reasons": JSONSchema.array(
                of: FilterReason.schema,
                description: "Every reason matching filtered the provider out (empty when ranked)."),
            "pinned": JSONSchema.boolean(
                description: "Pinned by the partner: contacted first, unless filtered out."),
            "excluded": JSONSchema.boolean(description: "Excluded by the partner: never contacted for this request."),
            "attempts": JSONSchema.integer(minimum: 0, description: "Contact attempts made so far for this request."),
            "lastDisposition": JSONSchema.string(
                description: "The disposition of the provider's latest attempt, if any."),
            "preferredQualificationsMet": NamedQualification.metSchema,
            "wouldBeEligibleIf": FilteredProvider.wouldBeEligibleIfSchema,
        ], required: ["providerId", "criteria", "reasons", "pinned", "excluded", "attempts"])
}

/// The partner's overrides of the considered list.
public struct BroadcastOverrides: Codable, Sendable, Equatable {
    /// Contacted first, in this order.
    public var pin: [String]
    /// Never contacted for this request.
    public var exclude: [String]
    /// Contacted in this order after the pinned, before everyone else.
    public var order: [String]
    public init(pin: [String] = [], exclude: [String] = [], order: [String] = []) {
        self.pin = pin
        self.exclude = exclude
        self.order = order
    }
    static let schema = JSONSchema.object(
        [
            "pin": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Provider ids contacted first, in this order (a pin does not override a filter)."),
            "exclude": JSONSchema.array(
                of: JSONSchema.string(), description: "Provider ids never contacted for this request."),
            "order": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Provider ids contacted in this order after the pinned, before everyone else."),
        ], required: ["pin", "exclude", "order"])
}

/// One wave: who was contacted together, planned by the band of the lead time at the moment.
public struct BroadcastWave: Codable, Sendable, Equatable {
    /// From 1.
    public var number: Int
    public var plannedAt: Date
    /// When its last contact went out (or was skipped).
    public var sentAt: Date?
    /// When its silent providers get `NO_RESPONSE`, unless every one answered before.
    public var closesAt: Date?
    public var closedAt: Date?
    /// Hours from planning to the job's start.
    public var leadHours: Double
    /// The band's wave size (0: everyone left) and interval.
    public var waveSize: Int
    public var intervalMinutes: Int
    public var providerIds: [String]

    public init(
        number: Int, plannedAt: Date, sentAt: Date? = nil, closesAt: Date? = nil, closedAt: Date? = nil,
        leadHours: Double, waveSize: Int, intervalMinutes: Int, providerIds: [String]
    ) {
        self.number = number
        self.plannedAt = plannedAt
        self.sentAt = sentAt
        self.closesAt = closesAt
        self.closedAt = closedAt
        self.leadHours = leadHours
        self.waveSize = waveSize
        self.intervalMinutes = intervalMinutes
        self.providerIds = providerIds
    }

    static let schema = JSONSchema.object(
        [
            "number": JSONSchema.integer(minimum: 1, description: "The wave's number, from 1."),
            "plannedAt": JSONSchema.timestamp(description: "When it was planned, from a fresh ranking."),
            "sentAt": JSONSchema.timestamp(description: "When its last contact went out (or was skipped)."),
            "closesAt": JSONSchema.timestamp(
                description: "When its silent providers get NO_RESPONSE, unless every one answered before."),
            "closedAt": JSONSchema.timestamp(description: "When it closed."),
            "leadHours": JSONSchema.number(
                description: "Hours from planning to the job's start: they chose the policy's band."),
            "waveSize": JSONSchema.integer(
                minimum: 0, description: "The band's wave size: providers contacted together (0: everyone left)."),
            "intervalMinutes": JSONSchema.integer(
                minimum: 1,
                description: "The band's interval: the wave closes after it, or sooner when the job enters a tighter "
                    + "band or starts."),
            "providerIds": JSONSchema.array(
                of: JSONSchema.string(), description: "The providers planned in it, in contact order."),
        ], required: ["number", "plannedAt", "leadHours", "waveSize", "intervalMinutes", "providerIds"])
}

/// One contact of one provider for one request, ending with exactly one disposition.
public struct ContactAttempt: Codable, Sendable, Equatable {
    /// Where the contact itself is: planned in a wave, being checked and offered, sent, or never
    /// sent (skipped at send time, or the broadcast ended first; the disposition says which).
    public enum Status: String, Codable, Sendable, CaseIterable { case planned, sending, sent, notSent }

    public var id: String
    public var requestId: String
    public var providerId: String
    public var wave: Int
    /// This provider's attempts on this request so far, this one included.
    public var attemptNumber: Int
    public var status: Status
    public var plannedAt: Date
    public var sentAt: Date?
    public var opportunityId: String?
    public var channel: ContactChannel?
    /// System, default or custom code; absent while the attempt is open.
    public var disposition: String?
    public var dispositionAt: Date?
    /// `system`, `provider` or `partner`.
    public var dispositionBy: String?
    /// The provider answered after the attempt had a system disposition (e.g. `NO_RESPONSE`).
    public var late: Bool
    /// Why it was skipped, or the partner's note.
    public var reason: String?
    public var deliveredAt: Date?
    public var deliveryError: String?
    /// Put back in rotation (by `Recycle`) at this time.
    public var recycledAt: Date?

    public init(
        id: String, requestId: String, providerId: String, wave: Int, attemptNumber: Int, status: Status,
        plannedAt: Date, sentAt: Date? = nil, opportunityId: String? = nil, channel: ContactChannel? = nil,
        disposition: String? = nil, dispositionAt: Date? = nil, dispositionBy: String? = nil, late: Bool = false,
        reason: String? = nil, deliveredAt: Date? = nil, deliveryError: String? = nil, recycledAt: Date? = nil
    ) {
        self.id = id
        self.requestId = requestId
        self.providerId = providerId
        self.wave = wave
        self.attemptNumber = attemptNumber
        self.status = status
        self.plannedAt = plannedAt
        self.sentAt = sentAt
        self.opportunityId = opportunityId
        self.channel = channel
        self.disposition = disposition
        self.dispositionAt = dispositionAt
        self.dispositionBy = dispositionBy
        self.late = late
        self.reason = reason
        self.deliveredAt = deliveredAt
        self.deliveryError = deliveryError
        self.recycledAt = recycledAt
    }

    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(description: "The attempt's id, made by broadcast."),
            "requestId": JSONSchema.string(description: "The request it contacts the provider about."),
            "providerId": JSONSchema.string(description: "The provider contacted."),
            "wave": JSONSchema.integer(minimum: 1, description: "The number of the wave it belongs to."),
            "attemptNumber": JSONSchema.integer(
                minimum: 1, description: "The provider's attempts on this request so far, this one included."),
            "status": JSONSchema.string(
                values: Status.allCases.map(\.rawValue),
                description: "planned in a wave; sending (being checked and offered); sent; notSent (skipped at "
                    + "send time, or the broadcast ended first: the disposition says which)."),
            "plannedAt": JSONSchema.timestamp(description: "When it was planned."),
            "sentAt": JSONSchema.timestamp(description: "When it was sent."),
            "opportunityId": JSONSchema.string(description: "The opportunity the offer made or found."),
            "channel": ContactChannel.schema.described("How the provider was reached."),
            "disposition": JSONSchema.string(
                description: "The code of its disposition (system, default or custom); absent while it is open."),
            "dispositionAt": JSONSchema.timestamp(description: "When the disposition was set."),
            "dispositionBy": JSONSchema.string(
                values: ["system", "provider", "partner"],
                description: "Who set the disposition: the service, the provider's answer, or the partner."),
            "late": JSONSchema.boolean(
                description: "The provider answered after the attempt had a system disposition (e.g. NO_RESPONSE)."),
            "reason": JSONSchema.string(description: "Why it was skipped, or the partner's note."),
            "deliveredAt": JSONSchema.timestamp(description: "When delivery of the message was reported."),
            "deliveryError": JSONSchema.string(description: "The delivery failure reported, if any."),
            "recycledAt": JSONSchema.timestamp(
                description: "When Recycle put the provider back in rotation from this attempt."),
        ],
        required: ["id", "requestId", "providerId", "wave", "attemptNumber", "status", "plannedAt", "late"])
}

/// A request's broadcast in full (`Get`, and the reply of the methods that change one).
public struct BroadcastDetail: Codable, Sendable, Equatable {
    public var requestId: String
    public var customerId: String
    public var state: BroadcastState
    public var waitingFor: BroadcastWait?
    public var stopReason: String?
    /// The last failure of the background work on it (ranking, sending), until it succeeds again.
    public var lastError: String?
    public var teamSize: Int
    /// Slots no provider holds (a slot whose holder seeks a replacement counts as open).
    public var openings: Int
    /// Interested providers awaiting a decision.
    public var pendingInterest: Int
    public var startsAt: Date
    public var endsAt: Date
    public var startedAt: Date
    public var updatedAt: Date
    /// Increases by one on every change of the broadcast itself (not of its attempts).
    public var version: Int
    /// The last wave's number (0 before the first).
    public var currentWave: Int
    /// When the next wave is due, if a time is known.
    public var nextWaveAt: Date?
    public var rankedAt: Date?
    public var counts: RankCounts?
    public var overrides: BroadcastOverrides
    /// Everyone matching judged: ranked providers in contact order, then the filtered and excluded.
    public var considered: [ConsideredProvider]
    public var waves: [BroadcastWave]
    public var attempts: [ContactAttempt]

    public init(
        requestId: String, customerId: String, state: BroadcastState, waitingFor: BroadcastWait? = nil,
        stopReason: String? = nil, lastError: String? = nil, teamSize: Int, openings: Int, pendingInterest: Int,
        startsAt: Date, endsAt: Date, startedAt: Date, updatedAt: Date, version: Int, currentWave: Int,
        nextWaveAt: Date? = nil, rankedAt: Date? = nil, counts: RankCounts? = nil,
        overrides: BroadcastOverrides = BroadcastOverrides(), considered: [ConsideredProvider] = [],
        waves: [BroadcastWave] = [], attempts: [ContactAttempt] = []
    ) {
        self.requestId = requestId
        self.customerId = customerId
        self.state = state
        self.waitingFor = waitingFor
        self.stopReason = stopReason
        self.lastError = lastError
        self.teamSize = teamSize
        self.openings = openings
        self.pendingInterest = pendingInterest
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.version = version
        self.currentWave = currentWave
        self.nextWaveAt = nextWaveAt
        self.rankedAt = rankedAt
        self.counts = counts
        self.overrides = overrides
        self.considered = considered
        self.waves = waves
        self.attempts = attempts
    }

    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request broadcast (one broadcast per request)."),
            "customerId": JSONSchema.string(description: "The request's customer."),
            "state": JSONSchema.string(
                values: BroadcastState.allCases.map(\.rawValue),
                description: "Where the broadcast is (docs/design.md, \"Broadcast states\")."),
            "waitingFor": JSONSchema.string(
                values: BroadcastWait.allCases.map(\.rawValue),
                description: "What a waiting broadcast (or a running one between waves) waits for: the start "
                    + "window, interest to be turned down, or a recycle rule."),
            "stopReason": JSONSchema.string(
                description: "Why it stopped: by the partner (with its reason), a cancelled request, or the job's "
                    + "start."),
            "lastError": JSONSchema.string(
                description: "The last failure of the background work on it (ranking, sending), until it succeeds "
                    + "again."),
            "teamSize": JSONSchema.integer(minimum: 1, description: "The request's team size."),
            "openings": JSONSchema.integer(
                description: "Slots no provider holds (a slot whose holder seeks a replacement counts as open)."),
            "pendingInterest": JSONSchema.integer(
                minimum: 0, description: "Interested providers awaiting a decision."),
            "startsAt": JSONSchema.timestamp(description: "When the job starts."),
            "endsAt": JSONSchema.timestamp(description: "When the job ends."),
            "startedAt": JSONSchema.timestamp(description: "When the broadcast started."),
            "updatedAt": JSONSchema.timestamp(description: "When the broadcast last changed."),
            "version": JSONSchema.integer(
                minimum: 1,
                description: "Increases by one on every change of the broadcast itself (not of its attempts); send "
                    + "it back as Override's expectedVersion."),
            "currentWave": JSONSchema.integer(minimum: 0, description: "The last wave's number (0 before the first)."),
            "nextWaveAt": JSONSchema.timestamp(description: "When the next wave is due, if a time is known."),
            "rankedAt": JSONSchema.timestamp(description: "When matching last ranked the request for it."),
            "counts": RankCounts.schema.described("Matching's counts at the last ranking."),
            "overrides": BroadcastOverrides.schema.described("The partner's overrides of the considered list."),
            "considered": JSONSchema.array(
                of: ConsideredProvider.schema,
                description: "Everyone matching judged at the last ranking: ranked providers in contact order, then "
                    + "the ranked ones excluded, then those filtered out."),
            "waves": JSONSchema.array(of: BroadcastWave.schema, description: "Its waves, in the order they went out."),
            "attempts": JSONSchema.array(
                of: ContactAttempt.schema, description: "Every contact attempt, by wave, in contact order."),
        ],
        required: [
            "requestId", "customerId", "state", "teamSize", "openings", "pendingInterest", "startsAt", "endsAt",
            "startedAt", "updatedAt", "version", "currentWave", "overrides", "considered", "waves", "attempts",
        ])
}

/// One line of `List`.
public struct BroadcastSummary: Codable, Sendable, Equatable {
    public var requestId: String
    public var customerId: String
    public var state: BroadcastState
    public var waitingFor: BroadcastWait?
    public var currentWave: Int
    public var nextWaveAt: Date?
    public var openings: Int
    public var pendingInterest: Int
    public var startsAt: Date
    public var updatedAt: Date

    public init(
        requestId: String, customerId: String, state: BroadcastState, waitingFor: BroadcastWait?, currentWave: Int,
        nextWaveAt: Date?, openings: Int, pendingInterest: Int, startsAt: Date, updatedAt: Date
    ) {
        self.requestId = requestId
        self.customerId = customerId
        self.state = state
        self.waitingFor = waitingFor
        self.currentWave = currentWave
        self.nextWaveAt = nextWaveAt
        self.openings = openings
        self.pendingInterest = pendingInterest
        self.startsAt = startsAt
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request broadcast."),
            "customerId": JSONSchema.string(description: "The request's customer."),
            "state": JSONSchema.string(
                values: BroadcastState.allCases.map(\.rawValue), description: "Where the broadcast is."),
            "waitingFor": JSONSchema.string(
                values: BroadcastWait.allCases.map(\.rawValue), description: "What it waits for, if anything."),
            "currentWave": JSONSchema.integer(minimum: 0, description: "The last wave's number (0 before the first)."),
            "nextWaveAt": JSONSchema.timestamp(description: "When the next wave is due, if a time is known."),
            "openings": JSONSchema.integer(description: "Slots no provider holds."),
            "pendingInterest": JSONSchema.integer(
                minimum: 0, description: "Interested providers awaiting a decision."),
            "startsAt": JSONSchema.timestamp(description: "When the job starts."),
            "updatedAt": JSONSchema.timestamp(description: "When the broadcast last changed."),
        ],
        required: [
            "requestId", "customerId", "state", "currentWave", "openings", "pendingInterest", "startsAt", "updatedAt",
        ])
}

// MARK: Requests and replies

/// `Get`'s body.
public struct BroadcastRequestId: Codable, Sendable, Equatable {
    public var requestId: String
    public init(requestId: String) { self.requestId = requestId }
    static let schema = JSONSchema.object(
        ["requestId": JSONSchema.string(description: "The request whose broadcast to read.")],
        required: ["requestId"])
}

/// `Start`'s body: the request, and the partner's overrides before the first wave (as `Override`).
public struct StartRequest: Codable, Sendable, Equatable {
    public var requestId: String
    public var pin: [String]?
    public var exclude: [String]?
    public var order: [String]?
    public init(requestId: String, pin: [String]? = nil, exclude: [String]? = nil, order: [String]? = nil) {
        self.requestId = requestId
        self.pin = pin
        self.exclude = exclude
        self.order = order
    }
    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(
                description: "The request to broadcast; not a cancelled one (FAILED_PRECONDITION)."),
            "pin": JSONSchema.array(
                of: JSONSchema.string(), description: "Provider ids to contact first, in this order, as Override."),
            "exclude": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Provider ids never to contact for this request, as Override; none also pinned."),
            "order": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Provider ids to contact in this order after the pinned, as Override."),
        ], required: ["requestId"])
}

/// `Pause`, `Resume`, `Stop`.
public struct BroadcastActionRequest: Codable, Sendable, Equatable {
    public var requestId: String
    public var reason: String?
    public init(requestId: String, reason: String? = nil) {
        self.requestId = requestId
        self.reason = reason
    }
    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request whose broadcast to pause, resume or stop."),
            "reason": JSONSchema.string(description: "Why, recorded with the change of state."),
        ], required: ["requestId"])
}

public struct ListBroadcastsRequest: Codable, Sendable, Equatable, PagedRequest {
    public var state: BroadcastState?
    public var pageSize: Int?
    public var pageToken: String?
    public init(state: BroadcastState? = nil, pageSize: Int? = nil, pageToken: String? = nil) {
        self.state = state
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "state": JSONSchema.string(
                values: BroadcastState.allCases.map(\.rawValue), description: "Only broadcasts in this state.")
        ], page: .request(pageSizeDefault: "all that fit in one reply"))
}

public struct ListBroadcastsResponse: Codable, Sendable, Equatable, PagedReply {
    public var broadcasts: [BroadcastSummary]
    public var nextPageToken: String?
    public init(broadcasts: [BroadcastSummary], nextPageToken: String? = nil) {
        self.broadcasts = broadcasts
        self.nextPageToken = nextPageToken
    }
    static let schema = JSONSchema.object(
        [
            "broadcasts": JSONSchema.array(
                of: BroadcastSummary.schema, description: "One page of the partner's broadcasts, by request id.")
        ],
        required: ["broadcasts"], page: .reply)
}

/// `Override`'s body: each list given replaces the previous one; a list left out stays.
public struct OverrideRequest: Codable, Sendable, Equatable {
    public var requestId: String
    public var pin: [String]?
    public var exclude: [String]?
    public var order: [String]?
    public var expectedVersion: Int?
    public init(
        requestId: String, pin: [String]? = nil, exclude: [String]? = nil, order: [String]? = nil,
        expectedVersion: Int? = nil
    ) {
        self.requestId = requestId
        self.pin = pin
        self.exclude = exclude
        self.order = order
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request whose broadcast to change."),
            "pin": JSONSchema.array(
                of: JSONSchema.string(),
                description: "When sent, replaces the pinned providers: contacted first, in this order."),
            "exclude": JSONSchema.array(
                of: JSONSchema.string(),
                description: "When sent, replaces the excluded providers: never contacted; none also pinned."),
            "order": JSONSchema.array(
                of: JSONSchema.string(),
                description: "When sent, replaces the ordered providers: contacted in this order after the pinned."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The broadcast's version you last read: any other is ABORTED."),
        ], required: ["requestId"])
}

public struct RecycleRequest: Codable, Sendable, Equatable {
    public var requestId: String
    /// Dispositions to recycle; without it every non-final one except `INTERESTED`.
    public var codes: [String]?
    public init(requestId: String, codes: [String]? = nil) {
        self.requestId = requestId
        self.codes = codes
    }
    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request whose broadcast to recycle providers in."),
            "codes": JSONSchema.array(
                of: JSONSchema.string(),
                description: "The dispositions to recycle, final ones included when named; absent: every one not "
                    + "final, not blocking and not INTERESTED."),
        ],
        required: ["requestId"])
}

public struct RecycleResponse: Codable, Sendable, Equatable {
    /// The attempts whose providers are back in rotation.
    public var recycled: [ContactAttempt]
    public var state: BroadcastState
    public init(recycled: [ContactAttempt], state: BroadcastState) {
        self.recycled = recycled
        self.state = state
    }
    static let schema = JSONSchema.object(
        [
            "recycled": JSONSchema.array(
                of: ContactAttempt.schema,
                description: "Each provider's latest attempt that was recycled: they are back in rotation now."),
            "state": JSONSchema.string(
                values: BroadcastState.allCases.map(\.rawValue), description: "The broadcast's state afterwards."),
        ], required: ["recycled", "state"])
}

public struct SetDispositionRequest: Codable, Sendable, Equatable {
    public var attemptId: String
    public var code: String
    /// For a disposition that blocks: block the provider for every customer, not only the request's.
    public var blockAllCustomers: Bool?
    public var note: String?
    /// With `INTERESTED` or `DECLINED`: how the partner heard the provider's answer (e.g. `phone`),
    /// recorded with it in the opportunity's history.
    public var recordedVia: String?
    public init(
        attemptId: String, code: String, blockAllCustomers: Bool? = nil, note: String? = nil,
        recordedVia: String? = nil
    ) {
        self.attemptId = attemptId
        self.code = code
        self.blockAllCustomers = blockAllCustomers
        self.note = note
        self.recordedVia = recordedVia
    }
    static let schema = JSONSchema.object(
        [
            "attemptId": JSONSchema.string(description: "The sent attempt to qualify."),
            "code": JSONSchema.string(
                description: "A default or custom disposition, not archived; a system one is FAILED_PRECONDITION. "
                    + "INTERESTED and DECLINED record the provider's answer in opportunities; DO_NOT_CONTACT and a "
                    + "custom final one withdraw the provider's open offer."),
            "recordedVia": JSONSchema.string(
                description: "Only with INTERESTED or DECLINED: how the partner heard the answer (e.g. phone; 1 to 50 "
                    + "characters), recorded in the opportunity's history."),
            "blockAllCustomers": JSONSchema.boolean(
                description: "For a disposition that blocks: block the provider for every customer, not only the "
                    + "request's."),
            "note": JSONSchema.string(
                description: "The partner's note, kept as the attempt's reason (at most 4000 characters)."),
        ], required: ["attemptId", "code"])
}

public struct ReportDeliveryRequest: Codable, Sendable, Equatable {
    public var attemptId: String
    public var delivered: Bool
    public var error: String?
    public init(attemptId: String, delivered: Bool, error: String? = nil) {
        self.attemptId = attemptId
        self.delivered = delivered
        self.error = error
    }
    static let schema = JSONSchema.object(
        [
            "attemptId": JSONSchema.string(description: "The sent attempt whose message this is about."),
            "delivered": JSONSchema.boolean(
                description: "Whether the message reached the provider; false sets DELIVERY_FAILED on an attempt "
                    + "with no disposition yet, or only NO_RESPONSE."),
            "error": JSONSchema.string(
                description: "With a failure: what went wrong, at most 4000 characters (default: delivery failed)."),
        ],
        required: ["attemptId", "delivered"])
}

public struct AttemptReply: Codable, Sendable, Equatable {
    public var attempt: ContactAttempt
    public init(attempt: ContactAttempt) { self.attempt = attempt }
    static let schema = JSONSchema.object(
        ["attempt": ContactAttempt.schema.described("The attempt as it is now.")], required: ["attempt"])
}

// MARK: Events

/// `broadcast.contact.sent`: one contact for a notifier to deliver, then report with `ReportDelivery`.
public struct ContactSent: Codable, Sendable, Equatable {
    public var attemptId: String
    public var requestId: String
    public var providerId: String
    public var opportunityId: String
    public var wave: Int
    public var channel: ContactChannel
    public var message: ContactMessage
    public var sentAt: Date
    public init(
        attemptId: String, requestId: String, providerId: String, opportunityId: String, wave: Int,
        channel: ContactChannel, message: ContactMessage, sentAt: Date
    ) {
        self.attemptId = attemptId
        self.requestId = requestId
        self.providerId = providerId
        self.opportunityId = opportunityId
        self.wave = wave
        self.channel = channel
        self.message = message
        self.sentAt = sentAt
    }
}

/// `broadcast.state.changed`.
public struct BroadcastStateChanged: Codable, Sendable, Equatable {
    public var requestId: String
    public var from: BroadcastState?
    public var to: BroadcastState
    public var waitingFor: BroadcastWait?
    public var reason: String?
    public var currentWave: Int
    public init(
        requestId: String, from: BroadcastState?, to: BroadcastState, waitingFor: BroadcastWait?, reason: String?,
        currentWave: Int
    ) {
        self.requestId = requestId
        self.from = from
        self.to = to
        self.waitingFor = waitingFor
        self.reason = reason
        self.currentWave = currentWave
    }
}

/// `broadcast.wave.sent`.
public struct WaveSent: Codable, Sendable, Equatable {
    public var requestId: String
    public var wave: BroadcastWave
    public init(requestId: String, wave: BroadcastWave) {
        self.requestId = requestId
        self.wave = wave
    }
}
