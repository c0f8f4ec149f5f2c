import Foundation
import Transport
import Wire

// The partner's broadcast settings and figures: contact dispositions (system, default, custom)
// with their recycle rules, the block list, the wave policy, and statistics.

extension Broadcast {
    public static let defineDisposition: MethodDescriptor<DefineDispositionRequest, DispositionReply> = method(
        "DefineDisposition", idempotent: true,
        "Defines or changes a custom disposition; for a system or default one, only its recycle rule.",
        request: DefineDispositionRequest.schema, response: DispositionReply.schema)
    public static let archiveDisposition: MethodDescriptor<DispositionCodeRequest, DispositionReply> = method(
        "ArchiveDisposition", idempotent: true,
        "Archives a custom disposition: no longer set, still shown in history and statistics.",
        request: DispositionCodeRequest.schema, response: DispositionReply.schema)
    public static let deleteDisposition: MethodDescriptor<DispositionCodeRequest, DeleteDispositionResponse> = method(
        "DeleteDisposition", idempotent: true,
        "Deletes a custom disposition never used (FAILED_PRECONDITION once used: archive it instead).",
        request: DispositionCodeRequest.schema, response: DeleteDispositionResponse.schema)
    public static let listDispositions: MethodDescriptor<ListDispositionsRequest, ListDispositionsResponse> = method(
        "ListDispositions", idempotent: true,
        "System, default and custom dispositions with their flags and recycle rules; archived ones when asked.",
        request: ListDispositionsRequest.schema, response: ListDispositionsResponse.schema)
    public static let block: MethodDescriptor<BlockRequest, BlockReply> = method(
        "Block", idempotent: true,
        "Adds a provider to the block list, for one customer or (without customerId) all; applied at rank and send time.",
        request: BlockRequest.schema, response: BlockReply.schema)
    public static let unblock: MethodDescriptor<UnblockRequest, BlockReply> = method(
        "Unblock", idempotent: false, "Removes one entry of the block list (NOT_FOUND when there is none).",
        request: UnblockRequest.schema, response: BlockReply.schema)
    public static let listBlocks: MethodDescriptor<ListBlocksRequest, ListBlocksResponse> = method(
        "ListBlocks", idempotent: true, "The block list, optionally of one provider or customer, paged.",
        request: ListBlocksRequest.schema, response: ListBlocksResponse.schema)
    public static let setPolicy: MethodDescriptor<SetPolicyRequest, PolicyReply> = method(
        "SetPolicy", idempotent: true,
        "Sets the wave policy: bands by lead time (wave size, interval) and the start window.",
        request: SetPolicyRequest.schema, response: PolicyReply.schema)
    public static let getPolicy: MethodDescriptor<GetPolicyRequest, PolicyReply> = method(
        "GetPolicy", idempotent: true, "The partner's wave policy (the default until one is set).",
        request: JSONSchema.empty, response: PolicyReply.schema)
    public static let stats: MethodDescriptor<StatsRequest, StatsResponse> = method(
        "Stats", idempotent: true,
        "Attempts by disposition, time to first interest, time to fill and fill rate: of a request or a period.",
        request: StatsRequest.schema, response: StatsResponse.schema)
}

// MARK: Dispositions

/// Who defines a disposition (docs/design.md, "Contact dispositions").
public enum DispositionKind: String, Codable, Sendable, CaseIterable {
    /// Set by the service itself: `NO_RESPONSE`, `DELIVERY_FAILED`, `WITHDRAWN`, `SKIPPED`.
    case system
    /// Offered to every partner: `INTERESTED`, `DECLINED`, `DO_NOT_CONTACT`, `WRONG_CONTACT_DETAILS`.
    case `default`
    /// Defined by the partner.
    case custom
}

