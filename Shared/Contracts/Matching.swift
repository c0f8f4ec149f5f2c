import Foundation
import Transport
import Wire

/// The matching contract: who is right and free for a request, every provider either ranked
/// (with each criterion's value and contribution) or filtered out (with every reason).
public enum Matching {
    /// The service name.
    public static let service = "matching"

    static let callers: Set<Actor.Role> = [.partner, .service]

    static func method<Request, Response>(
        _ name: String, idempotent: Bool, _ summary: String, request: JSONValue, response: JSONValue
    ) -> MethodDescriptor<Request, Response> {
        MethodDescriptor(
            "matching.\(name)", idempotent: idempotent, roles: callers, summary: summary, request: request,
            response: response)
    }

    public static let rank: MethodDescriptor<RankRequest, RankResponse> = method(
        "Rank", idempotent: true,
        "Every provider of the partner, ranked for the request or filtered out with every reason; filtered list paged.",
        request: RankRequest.schema, response: RankResponse.schema)
    public static let check: MethodDescriptor<CheckRequest, CheckResponse> = method(
        "Check", idempotent: true,
        "The same judgement as Rank for one provider: passes, every reason, every criterion.",
        request: CheckRequest.schema, response: CheckResponse.schema)
    public static let getSettings: MethodDescriptor<GetSettingsRequest, SettingsReply> = method(
        "GetSettings", idempotent: true, "The partner's ranking weights and travel buffer.",
        request: JSONSchema.empty, response: SettingsReply.schema)
    public static let setSettings: MethodDescriptor<SetSettingsRequest, SettingsReply> = method(
        "SetSettings", idempotent: true,
        "Changes the partner's weights and travel buffer (those left out are kept); an event every replica applies.",
        request: SetSettingsRequest.schema, response: SettingsReply.schema)
    public static let status: MethodDescriptor<StatusRequest, MatchingStatus> = method(
        "Status", idempotent: true, "The read model: per source the applied seq, epoch, lag, rebuilds and last error.",
        request: JSONSchema.empty, response: MatchingStatus.schema)

    /// Event types matching publishes (topic `matching.<type>`).
    public enum EventType {
        public static let settingsSet = "settings.set"  // RankingSettings
    }

    /// The sources whose events feed the read model, as `minSeq` names them.
    public static let sources = [Registry.service, Opportunities.service]
}

// MARK: Rank and Check

/// A provider left out by the caller (a block list), with the reason shown in `filtered`.
public struct ExcludedProvider: Codable, Sendable, Equatable {
    public var providerId: String
    public var reason: String
    public init(providerId: String, reason: String) {
        self.providerId = providerId
        self.reason = reason
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider to leave out."),
            "reason": JSONSchema.string(
                description: "Why, shown as the excluded filter's detail (empty: \"excluded by the caller\")."),
        ], required: ["providerId", "reason"])
}

/// `matching.Rank`'s body.
public struct RankRequest: Codable, Sendable, Equatable, PagedRequest {
    /// The job (`request` on the wire), with the fields of `opportunities.CreateRequest`; the
    /// customer's defaults are merged by the same rule (`CustomerDefaults`).
    public var job: JobDescription
    /// The request this is for, once it exists: its own team is no conflict.
    public var requestId: String?
    /// Ranked providers returned at most (0…1000, default 100); `counts.ranked` has them all.
    public var limit: Int?
    public var excludeProviderIds: [ExcludedProvider]?
    /// Per source (`registry`, `opportunities`), a `seq` the read model must have applied first.
    public var minSeq: [String: Int64]?
    /// Filtered providers per page (1…1000, default 100), by provider id; also bounded by bytes.
    public var pageSize: Int?
    /// `nextPageToken` of the previous reply: the next page of the filtered list.
    public var pageToken: String?

