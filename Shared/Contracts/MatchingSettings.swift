import Foundation
import Transport
import Wire

/// How much each criterion (docs/design.md, "Criteria") weighs in a ranking's score.
public struct RankingWeights: Codable, Sendable, Equatable {
    /// Added for a provider on the customer's preferred list; large, so they rank first.
    public var preferredList: Double
    /// Added per preferred qualification in effect for the job.
    public var preferredQualification: Double
    /// Added per job done for the customer (counted up to 10).
    public var jobsWithCustomer: Double
    /// Added in full for a job with the customer just before, fading to nothing over a year.
    public var recentJobWithCustomer: Double
    /// Taken off per no-show with the customer.
    public var noShow: Double
    /// Taken off per kilometre to an on-site job.
    public var distancePerKm: Double
    /// Added when the provider said they are available for the whole job (half for part of it).
    public var availability: Double
    /// Taken off per job held in the workload window before the start (spreads the work).
    public var workload: Double

    public init(
        preferredList: Double = 1000, preferredQualification: Double = 10, jobsWithCustomer: Double = 3,
        recentJobWithCustomer: Double = 10, noShow: Double = 25, distancePerKm: Double = 0.2,
        availability: Double = 15, workload: Double = 2
    ) {
        self.preferredList = preferredList
        self.preferredQualification = preferredQualification
        self.jobsWithCustomer = jobsWithCustomer
        self.recentJobWithCustomer = recentJobWithCustomer
        self.noShow = noShow
        self.distancePerKm = distancePerKm
        self.availability = availability
        self.workload = workload
    }

    /// Each weight by its JSON name, in a fixed order (validation, schemas).
    public static let names = [
        "preferredList", "preferredQualification", "jobsWithCustomer", "recentJobWithCustomer", "noShow",
        "distancePerKm", "availability", "workload",
    ]

    /// The largest weight accepted.
    public static let maximum = 10_000.0

    /// What each weight does, by its JSON name, with its default (schemas).
    static let meanings = [
        "preferredList": "Added for a provider on the customer's preferred list; large, so they rank first (default "
            + "1000).",
        "preferredQualification": "Added per preferred qualification in effect for the job (default 10).",
        "jobsWithCustomer": "Added per job done for the customer, counted up to 10 (default 3).",
        "recentJobWithCustomer": "Added in full for a job with the customer just before, fading to nothing over a "
            + "year (default 10).",
        "noShow": "Taken off per no-show with the customer (default 25).",
        "distancePerKm": "Taken off per km to an on-site job (default 0.2).",
        "availability": "Added when the provider's available windows cover the whole job, half for part of it "
            + "(default 15).",
        "workload": "Taken off per job held in the workload window before the start, to spread the work (default 2).",
    ]

    static let schema = JSONSchema.object(
        Dictionary(
            uniqueKeysWithValues: names.map {
                ($0, JSONSchema.number(minimum: 0, maximum: maximum, description: meanings[$0] ?? ""))
            }),
        required: names)
}

/// A partner's ranking settings: weights, the travel buffer around other jobs, the workload window.
public struct RankingSettings: Codable, Sendable, Equatable {
    /// The highest version settings may carry (2^53: exact in every JSON reader).
    public static let maxVersion = 1 << 53

    public var partnerId: String
    public var weights: RankingWeights
    /// A job closer than this to another the provider holds conflicts with it (on-site jobs).
    public var travelBufferMinutes: Int
    /// Days before a job's start whose jobs count as the provider's recent workload.
    public var workloadWindowDays: Int
    /// 0 for the defaults; increases by one on every change.
    public var version: Int
    public var updatedAt: Date?
    /// The replica that made the change (ties between replicas are broken by it).
    public var updatedBy: String?

    public init(
        partnerId: String, weights: RankingWeights = RankingWeights(), travelBufferMinutes: Int = 30,
        workloadWindowDays: Int = 30, version: Int = 0, updatedAt: Date? = nil, updatedBy: String? = nil
    ) {
        self.partnerId = partnerId
        self.weights = weights
        self.travelBufferMinutes = travelBufferMinutes
        self.workloadWindowDays = workloadWindowDays
        self.version = version
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }

    /// Whether this change wins over `other`: the higher version, then the later change, then the
    /// replica name, so every replica settles on the same one whatever order they arrive in.
    public func supersedes(_ other: RankingSettings) -> Bool {
        if version != other.version { return version > other.version }
        let (mine, theirs) = (updatedAt ?? .distantPast, other.updatedAt ?? .distantPast)
        if mine != theirs { return mine > theirs }
        return (updatedBy ?? "") > (other.updatedBy ?? "")
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) whose settings these are."),
            "weights": RankingWeights.schema.described("How much each criterion weighs in the score."),
            "travelBufferMinutes": JSONSchema.integer(
                minimum: 0, maximum: 1440,
                description: "Minutes kept free before and after each job the provider holds: a job within them "
                    + "conflicts (no buffer when both jobs are remote; default 30)."),
            "workloadWindowDays": JSONSchema.integer(
                minimum: 1, maximum: 365,
                description: "Days before a job's start whose jobs count as the provider's recent workload (default "
                    + "30)."),
            "version": JSONSchema.integer(
                minimum: 0, description: "0 for the defaults; increases by one on every change."),
            "updatedAt": JSONSchema.timestamp(description: "When they last changed; absent for the defaults."),
            "updatedBy": JSONSchema.string(
                description: "The matching replica that made the change (ties between replicas are broken by it)."),
        ], required: ["partnerId", "weights", "travelBufferMinutes", "workloadWindowDays", "version"])
}