/// A disposition with its flags and recycle rule.
public struct DispositionDefinition: Codable, Sendable, Equatable {
    /// Upper-case letters, digits and underscores, starting with a letter.
    public var code: String
    public var label: String
    public var kind: DispositionKind
    /// Out of rotation: never recycled by rule, and by `Recycle` only when named.
    public var final: Bool
    /// Setting it adds the provider to the block list.
    public var blocks: Bool
    /// Back in rotation this long after it was set…
    public var recycleAfterSeconds: Int?
    /// …while the provider had fewer attempts on the request than this.
    public var maxAttempts: Int?
    public var archived: Bool
    public var updatedAt: Date?

    public init(
        code: String, label: String, kind: DispositionKind, final: Bool = false, blocks: Bool = false,
        recycleAfterSeconds: Int? = nil, maxAttempts: Int? = nil, archived: Bool = false, updatedAt: Date? = nil
    ) {
        self.code = code
        self.label = label
        self.kind = kind
        self.final = final
        self.blocks = blocks
        self.recycleAfterSeconds = recycleAfterSeconds
        self.maxAttempts = maxAttempts
        self.archived = archived
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "code": JSONSchema.string(
                description: "Upper-case letters, digits and underscores, from a letter, at most 50 characters."),
            "label": JSONSchema.string(description: "A readable name for it."),
            "kind": JSONSchema.string(
                values: DispositionKind.allCases.map(\.rawValue),
                description: "system: set by the service itself; default: offered to every partner; custom: defined "
                    + "by the partner."),
            "final": JSONSchema.boolean(
                description: "Out of rotation: never recycled by rule, and by Recycle only when named."),
            "blocks": JSONSchema.boolean(description: "Setting it adds the provider to the block list."),
            "recycleAfterSeconds": JSONSchema.integer(
                minimum: 0,
                description: "Recycle rule: back in rotation this long after it was set; absent: never by rule."),
            "maxAttempts": JSONSchema.integer(
                minimum: 1,
                description: "Recycle rule: only while the provider has had fewer attempts on the request than "
                    + "this; absent: no limit."),
            "archived": JSONSchema.boolean(
                description: "Archived (custom only): no longer set, still shown in history and statistics."),
            "updatedAt": JSONSchema.timestamp(
                description: "When the partner last defined or changed it; absent for a built-in one never changed."),
        ], required: ["code", "label", "kind", "final", "blocks", "archived"])
}

public struct DefineDispositionRequest: Codable, Sendable, Equatable {
    public var code: String
    /// Required for a new custom disposition.
    public var label: String?
    public var final: Bool?
    public var blocks: Bool?
    public var recycleAfterSeconds: Int?
    public var maxAttempts: Int?
    public init(
        code: String, label: String? = nil, final: Bool? = nil, blocks: Bool? = nil, recycleAfterSeconds: Int? = nil,
        maxAttempts: Int? = nil
    ) {
        self.code = code
        self.label = label
        self.final = final
        self.blocks = blocks
        self.recycleAfterSeconds = recycleAfterSeconds
        self.maxAttempts = maxAttempts
    }
    static let schema = JSONSchema.object(
        [
            "code": JSONSchema.string(
                description: "A custom disposition to define or change ([A-Z][A-Z0-9_]*, at most 50 characters), "
                    + "or a built-in one whose recycle rule to set."),
            "label": JSONSchema.string(
                description: "Its readable name, 1 to 200 characters: required for a new custom disposition, kept "
                    + "when left out; a built-in one's is fixed."),
            "final": JSONSchema.boolean(
                description: "Out of rotation, never recycled by rule; left out: kept, false for a new one (a "
                    + "built-in one's is fixed)."),
            "blocks": JSONSchema.boolean(
                description: "Setting it adds the provider to the block list; left out: kept, false for a new one (a "
                    + "built-in one's is fixed)."),
            "recycleAfterSeconds": JSONSchema.integer(
                minimum: 0, maximum: 31_536_000,
                description: "Recycle rule: back in rotation this long after it is set; left out: no rule."),
            "maxAttempts": JSONSchema.integer(
                minimum: 1, maximum: 100,
                description: "Recycle rule: only while the provider has had fewer attempts than this; left out: no "
                    + "limit."),
        ], required: ["code"])
}

