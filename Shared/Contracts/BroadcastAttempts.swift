import Foundation
import Transport
import Wire

// Contacts by disposition, across requests: the partner retrieves its attempts (and exports them),
// recycles or blocks every match of one filter (docs/design.md, "Contacts across requests").

extension Broadcast {
    public static let searchAttempts: MethodDescriptor<SearchAttemptsRequest, SearchAttemptsResponse> = method(
        "SearchAttempts", idempotent: true,
        "Contact attempts across requests, by disposition, customer, provider, request and period, in plan order, "
            + "paged.",
        request: SearchAttemptsRequest.schema, response: SearchAttemptsResponse.schema)
    public static let bulkRecycle: MethodDescriptor<BulkRecycleRequest, BulkRecycleResponse> = method(
        "BulkRecycle", idempotent: false,
        "Puts back in rotation every provider whose latest attempt matches the filter, where the request still "
            + "broadcasts; counts what was done and what was skipped, and why.",
        request: BulkRecycleRequest.schema, response: BulkRecycleResponse.schema)
    public static let bulkBlock: MethodDescriptor<BulkBlockRequest, BulkBlockResponse> = method(
        "BulkBlock", idempotent: true,
        "Blocks the providers of every attempt matching the filter, with a reason, for the requests' customers or "
            + "all; counts what was done and what was skipped, and why.",
        request: BulkBlockRequest.schema, response: BulkBlockResponse.schema)

    /// The filter `SearchAttempts`, `BulkRecycle` and `BulkBlock` share, as JSON Schema properties.
    static let attemptFilter: [String: JSONValue] = [
        "dispositions": JSONSchema.array(
            of: JSONSchema.string(), maxItems: 100,
            description: "Only attempts carrying one of these codes (system, default or custom, archived ones "
                + "included; NOT_FOUND for a code the partner does not have; not empty); absent: every attempt, "
                + "open ones included."),
        "customerId": JSONSchema.string(description: "Only attempts on this customer's requests."),
        "providerId": JSONSchema.string(description: "Only this provider's attempts."),
        "requestId": JSONSchema.string(description: "Only attempts on this request."),
        "from": JSONSchema.timestamp(
            description: "Only attempts planned at or after this time (a period as Stats counts one)."),
        "to": JSONSchema.timestamp(description: "Only attempts planned before this time; after from."),
    ]
}

/// `SearchAttempts`' body: the filter (every field narrows; none: every attempt) and the page.
public struct SearchAttemptsRequest: Codable, Sendable, Equatable, PagedRequest {
    public var dispositions: [String]?
    public var customerId: String?
    public var providerId: String?
    public var requestId: String?
    public var from: Date?
    public var to: Date?
    public var pageSize: Int?
    public var pageToken: String?
    public init(
        dispositions: [String]? = nil, customerId: String? = nil, providerId: String? = nil, requestId: String? = nil,
        from: Date? = nil, to: Date? = nil, pageSize: Int? = nil, pageToken: String? = nil
    ) {
        self.dispositions = dispositions
        self.customerId = customerId
        self.providerId = providerId
        self.requestId = requestId
        self.from = from
        self.to = to
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        Broadcast.attemptFilter, page: .request(pageSizeDefault: "1000, fewer when they do not fit in one reply"))
}

/// One attempt as `SearchAttempts` and the export show it: the contact, whose it was and how it
/// ended.
public struct AttemptSummary: Codable, Sendable, Equatable {
    public var id: String
    public var requestId: String
    public var customerId: String
    public var providerId: String
    public var wave: Int
    public var attemptNumber: Int
    public var status: ContactAttempt.Status
    public var plannedAt: Date
    public var sentAt: Date?
    public var opportunityId: String?
    public var disposition: String?
    public var dispositionLabel: String?
    /// `system`, `provider` or `partner`.
    public var dispositionBy: String?
    public var dispositionAt: Date?
    public var late: Bool
    public var reason: String?
    public var recycledAt: Date?