    public init(
        job: JobDescription, requestId: String? = nil, limit: Int? = nil,
        excludeProviderIds: [ExcludedProvider]? = nil, minSeq: [String: Int64]? = nil, pageSize: Int? = nil,
        pageToken: String? = nil
    ) {
        self.job = job
        self.requestId = requestId
        self.limit = limit
        self.excludeProviderIds = excludeProviderIds
        self.minSeq = minSeq
        self.pageSize = pageSize
        self.pageToken = pageToken
    }

    // The published name of the job is `request`.
    enum CodingKeys: String, CodingKey {
        case job = "request"
        case requestId, limit, excludeProviderIds, minSeq, pageSize, pageToken
    }

    static let minSeqSchema = JSONValue.object([
        "type": .string("object"), "additionalProperties": JSONSchema.integer(minimum: 0),
        "description": .string(
            "Per source (registry, opportunities), a seq the read model must have applied first: it waits up to a "
                + "second (or the deadline), then answers UNAVAILABLE, having done nothing."),
    ])

    static let schema = JSONSchema.object(
        [
            "request": JobDescription.schema.described(
                "The job, with opportunities.CreateRequest's fields and the customer's defaults merged the same way "
                    + "(unless overrideDefaults); teamSize and decision play no part."),
            "requestId": JSONSchema.string(
                description: "The request this is for, once it exists: its own team is neither a conflict nor "
                    + "workload."),
            "limit": JSONSchema.integer(
                minimum: 0, maximum: 1000,
                description: "Ranked providers returned at most (default 100); counts.ranked counts them all."),
            "excludeProviderIds": JSONSchema.array(
                of: ExcludedProvider.schema,
                description: "Providers to filter out as excluded, each with its reason (e.g. broadcast's block "
                    + "list)."),
            "minSeq": minSeqSchema,
        ], required: ["request"], page: .request(pageSizeDefault: "100 filtered providers"))
}

/// A qualification by id and name.
public struct NamedQualification: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(description: "The qualification's id."),
            "name": JSONSchema.string(description: "Its name."),
        ], required: ["id", "name"])

    /// The list of the preferred qualifications a provider meets.
    static let metSchema = JSONSchema.array(
        of: schema,
        description: "Which of the job's preferred qualifications are in effect for the provider over the job, in "
            + "the job's order (the preferredQualifications criterion counts them); absent when the job prefers none.")
}

/// A provider who passes every filter, in rank order.
public struct RankedProvider: Codable, Sendable, Equatable {
    public var providerId: String
    /// From 1.
    public var rank: Int
    public var score: Double
    public var criteria: [CriterionValue]
    /// The job's preferred qualifications the provider meets (nil when the job prefers none).
    public var preferredQualificationsMet: [NamedQualification]?
    public init(
        providerId: String, rank: Int, score: Double, criteria: [CriterionValue],
        preferredQualificationsMet: [NamedQualification]? = nil
    ) {
        self.providerId = providerId
        self.rank = rank
        self.score = score
        self.criteria = criteria
        self.preferredQualificationsMet = preferredQualificationsMet
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider."),
            "rank": JSONSchema.integer(
                minimum: 1,
                description: "From 1: last-resort providers after everyone else, then the higher score, then the "
                    + "lower provider id."),
            "score": JSONSchema.number(description: "The sum of the criteria's contributions."),
            "criteria": JSONSchema.array(
                of: CriterionValue.schema, description: "Every criterion with its value and contribution."),
            "preferredQualificationsMet": NamedQualification.metSchema,
        ], required: ["providerId", "rank", "score", "criteria"])
}