public struct DispositionCodeRequest: Codable, Sendable, Equatable {
    public var code: String
    public init(code: String) { self.code = code }
    static let schema = JSONSchema.object(
        ["code": JSONSchema.string(description: "The custom disposition's code.")], required: ["code"])
}

public struct DispositionReply: Codable, Sendable, Equatable {
    public var disposition: DispositionDefinition
    public init(disposition: DispositionDefinition) { self.disposition = disposition }
    static let schema = JSONSchema.object(
        ["disposition": DispositionDefinition.schema.described("The disposition as it is now.")],
        required: ["disposition"])
}

public struct DeleteDispositionResponse: Codable, Sendable, Equatable {
    public var code: String
    public init(code: String) { self.code = code }
    static let schema = JSONSchema.object(
        ["code": JSONSchema.string(description: "The code deleted.")], required: ["code"])
}

public struct ListDispositionsRequest: Codable, Sendable, Equatable {
    public var includeArchived: Bool?
    public init(includeArchived: Bool? = nil) { self.includeArchived = includeArchived }
    static let schema = JSONSchema.object([
        "includeArchived": JSONSchema.boolean(description: "Also list archived custom dispositions (default false).")
    ])
}

public struct ListDispositionsResponse: Codable, Sendable, Equatable {
    /// System, then default, then custom dispositions by code.
    public var dispositions: [DispositionDefinition]
    public init(dispositions: [DispositionDefinition]) { self.dispositions = dispositions }
    static let schema = JSONSchema.object(
        [
            "dispositions": JSONSchema.array(
                of: DispositionDefinition.schema,
                description: "System, then default, then custom dispositions, each by code.")
        ], required: ["dispositions"])
}

// MARK: The block list

/// A provider never contacted for one customer's requests, or (without `customerId`) anyone's.
public struct BlockEntry: Codable, Sendable, Equatable {
    public var providerId: String
    public var customerId: String?
    public var reason: String?
    /// The attempt whose disposition added it, if one did.
    public var attemptId: String?
    public var createdAt: Date
    public init(
        providerId: String, customerId: String? = nil, reason: String? = nil, attemptId: String? = nil,
        createdAt: Date
    ) {
        self.providerId = providerId
        self.customerId = customerId
        self.reason = reason
        self.attemptId = attemptId
        self.createdAt = createdAt
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider never to contact."),
            "customerId": JSONSchema.string(
                description: "The customer whose requests it applies to; absent: every customer."),
            "reason": JSONSchema.string(description: "Why, as given, or the disposition that added it."),
            "attemptId": JSONSchema.string(description: "The attempt whose disposition added it, if one did."),
            "createdAt": JSONSchema.timestamp(description: "When it was added."),
        ], required: ["providerId", "createdAt"])
}

public struct BlockRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var customerId: String?
    public var reason: String?
    public init(providerId: String, customerId: String? = nil, reason: String? = nil) {
        self.providerId = providerId
        self.customerId = customerId
        self.reason = reason
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider to block."),
            "customerId": JSONSchema.string(description: "Only for this customer's requests; absent: every customer."),
            "reason": JSONSchema.string(
                description: "Why, at most 4000 characters; blocking again replaces the reason."),
        ],
        required: ["providerId"])
}

public struct UnblockRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var customerId: String?
    public init(providerId: String, customerId: String? = nil) {
        self.providerId = providerId
        self.customerId = customerId
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider of the entry to remove."),
            "customerId": JSONSchema.string(
                description: "The entry's customer; absent: the entry for every customer."),
        ], required: ["providerId"])
}

public struct BlockReply: Codable, Sendable, Equatable {
    public var block: BlockEntry
    public init(block: BlockEntry) { self.block = block }
    static let schema = JSONSchema.object(
        ["block": BlockEntry.schema.described("The entry added, or the one removed.")], required: ["block"])
}