/// `matching.GetSettings`'s body (empty).
public struct GetSettingsRequest: Codable, Sendable, Equatable {
    public init() {}
}

/// Weights to change; those left out keep their value.
public struct RankingWeightsChange: Codable, Sendable, Equatable {
    public var preferredList: Double?
    public var preferredQualification: Double?
    public var jobsWithCustomer: Double?
    public var recentJobWithCustomer: Double?
    public var noShow: Double?
    public var distancePerKm: Double?
    public var availability: Double?
    public var workload: Double?

    public init(
        preferredList: Double? = nil, preferredQualification: Double? = nil, jobsWithCustomer: Double? = nil,
        recentJobWithCustomer: Double? = nil, noShow: Double? = nil, distancePerKm: Double? = nil,
        availability: Double? = nil, workload: Double? = nil
    ) {
        self.preferredList = preferredList
        self.preferredQualification = preferredQualification
        self.jobsWithCustomer = jobsWithCustomer
        self.recentJobWithCustomer = recentJobWithCustomer
        self.noShow = noShow
        self.distancePerKm = distancePerKm
        self.availability = availability
        self.workload = workload
    }

    /// Each given weight by its JSON name.
    public var given: [(name: String, value: Double)] {
        let all: [(String, Double?)] = [
            ("preferredList", preferredList), ("preferredQualification", preferredQualification),
            ("jobsWithCustomer", jobsWithCustomer), ("recentJobWithCustomer", recentJobWithCustomer),
            ("noShow", noShow), ("distancePerKm", distancePerKm), ("availability", availability),
            ("workload", workload),
        ]
        return all.compactMap { name, value in value.map { (name, $0) } }
    }

    /// `weights` with the given ones changed.
    public func applied(to weights: RankingWeights) -> RankingWeights {
        var result = weights
        result.preferredList = preferredList ?? weights.preferredList
        result.preferredQualification = preferredQualification ?? weights.preferredQualification
        result.jobsWithCustomer = jobsWithCustomer ?? weights.jobsWithCustomer
        result.recentJobWithCustomer = recentJobWithCustomer ?? weights.recentJobWithCustomer
        result.noShow = noShow ?? weights.noShow
        result.distancePerKm = distancePerKm ?? weights.distancePerKm
        result.availability = availability ?? weights.availability
        result.workload = workload ?? weights.workload
        return result
    }

    static let schema = JSONSchema.object(
        Dictionary(
            uniqueKeysWithValues: RankingWeights.names.map {
                (
                    $0,
                    JSONSchema.number(
                        minimum: 0, maximum: RankingWeights.maximum,
                        description: (RankingWeights.meanings[$0] ?? "") + " Left out: kept.")
                )
            }))
}

/// `matching.SetSettings`'s body.
public struct SetSettingsRequest: Codable, Sendable, Equatable {
    public var weights: RankingWeightsChange?
    public var travelBufferMinutes: Int?
    public var workloadWindowDays: Int?
    /// The version read; a stale one is `ABORTED`.
    public var expectedVersion: Int?

    public init(
        weights: RankingWeightsChange? = nil, travelBufferMinutes: Int? = nil, workloadWindowDays: Int? = nil,
        expectedVersion: Int? = nil
    ) {
        self.weights = weights
        self.travelBufferMinutes = travelBufferMinutes
        self.workloadWindowDays = workloadWindowDays
        self.expectedVersion = expectedVersion
    }

    static let schema = JSONSchema.object([
        "weights": RankingWeightsChange.schema.described("The weights to change; those left out are kept."),
        "travelBufferMinutes": JSONSchema.integer(
            minimum: 0, maximum: 1440,
            description: "Minutes kept free before and after each job the provider holds; left out: kept."),
        "workloadWindowDays": JSONSchema.integer(
            minimum: 1, maximum: 365,
            description: "Days before a job's start whose jobs count as recent workload; left out: kept."),
        "expectedVersion": JSONSchema.integer(
            minimum: 0, description: "The version you last read (0: the defaults): any other is ABORTED."),
    ])
}

/// `GetSettings` and `SetSettings` reply with the settings in force.
public struct SettingsReply: Codable, Sendable, Equatable {
    public var settings: RankingSettings
    public init(settings: RankingSettings) { self.settings = settings }
    static let schema = JSONSchema.object(
        ["settings": RankingSettings.schema.described("The settings in force (the defaults, version 0, until set).")],
        required: ["settings"])
}
