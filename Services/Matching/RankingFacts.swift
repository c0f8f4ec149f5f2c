import Contracts
import Domain
import Foundation

// Plain values the ranking works from: what the read model knows about a job and about each
// provider. The store fills them; `Ranker` judges them without any I/O.

/// A qualification a job requires or prefers, with the scope the in-effect rule reads.
struct JobQualification: Sendable, Equatable {
    var id: String
    var scope: QualificationRules.Scope
}

/// The job being ranked for: a validated request with its qualifications resolved.
struct Job: Sendable, Equatable {
    var customerId: String
    var providerType: String
    var startsAt: Date
    var endsAt: Date
    var remote: Bool
    var location: GeoPoint?
    var zone: String?
    /// The request, once it exists: its own team is no conflict and no workload.
    var requestId: String?
    var required: [JobQualification]
    var preferred: [JobQualification]
}

/// A customer's four provider lists.
struct CustomerLists: Sendable, Equatable {
    var preferred: Set<String> = []
    var lastResort: Set<String> = []
    var doNotConsider: Set<String> = []
    /// When not empty, only these providers are considered.
    var restricted: Set<String> = []

    init(
        preferred: Set<String> = [], lastResort: Set<String> = [], doNotConsider: Set<String> = [],
        restricted: Set<String> = []
    ) {
        self.preferred = preferred
        self.lastResort = lastResort
        self.doNotConsider = doNotConsider
        self.restricted = restricted
    }

    init(_ entries: [CustomerListEntry]) {
        for entry in entries {
            switch entry.kind {
            case .preferred: preferred.insert(entry.providerId)
            case .lastResort: lastResort.insert(entry.providerId)
            case .doNotConsider: doNotConsider.insert(entry.providerId)
            case .restricted: restricted.insert(entry.providerId)
            }
        }
    }
}

/// Everything a ranking shares across providers.
struct RankingContext: Sendable {
    var job: Job
    var lists: CustomerLists
    /// Providers the caller left out, with every reason it gave (a block list entry, the
    /// partner's exclusion…), each shown as its own `excluded` filter.
    var excluded: [String: [String]]
    var settings: RankingSettings
    /// Names of the document types the job's qualifications require, for reasons.
    var documentTypeNames: [String: String]
    /// The customer's defaults the job did not take, for the reply's note.
    var defaultsSkipped: [SkippedDefault] = []

    /// Every document type the job's qualifications require.
    var documentTypeIds: Set<String> {
        Set((job.required + job.preferred).flatMap(\.scope.requiredDocumentTypeIds))
    }

    /// The job's window widened by the travel buffer, and the start of the workload window:
    /// the provider's other jobs that matter lie within these.
    var travelBuffer: TimeInterval { TimeInterval(settings.travelBufferMinutes * 60) }
    var workloadFrom: Date { job.startsAt.addingTimeInterval(-Double(settings.workloadWindowDays) * 86_400) }
}

/// Another job a provider holds (CONTINGENT, ASSIGNED or REPLACEMENT_SOUGHT).
struct HeldJob: Sendable, Equatable {
    var requestId: String
    var state: String
    var startsAt: Date
    var endsAt: Date
    /// Unknown jobs count as on-site, so the travel buffer applies to them.
    var remote: Bool
}

/// What a provider and a customer have done together before the job starts.
struct SharedHistory: Sendable, Equatable {
    /// Jobs assigned and ended.
    var jobsDone = 0
    var lastJobEndedAt: Date?
    var noShows = 0
}

/// Everything ranking knows about one provider for one job.
struct ProviderFacts: Sendable, Equatable {
    var id: String
    var providerType: String
    var active: Bool
    var location: GeoPoint?
    var travelRadiusKm: Double?
    var zones: [String]
    /// Whether the provider has a usable contact channel (an email or phone not marked invalid).
    var reachable = true
    /// The channels marked invalid (`email`, `phone`), for the reason given when unreachable.
    var invalidChannels: [String] = []
    /// Of the job's required and preferred qualifications, those applied to the provider.
    var applied: Set<String> = []
    /// Documents of the types the job's qualifications require.
    var documents: [QualificationRules.HeldDocument] = []
    /// Windows overlapping the job.
    var availability: [AvailabilityWindow] = []
    /// Held jobs near the job's window or in the workload window.
    var heldJobs: [HeldJob] = []
    var history = SharedHistory()

    init(record: ProviderRecord) {
        id = record.id
        providerType = record.providerType
        active = record.active
        location = record.location
        travelRadiusKm = record.travelRadiusKm
        zones = record.zones
        reachable = record.reachable
        if !record.invalidChannels.isEmpty {
            invalidChannels = record.invalidChannels.split(separator: ",").map(String.init)
        }
    }

    init(
        id: String, providerType: String, active: Bool = true, location: GeoPoint? = nil, travelRadiusKm: Double? = nil,
        zones: [String] = [], reachable: Bool = true
    ) {
        self.id = id
        self.providerType = providerType
        self.active = active
        self.location = location
        self.travelRadiusKm = travelRadiusKm
        self.zones = zones
        self.reachable = reachable
    }
}