public struct ListBlocksRequest: Codable, Sendable, Equatable, PagedRequest {
    public var providerId: String?
    public var customerId: String?
    public var pageSize: Int?
    public var pageToken: String?
    public init(providerId: String? = nil, customerId: String? = nil, pageSize: Int? = nil, pageToken: String? = nil) {
        self.providerId = providerId
        self.customerId = customerId
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "Only this provider's entries."),
            "customerId": JSONSchema.string(
                description: "Only the entries for this customer (not those for every customer)."),
        ], page: .request(pageSizeDefault: "all that fit in one reply"))
}

public struct ListBlocksResponse: Codable, Sendable, Equatable, PagedReply {
    public var blocks: [BlockEntry]
    public var nextPageToken: String?
    public init(blocks: [BlockEntry], nextPageToken: String? = nil) {
        self.blocks = blocks
        self.nextPageToken = nextPageToken
    }
    static let schema = JSONSchema.object(
        [
            "blocks": JSONSchema.array(
                of: BlockEntry.schema,
                description: "One page of the entries, by provider, then customer (every customer first).")
        ],
        required: ["blocks"], page: .reply)
}

// MARK: The wave policy

/// Jobs at least `minLeadHours` away get waves of `waveSize` providers (0: everyone left) every
/// `intervalMinutes`.
public struct PolicyBand: Codable, Sendable, Equatable {
    public var minLeadHours: Double
    public var waveSize: Int
    public var intervalMinutes: Int
    public init(minLeadHours: Double, waveSize: Int, intervalMinutes: Int) {
        self.minLeadHours = minLeadHours
        self.waveSize = waveSize
        self.intervalMinutes = intervalMinutes
    }
    static let schema = JSONSchema.object(
        [
            "minLeadHours": JSONSchema.number(
                minimum: 0,
                description: "The band holds jobs more than this many hours away (at most 8760); the 0 band, every "
                    + "job closer than the others."),
            "waveSize": JSONSchema.integer(
                minimum: 0, maximum: 1000, description: "Providers contacted per wave (0: everyone left at once)."),
            "intervalMinutes": JSONSchema.integer(
                minimum: 1, maximum: 43_200, description: "Minutes a wave stays open before the next one."),
        ], required: ["minLeadHours", "waveSize", "intervalMinutes"])
}

/// A partner's wave policy.
public struct BroadcastPolicy: Codable, Sendable, Equatable {
    /// Widest lead time first; the last band starts at 0 hours.
    public var bands: [PolicyBand]
    /// Jobs further out start broadcasting this many days before they start.
    public var startWindowDays: Int
    /// Whether `request.created` starts a broadcast by itself.
    public var autoStart: Bool
    /// Whether a provider back in rotation by a recycle rule takes their place in rank order
    /// among those never contacted; false (the default): only once nobody never contacted is left.
    public var recycledInRankOrder: Bool
    /// 0 for the default; increases by one on every change.
    public var version: Int
    public var updatedAt: Date?

    public init(
        bands: [PolicyBand], startWindowDays: Int, autoStart: Bool, recycledInRankOrder: Bool = false, version: Int,
        updatedAt: Date? = nil
    ) {
        self.bands = bands
        self.startWindowDays = startWindowDays
        self.autoStart = autoStart
        self.recycledInRankOrder = recycledInRankOrder
        self.version = version
        self.updatedAt = updatedAt
    }

    static let recycledInRankOrderDescription =
        "Whether a provider back in rotation by a recycle rule takes their place in rank order among those never "
        + "contacted for the request; false: a wave takes everyone never contacted (in rank order) first, and the "
        + "recycled only once none is left. Providers the partner recycles by hand always take their rank place."