    public init(
        id: String, requestId: String, customerId: String, providerId: String, wave: Int, attemptNumber: Int,
        status: ContactAttempt.Status, plannedAt: Date, sentAt: Date? = nil, opportunityId: String? = nil,
        disposition: String? = nil, dispositionLabel: String? = nil, dispositionBy: String? = nil,
        dispositionAt: Date? = nil, late: Bool = false, reason: String? = nil, recycledAt: Date? = nil
    ) {
        self.id = id
        self.requestId = requestId
        self.customerId = customerId
        self.providerId = providerId
        self.wave = wave
        self.attemptNumber = attemptNumber
        self.status = status
        self.plannedAt = plannedAt
        self.sentAt = sentAt
        self.opportunityId = opportunityId
        self.disposition = disposition
        self.dispositionLabel = dispositionLabel
        self.dispositionBy = dispositionBy
        self.dispositionAt = dispositionAt
        self.late = late
        self.reason = reason
        self.recycledAt = recycledAt
    }

    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(description: "The attempt's id."),
            "requestId": JSONSchema.string(description: "The request it contacted the provider about."),
            "customerId": JSONSchema.string(description: "The request's customer."),
            "providerId": JSONSchema.string(description: "The provider contacted."),
            "wave": JSONSchema.integer(minimum: 1, description: "The number of the wave it belongs to."),
            "attemptNumber": JSONSchema.integer(
                minimum: 1, description: "The provider's attempts on the request so far, this one included."),
            "status": JSONSchema.string(
                values: ContactAttempt.Status.allCases.map(\.rawValue),
                description: "planned, sending, sent, or notSent (skipped, or the broadcast ended first)."),
            "plannedAt": JSONSchema.timestamp(description: "When it was planned: the time the period filters on."),
            "sentAt": JSONSchema.timestamp(description: "When it was sent."),
            "opportunityId": JSONSchema.string(description: "The opportunity the offer made or found."),
            "disposition": JSONSchema.string(description: "Its disposition's code; absent while it is open."),
            "dispositionLabel": JSONSchema.string(description: "The disposition's label, archived or not."),
            "dispositionBy": JSONSchema.string(
                values: ["system", "provider", "partner"],
                description: "Who set the disposition: the service, the provider's answer, or the partner."),
            "dispositionAt": JSONSchema.timestamp(description: "When the disposition was set."),
            "late": JSONSchema.boolean(
                description: "The provider answered after the attempt had a system disposition."),
            "reason": JSONSchema.string(description: "Why it was skipped, or the partner's note."),
            "recycledAt": JSONSchema.timestamp(
                description: "When Recycle or BulkRecycle put the provider back in rotation from it."),
        ],
        required: [
            "id", "requestId", "customerId", "providerId", "wave", "attemptNumber", "status", "plannedAt", "late",
        ])
}

public struct SearchAttemptsResponse: Codable, Sendable, Equatable, PagedReply {
    public var attempts: [AttemptSummary]
    public var nextPageToken: String?
    public init(attempts: [AttemptSummary], nextPageToken: String? = nil) {
        self.attempts = attempts
        self.nextPageToken = nextPageToken
    }
    static let schema = JSONSchema.object(
        [
            "attempts": JSONSchema.array(
                of: AttemptSummary.schema,
                description: "One page of the attempts matching the filter, in plan order (then by id).")
        ], required: ["attempts"], page: .reply)
}

/// Why a bulk action left a match alone.
public enum BulkSkipReason: String, Codable, Sendable, CaseIterable {
    /// The provider has a later attempt on the request: only the latest is recycled.
    case superseded
    /// The request's broadcast is filled or stopped (or never started): nothing to recycle into.
    case broadcastEnded
    /// The attempt has no disposition yet.
    case open
    /// The provider is back in rotation from it already.
    case alreadyRecycled
    /// Final, blocking or `INTERESTED`, and not named in `dispositions`.
    case notRecyclable
    /// The provider is blocked already for that customer (or for every customer).
    case alreadyBlocked
}

/// How many matches a bulk action left alone for one reason.
public struct BulkSkip: Codable, Sendable, Equatable {
    public var reason: BulkSkipReason
    public var count: Int
    public init(reason: BulkSkipReason, count: Int) {
        self.reason = reason
        self.count = count
    }
    static let schema = JSONSchema.object(
        [
            "reason": JSONSchema.string(
                values: BulkSkipReason.allCases.map(\.rawValue),
                description: "superseded: the provider has a later attempt on the request; broadcastEnded: the "
                    + "request's broadcast is filled or stopped; open: no disposition yet; alreadyRecycled; "
                    + "notRecyclable: final, blocking or INTERESTED and not named in dispositions; alreadyBlocked."),
            "count": JSONSchema.integer(minimum: 1, description: "How many were skipped for it."),
        ], required: ["reason", "count"])
}

