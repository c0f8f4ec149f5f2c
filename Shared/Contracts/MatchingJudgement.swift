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
        ["name": JSONSchema.string(), "value": JSONSchema.any, "contribution": JSONSchema.number()],
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
        ["criterion": JSONSchema.string(), "detail": JSONSchema.string()], required: ["criterion", "detail"])
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
            "source": JSONSchema.string(), "appliedSeq": JSONSchema.integer(minimum: 0), "epoch": JSONSchema.string(),
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
            "request": JobDescription.schema, "providerId": JSONSchema.string(), "requestId": JSONSchema.string(),
            "excludeProviderIds": JSONSchema.array(of: ExcludedProvider.schema), "minSeq": RankRequest.minSeqSchema,
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

    public init(
        providerId: String, passes: Bool, reasons: [FilterReason], criteria: [CriterionValue], score: Double,
        positions: [ReadModelPosition], settings: RankingSettings, defaultsSkipped: [SkippedDefault]? = nil
    ) {
        self.providerId = providerId
        self.passes = passes
        self.reasons = reasons
        self.criteria = criteria
        self.score = score
        self.positions = positions
        self.settings = settings
        self.defaultsSkipped = defaultsSkipped
    }

    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(), "passes": JSONSchema.boolean,
            "reasons": JSONSchema.array(of: FilterReason.schema),
            "criteria": JSONSchema.array(of: CriterionValue.schema),
            "score": JSONSchema.number(), "positions": JSONSchema.array(of: ReadModelPosition.schema),
            "settings": RankingSettings.schema, "defaultsSkipped": JSONSchema.array(of: SkippedDefault.schema),
        ], required: ["providerId", "passes", "reasons", "criteria", "score", "positions", "settings"])
}
