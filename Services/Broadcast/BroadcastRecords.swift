import Contracts
import Foundation
import GRDB

// The rows of broadcast's database (nested values and lists stored as JSON), their wire forms,
// and their queries as request extensions, so the store reads like the domain
// (`AttemptRow.all().inTenant(p).ofRequest(id).unsent()`). Only `BroadcastStore` runs them.

/// A row that belongs to one tenant: every query starts with `inTenant`.
protocol TenantRecord: TableRecord {}

extension DerivableRequest where RowDecoder: TenantRecord {
    /// Only the rows of one tenant.
    func inTenant(_ partnerId: String) -> Self {
        filter(Column("partnerId") == partnerId)
    }
}

/// A row that belongs to one request.
protocol RequestOwned: TenantRecord {}

extension DerivableRequest where RowDecoder: RequestOwned {
    /// The rows of one request.
    func ofRequest(_ requestId: String) -> Self {
        filter(Column("requestId") == requestId)
    }
}

/// A request as opportunities last announced it.
struct JobRow: Codable, FetchableRecord, PersistableRecord, RequestOwned {
    static let databaseTableName = "job"
    var partnerId: String
    var requestId: String
    var customerId: String
    var status: RequestRecord.Status
    var teamSize: Int
    var startsAt: Date
    var request: RequestRecord
    /// The `seq` of the last opportunities event about it: matching must have applied it to rank.
    var lastSeq: Int64
    var updatedAt: Date

    init(_ request: RequestRecord, seq: Int64, at now: Date) {
        partnerId = request.partnerId
        requestId = request.id
        customerId = request.customerId
        status = request.status
        teamSize = request.teamSize
        startsAt = request.startsAt
        self.request = request
        lastSeq = seq
        updatedAt = now
    }

    /// The job as `matching.Rank` takes it: its qualifications already merged with the customer's.
    var rankable: JobDescription { request.job }
}

/// A provider's opportunity state on a request, as opportunities last announced it.
struct OfferStateRow: Codable, FetchableRecord, PersistableRecord, RequestOwned {
    static let databaseTableName = "offerState"
    var partnerId: String
    var requestId: String
    var providerId: String
    var opportunityId: String
    var state: OpportunityState
    var updatedAt: Date

    /// States in which a provider holds (or held, or is deciding on) the job: never contacted
    /// again for it. Only OFFERED and DECLINED providers may be.
    static let outOfRotation: Set<OpportunityState> = [
        .pending, .contingent, .assigned, .replacementSought, .cancelled, .cancelledBillable, .noShow,
    ]
}

/// A broadcast's own row: its state, its place in the waves, the partner's overrides.
struct BroadcastRow: Codable, FetchableRecord, PersistableRecord, RequestOwned {
    static let databaseTableName = "broadcast"
    var partnerId: String
    var requestId: String
    var state: BroadcastState
    var waitingFor: BroadcastWait?
    var stopReason: String?
    var lastError: String?
    var currentWave: Int
    /// The next wave is to be planned (after a fresh ranking) and sent by the wave sender.
    var waveDue: Bool
    var nextWaveAt: Date?
    var overrides: BroadcastOverrides
    var startedAt: Date
    var firstInterestAt: Date?
    var filledAt: Date?
    var version: Int
    var updatedAt: Date

    enum Columns {
        static let state = Column(CodingKeys.state)
        static let requestId = Column(CodingKeys.requestId)
        static let waveDue = Column(CodingKeys.waveDue)
        static let startedAt = Column(CodingKeys.startedAt)
    }

    /// Whether anything can still happen to it (a stopped or filled one waits for events only).
    var isLive: Bool { [.running, .paused, .waiting, .exhausted].contains(state) }
}

extension DerivableRequest<BroadcastRow> {
    /// Broadcasts in one state.
    func inState(_ state: BroadcastState) -> Self {
        filter(BroadcastRow.Columns.state == state.rawValue)
    }

    /// Broadcasts after `requestId`, in request id order (the order `List` pages in).
    func after(_ requestId: String?) -> Self {
        guard let requestId else { return order(BroadcastRow.Columns.requestId) }
        return filter(BroadcastRow.Columns.requestId > requestId).order(BroadcastRow.Columns.requestId)
    }

    /// Broadcasts started in [from, to).
    func started(from: Date, to: Date) -> Self {
        filter(BroadcastRow.Columns.startedAt >= from && BroadcastRow.Columns.startedAt < to)
    }

    /// Running broadcasts whose next wave is to be planned, of every tenant.
    func waveDue() -> Self {
        filter(BroadcastRow.Columns.waveDue == true && BroadcastRow.Columns.state == BroadcastState.running.rawValue)
    }
}

/// The last ranking of a broadcast's request.
struct ConsideredListRow: Codable, FetchableRecord, PersistableRecord, RequestOwned {
    static let databaseTableName = "consideredList"
    var partnerId: String
    var requestId: String
    var rankedAt: Date
    var ranked: [RankedProvider]
    var filtered: [FilteredProvider]
    var counts: RankCounts
}

/// One wave of a broadcast.
struct WaveRow: Codable, FetchableRecord, PersistableRecord, RequestOwned {
    static let databaseTableName = "wave"
    var partnerId: String
    var requestId: String
    var number: Int
    var plannedAt: Date
    var sentAt: Date?
    var closesAt: Date?
    var closedAt: Date?
    var leadHours: Double
    var waveSize: Int
    var intervalMinutes: Int
    var providerIds: [String]

    var wire: BroadcastWave {
        BroadcastWave(
            number: number, plannedAt: plannedAt, sentAt: sentAt, closesAt: closesAt, closedAt: closedAt,
            leadHours: leadHours, waveSize: waveSize, intervalMinutes: intervalMinutes, providerIds: providerIds)
    }

    /// Sent and not yet closed: its silent providers get `NO_RESPONSE` at `closesAt`.
    var isOut: Bool { sentAt != nil && closedAt == nil }
}

extension DerivableRequest<WaveRow> {
    /// The waves in the order they went out.
    func inOrder() -> Self {
        order(Column("number"))
    }
}