/// `BulkRecycle`'s body: the filter, of which at least one field.
public struct BulkRecycleRequest: Codable, Sendable, Equatable {
    public var dispositions: [String]?
    public var customerId: String?
    public var providerId: String?
    public var requestId: String?
    public var from: Date?
    public var to: Date?
    public init(
        dispositions: [String]? = nil, customerId: String? = nil, providerId: String? = nil, requestId: String? = nil,
        from: Date? = nil, to: Date? = nil
    ) {
        self.dispositions = dispositions
        self.customerId = customerId
        self.providerId = providerId
        self.requestId = requestId
        self.from = from
        self.to = to
    }
    static let schema = JSONSchema.object(
        Broadcast.attemptFilter,
        description: "At least one filter field. Named dispositions are recycled even when final or blocking; "
            + "without dispositions, those not final, not blocking and not INTERESTED.")
}

public struct BulkRecycleResponse: Codable, Sendable, Equatable {
    /// Attempts matching the filter.
    public var matched: Int
    /// Attempts whose providers are back in rotation now.
    public var recycled: Int
    /// Broadcasts that took someone back.
    public var broadcasts: Int
    /// The matches left alone, by reason.
    public var skipped: [BulkSkip]
    public init(matched: Int, recycled: Int, broadcasts: Int, skipped: [BulkSkip]) {
        self.matched = matched
        self.recycled = recycled
        self.broadcasts = broadcasts
        self.skipped = skipped
    }
    static let schema = JSONSchema.object(
        [
            "matched": JSONSchema.integer(minimum: 0, description: "Attempts matching the filter."),
            "recycled": JSONSchema.integer(
                minimum: 0, description: "Of those, the attempts whose providers are back in rotation now."),
            "broadcasts": JSONSchema.integer(minimum: 0, description: "The broadcasts that took someone back."),
            "skipped": JSONSchema.array(
                of: BulkSkip.schema,
                description: "The other matches by why they were left alone, in the order of BulkSkip's reasons; "
                    + "matched is recycled plus these counts."),
        ], required: ["matched", "recycled", "broadcasts", "skipped"])
}

/// `BulkBlock`'s body: the filter (at least one field), the reason, and the scope of the blocks.
public struct BulkBlockRequest: Codable, Sendable, Equatable {
    public var dispositions: [String]?
    public var customerId: String?
    public var providerId: String?
    public var requestId: String?
    public var from: Date?
    public var to: Date?
    public var reason: String
    /// Block each provider for every customer, not only for the customers of the matched requests.
    public var blockAllCustomers: Bool?
    public init(
        dispositions: [String]? = nil, customerId: String? = nil, providerId: String? = nil, requestId: String? = nil,
        from: Date? = nil, to: Date? = nil, reason: String, blockAllCustomers: Bool? = nil
    ) {
        self.dispositions = dispositions
        self.customerId = customerId
        self.providerId = providerId
        self.requestId = requestId
        self.from = from
        self.to = to
        self.reason = reason
        self.blockAllCustomers = blockAllCustomers
    }
    static let schema = JSONSchema.object(
        Broadcast.attemptFilter.merging([
            "reason": JSONSchema.string(description: "Why, 1 to 4000 characters, kept with each block added."),
            "blockAllCustomers": JSONSchema.boolean(
                description: "Block each provider for every customer; default false: for the customer of each "
                    + "matched attempt's request."),
        ]) { $1 },
        required: ["reason"], description: "At least one filter field besides the reason.")
}

public struct BulkBlockResponse: Codable, Sendable, Equatable {
    /// Attempts matching the filter.
    public var matched: Int
    /// Distinct providers among them.
    public var providers: Int
    /// Block entries added.
    public var blocked: Int
    /// The entries not added, by reason.
    public var skipped: [BulkSkip]
    public init(matched: Int, providers: Int, blocked: Int, skipped: [BulkSkip]) {
        self.matched = matched
        self.providers = providers
        self.blocked = blocked
        self.skipped = skipped
    }
    static let schema = JSONSchema.object(
        [
            "matched": JSONSchema.integer(minimum: 0, description: "Attempts matching the filter."),
            "providers": JSONSchema.integer(minimum: 0, description: "Distinct providers among them."),
            "blocked": JSONSchema.integer(
                minimum: 0,
                description: "Block entries added: one per provider and customer (per provider with "
                    + "blockAllCustomers)."),
            "skipped": JSONSchema.array(
                of: BulkSkip.schema,
                description: "The entries not added, by reason (alreadyBlocked: an entry for that customer, or for "
                    + "every customer, was there; its reason is kept)."),
        ], required: ["matched", "providers", "blocked", "skipped"])
}