    /// docs/design.md, "Waves and bands": more than 14 days: 1 every 24 h; 3–14 days: 2 every 8 h;
    /// 1–3 days: 3 every 2 h; 4–24 h: 5 every 30 min; 4 h or less: everyone left at once; jobs more
    /// than 30 days out wait.
    public static let standard = BroadcastPolicy(
        bands: [
            PolicyBand(minLeadHours: 336, waveSize: 1, intervalMinutes: 1440),
            PolicyBand(minLeadHours: 72, waveSize: 2, intervalMinutes: 480),
            PolicyBand(minLeadHours: 24, waveSize: 3, intervalMinutes: 120),
            PolicyBand(minLeadHours: 4, waveSize: 5, intervalMinutes: 30),
            PolicyBand(minLeadHours: 0, waveSize: 0, intervalMinutes: 30),
        ], startWindowDays: 30, autoStart: true, version: 0)

    static let schema = JSONSchema.object(
        [
            "bands": JSONSchema.array(
                of: PolicyBand.schema, description: "Its bands, widest lead time first; the last starts at 0 hours."),
            "startWindowDays": JSONSchema.integer(
                minimum: 1, description: "A job further out waits, and its broadcast starts this many days before."),
            "autoStart": JSONSchema.boolean(
                description: "Whether opportunities' request.created starts a broadcast by itself."),
            "recycledInRankOrder": JSONSchema.boolean(description: recycledInRankOrderDescription),
            "version": JSONSchema.integer(
                minimum: 0, description: "0 for the default policy; increases by one on every change."),
            "updatedAt": JSONSchema.timestamp(description: "When it was last set; absent for the default."),
        ], required: ["bands", "startWindowDays", "autoStart", "recycledInRankOrder", "version"])
}

public struct SetPolicyRequest: Codable, Sendable, Equatable {
    public var bands: [PolicyBand]
    public var startWindowDays: Int?
    public var autoStart: Bool?
    /// Left out: kept (false in the default policy).
    public var recycledInRankOrder: Bool?
    public var expectedVersion: Int?
    public init(
        bands: [PolicyBand], startWindowDays: Int? = nil, autoStart: Bool? = nil, recycledInRankOrder: Bool? = nil,
        expectedVersion: Int? = nil
    ) {
        self.bands = bands
        self.startWindowDays = startWindowDays
        self.autoStart = autoStart
        self.recycledInRankOrder = recycledInRankOrder
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "bands": JSONSchema.array(
                of: PolicyBand.schema,
                description: "The bands, replacing the previous ones: 1 to 20, no minLeadHours twice, one from 0 "
                    + "hours."),
            "startWindowDays": JSONSchema.integer(
                minimum: 1, maximum: 365,
                description: "Days before a job's start its broadcast may start; left out: kept (30 in the default "
                    + "policy)."),
            "autoStart": JSONSchema.boolean(
                description: "Whether request.created starts a broadcast by itself; left out: kept (true in the "
                    + "default policy)."),
            "recycledInRankOrder": JSONSchema.boolean(
                description: BroadcastPolicy.recycledInRankOrderDescription + " Left out: kept (false in the default "
                    + "policy)."),
            "expectedVersion": JSONSchema.integer(
                minimum: 0, description: "The version you last read (0: the default): any other is ABORTED."),
        ], required: ["bands"])
}

public struct GetPolicyRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct PolicyReply: Codable, Sendable, Equatable {
    public var policy: BroadcastPolicy
    public init(policy: BroadcastPolicy) { self.policy = policy }
    static let schema = JSONSchema.object(
        ["policy": BroadcastPolicy.schema.described("The partner's wave policy in force.")], required: ["policy"])
}

// MARK: Statistics

