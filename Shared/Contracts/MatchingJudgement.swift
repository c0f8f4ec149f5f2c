import Foundation
import Transport
import Wire

// What matching says about a provider (criteria and filter reasons), where its read model stood,
// and `Check`: the judgement of one provider, as `Rank` makes it for all.

/// One criterion of a ranked provider: its value and what it added to the score.
public struct CriterionValue: Codable, Sendable, Equatable {
    public var name: String
    public var value: JSONValue
    public var contribution: Double
    public init(name: String, value: JSONValue, contribution: Double) {
        self.name = name
        self.value = value
        self.contribution = contribution
    }
    static let schema = JSONSchema.object(
        [
            "name": JSONSchema.string(
                description: "The criterion, e.g. preferredList or distanceKm (docs/design.md, \"Criteria\")."),
            "value": JSONSchema.any(
                description: "What it found: a count, a number of days or km, true or false, a word (availability), "
                    + "or null when unknown."),
            "contribution": JSONSchema.number(
                description: "What it added to the score (negative: took off), rounded to a thousandth."),
        ],
        required: ["name", "value", "contribution"])
}

/// Why a provider is filtered out: the filter and what it found.
public struct FilterReason: Codable, Sendable, Equatable {
    public var criterion: String
    public var detail: String
    public init(criterion: String, detail: String) {
        self.criterion = criterion
        self.detail = detail
    }
    static let schema = JSONSchema.object(
        [
            "criterion": JSONSchema.string(
                description: "The filter, e.g. zone, conflict or requiredQualification (docs/design.md, \"Filters\")."),
            "detail": JSONSchema.string(description: "What it found, e.g. works in WI, not in IL."),
        ], required: ["criterion", "detail"])
}

/// How far the read model had applied a source when it answered.
public struct ReadModelPosition: Codable, Sendable, Equatable {
    public var source: String
    public var appliedSeq: Int64
    public var epoch: String?
    public init(source: String, appliedSeq: Int64, epoch: String?) {
        self.source = source
        self.appliedSeq = appliedSeq
        self.epoch = epoch
    }
    static let schema = JSONSchema.object(
        [
            "source": JSONSchema.string(description: "The source: registry or opportunities."),
            "appliedSeq": JSONSchema.integer(minimum: 0, description: "The last seq of it applied (0: none)."),
            "epoch": JSONSchema.string(description: "The source's outbox epoch those seqs belong to, once known."),
        ], required: ["source", "appliedSeq"])
}

/// `matching.Check`'s body: the job and one provider.
public struct CheckRequest: Codable, Sendable, Equatable {
    /// The job (`request` on the wire), as `RankRequest` takes it.
    public var job: JobDescription
    public var providerId: String
    public var requestId: String?
    public var excludeProviderIds: [ExcludedProvider]?
    public var minSeq: [String: Int64]?

    public init(
        job: JobDescription, providerId: String, requestId: String? = nil,
        excludeProviderIds: [ExcludedProvider]? = nil, minSeq: [String: Int64]? = nil
    ) {
        self.job = job
        self.providerId = providerId
        self.requestId = requestId
        self.excludeProviderIds = excludeProviderIds
        self.minSeq = minSeq
    }

    // The published name of the job is `request`.
    enum CodingKeys: String, CodingKey {
        case job = "request"
        case providerId, requestId, excludeProviderIds, minSeq
    }

    static let schema = JSONSchema.object(
        [
            "request": JobDescription.schema.described(
                "The job, as Rank takes it (the customer's defaults merged unless overrideDefaults)."),
            "providerId": JSONSchema.string(description: "The provider to judge."),
            "requestId": JSONSchema.string(
                description: "The request this is for, once it exists: its own team is neither a conflict nor "
                    + "workload."),
            "excludeProviderIds": JSONSchema.array(
                of: ExcludedProvider.schema,
                description: "Providers to filter out as excluded, each with its reason (e.g. broadcast's block "
                    + "list)."),
            "minSeq": RankRequest.minSeqSchema,
        ], required: ["request", "providerId"])
}

/// `matching.Check`'s reply.
public struct CheckResponse: Codable, Sendable, Equatable {
    public var providerId: String
    /// True when no filter applies.
    public var passes: Bool
    public var reasons: [FilterReason]
    public var criteria: [CriterionValue]
    public var score: Double
    public var positions: [ReadModelPosition]
    public var settings: RankingSettings
    /// The customer's defaults the job did not take, as in `RankResponse` (absent: none).
    public var defaultsSkipped: [SkippedDefault]?
    /// The job's preferred qualifications the provider meets (nil when the job prefers none).
    public var preferredQualificationsMet: [NamedQualification]?
    /// What would change the verdict, when one change by the partner or the provider would.
    public var wouldBeEligibleIf: String?

    public init(
        providerId: String, passes: Bool, reasons: [FilterReason], criteria: [CriterionValue], score: Double,
        positions: [ReadModelPosition], settings: RankingSettings, defaultsSkipped: [SkippedDefault]? = nil,
        preferredQualificationsMet: [NamedQualification]? = nil, wouldBeEligibleIf: String? = nil
    ) {
        self.providerId = providerId
        self.passes = passes
        self.reasons = reasons
        self.criteria = criteria
        self.score = score
        self.positions = positions
        self.settings = settings
        self.defaultsSkipped = defaultsSkipped
        self.preferredQualificationsMet = preferredQualificationsMet
        self.wouldBeEligibleIf = wouldBeEligibleIf
    }

    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider judged."),
            "passes": JSONSchema.boolean(description: "True when no filter applies."),
            "reasons": JSONSchema.array(
                of: FilterReason.schema,
                description: "Every reason the provider is filtered out (empty when it passes)."),
            "criteria": JSONSchema.array(
                of: CriterionValue.schema,
                description: "Every criterion with its value and contribution, worked out even when filtered out."),
            "score": JSONSchema.number(description: "The sum of the criteria's contributions."),
            "positions": JudgementSchema.positions,
            "settings": JudgementSchema.settings,
            "defaultsSkipped": JudgementSchema.defaultsSkipped,
            "preferredQualificationsMet": NamedQualification.metSchema,
            "wouldBeEligibleIf": FilteredProvider.wouldBeEligibleIfSchema,
        ], required: ["providerId", "passes", "reasons", "criteria", "score", "positions", "settings"])
}