/// A provider filtered out, with every reason.
public struct FilteredProvider: Codable, Sendable, Equatable {
    public var providerId: String
    public var reasons: [FilterReason]
    /// What would change the verdict, when one change by the partner or the provider would.
    public var wouldBeEligibleIf: String?
    public init(providerId: String, reasons: [FilterReason], wouldBeEligibleIf: String? = nil) {
        self.providerId = providerId
        self.reasons = reasons
        self.wouldBeEligibleIf = wouldBeEligibleIf
    }
    static let wouldBeEligibleIfSchema = JSONSchema.string(
        description: "When the provider is filtered out by one reason only, and the partner or the provider can "
            + "change it (a document expired or missing, a qualification not applied, the do-not-consider list, a "
            + "travel radius short by under 20%, no usable contact channel): what would make them eligible, e.g. "
            + "eligible if document cert is renewed by 2031-03-08T09:00:00Z, valid until 2031-03-08T11:00:00Z.")
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider."),
            "reasons": JSONSchema.array(
                of: FilterReason.schema, description: "Every reason the provider is filtered out, not only the first."),
            "wouldBeEligibleIf": wouldBeEligibleIfSchema,
        ],
        required: ["providerId", "reasons"])
}

/// Every provider of the partner is counted once: `considered == ranked + filtered`.
public struct RankCounts: Codable, Sendable, Equatable {
    public var considered: Int
    public var ranked: Int
    public var filtered: Int
    public init(considered: Int, ranked: Int, filtered: Int) {
        self.considered = considered
        self.ranked = ranked
        self.filtered = filtered
    }
    static let schema = JSONSchema.object(
        [
            "considered": JSONSchema.integer(
                minimum: 0, description: "Every provider of the partner: ranked plus filtered."),
            "ranked": JSONSchema.integer(minimum: 0, description: "Providers who pass every filter."),
            "filtered": JSONSchema.integer(minimum: 0, description: "Providers filtered out."),
        ], required: ["considered", "ranked", "filtered"])
}

/// `matching.Rank`'s reply.
public struct RankResponse: Codable, Sendable, Equatable, PagedReply {
    public var ranked: [RankedProvider]
    /// One page of the filtered providers, by provider id.
    public var filtered: [FilteredProvider]
    public var counts: RankCounts
    public var positions: [ReadModelPosition]
    public var settings: RankingSettings
    /// Present while more filtered providers remain: pass it as `pageToken`.
    public var nextPageToken: String?
    /// The customer's defaults the job did not take, each with the reason, exactly as
    /// `opportunities.CreateRequest` reports them for the same body (absent: none).
    public var defaultsSkipped: [SkippedDefault]?

    public init(
        ranked: [RankedProvider], filtered: [FilteredProvider], counts: RankCounts, positions: [ReadModelPosition],
        settings: RankingSettings, nextPageToken: String? = nil, defaultsSkipped: [SkippedDefault]? = nil
    ) {
        self.ranked = ranked
        self.filtered = filtered
        self.counts = counts
        self.positions = positions
        self.settings = settings
        self.nextPageToken = nextPageToken
        self.defaultsSkipped = defaultsSkipped
    }

    static let schema = JSONSchema.object(
        [
            "ranked": JSONSchema.array(
                of: RankedProvider.schema,
                description: "At most limit providers who pass every filter, in rank order (fewer when the reply "
                    + "would outgrow a message)."),
            "filtered": JSONSchema.array(
                of: FilteredProvider.schema,
                description: "One page of the providers filtered out, by provider id (cut to fit after ranked)."),
            "counts": RankCounts.schema.described("Everyone, counted whatever the lists show."),
            "positions": JudgementSchema.positions,
            "settings": JudgementSchema.settings,
            "defaultsSkipped": JudgementSchema.defaultsSkipped,
        ], required: ["ranked", "filtered", "counts", "positions", "settings"], page: .reply)
}

/// The properties `Rank` and `Check` replies share, declared once.
enum JudgementSchema {
    static let positions = JSONSchema.array(
        of: ReadModelPosition.schema, description: "How far the read model had applied each source when it answered.")
    static let settings = RankingSettings.schema.described("The partner's ranking settings the judgement used.")
    static let defaultsSkipped = JSONSchema.array(
        of: SkippedDefault.schema,
        description: "The customer's defaults left out of the job, each with why (archived, not offered in the job's "
            + "zone, not for its provider type, or unknown), as opportunities.CreateRequest reports them.")
}