/// `Stats`' body: one request, or the broadcasts started and attempts planned in [from, to).
public struct StatsRequest: Codable, Sendable, Equatable {
    public var requestId: String?
    public var from: Date?
    public var to: Date?
    public init(requestId: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.requestId = requestId
        self.from = from
        self.to = to
    }
    static let schema = JSONSchema.object([
        "requestId": JSONSchema.string(description: "One request's broadcast; not with from and to."),
        "from": JSONSchema.timestamp(
            description: "Without requestId, required: the period's start (broadcasts started and attempts planned "
                + "from then)."),
        "to": JSONSchema.timestamp(
            description: "Without requestId, required: the period's end, after from and itself excluded."),
    ])
}

public struct DispositionCount: Codable, Sendable, Equatable {
    public var code: String
    public var label: String
    public var count: Int
    public init(code: String, label: String, count: Int) {
        self.code = code
        self.label = label
        self.count = count
    }
    static let schema = JSONSchema.object(
        [
            "code": JSONSchema.string(description: "The disposition's code."),
            "label": JSONSchema.string(description: "Its label, archived or not."),
            "count": JSONSchema.integer(minimum: 0, description: "Attempts carrying it."),
        ],
        required: ["code", "label", "count"])
}

public struct StatsResponse: Codable, Sendable, Equatable {
    public var requestId: String?
    public var from: Date?
    public var to: Date?
    /// Broadcasts counted, and those filled.
    public var broadcasts: Int
    public var filled: Int
    public var attempts: Int
    /// Attempts without a disposition yet.
    public var open: Int
    /// By code, the most frequent first (ties by code).
    public var byDisposition: [DispositionCount]
    /// From the start of the broadcast to its first interest (the mean over a period).
    public var timeToFirstInterestSeconds: Double?
    /// From the start of the broadcast to the team filled (the mean over a period).
    public var timeToFillSeconds: Double?
    /// Of a request: slots held over team size; of a period: broadcasts filled over broadcasts.
    public var fillRate: Double?

    public init(
        requestId: String? = nil, from: Date? = nil, to: Date? = nil, broadcasts: Int, filled: Int, attempts: Int,
        open: Int, byDisposition: [DispositionCount], timeToFirstInterestSeconds: Double? = nil,
        timeToFillSeconds: Double? = nil, fillRate: Double? = nil
    ) {
        self.requestId = requestId
        self.from = from
        self.to = to
        self.broadcasts = broadcasts
        self.filled = filled
        self.attempts = attempts
        self.open = open
        self.byDisposition = byDisposition
        self.timeToFirstInterestSeconds = timeToFirstInterestSeconds
        self.timeToFillSeconds = timeToFillSeconds
        self.fillRate = fillRate
    }

    static let schema = JSONSchema.object(
        [
            "requestId": JSONSchema.string(description: "The request, when the figures are one request's."),
            "from": JSONSchema.timestamp(description: "The period's start, when the figures are a period's."),
            "to": JSONSchema.timestamp(description: "The period's end, when the figures are a period's."),
            "broadcasts": JSONSchema.integer(minimum: 0, description: "Broadcasts counted."),
            "filled": JSONSchema.integer(minimum: 0, description: "Of those, the broadcasts filled."),
            "attempts": JSONSchema.integer(minimum: 0, description: "Contact attempts counted."),
            "open": JSONSchema.integer(minimum: 0, description: "Attempts without a disposition yet."),
            "byDisposition": JSONSchema.array(
                of: DispositionCount.schema,
                description: "Attempts by disposition code, the most frequent first (ties by code)."),
            "timeToFirstInterestSeconds": JSONSchema.number(
                minimum: 0,
                description: "Seconds from the broadcast's start to its first interest (over a period, the mean); "
                    + "absent: no interest yet."),
            "timeToFillSeconds": JSONSchema.number(
                minimum: 0,
                description: "Seconds from the broadcast's start to the team filled (over a period, the mean); "
                    + "absent: none filled."),
            "fillRate": JSONSchema.number(
                minimum: 0, maximum: 1,
                description: "Of a request: slots held over team size; of a period: broadcasts filled over those "
                    + "started (absent when none started)."),
        ], required: ["broadcasts", "filled", "attempts", "open", "byDisposition"])
}
