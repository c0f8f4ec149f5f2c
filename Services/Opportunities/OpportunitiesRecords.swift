import Contracts
import Foundation
import GRDB

// The wire records are stored as they are: one table each, arrays and nested values as JSON.
// The queries are request extensions next to each record, so the store reads like the domain
// (`Opportunity.all().inTenant(partnerId).ofRequest(id)`) and writes no table name into SQL.

/// A record stored per tenant: its table has a `partnerId` column, part of its primary key.
protocol TenantRecord: TableRecord {}

extension DerivableRequest where RowDecoder: TenantRecord {
    /// Only the rows of one tenant.
    func inTenant(_ partnerId: String) -> Self {
        filter(Column("partnerId") == partnerId)
    }
}

// MARK: Requests

extension RequestRecord: FetchableRecord, PersistableRecord, TenantRecord {
    public static let databaseTableName = "request"

    /// The columns queries use.
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let id = Column("id")
        public static let customerId = Column("customerId")
        public static let status = Column("status")
        public static let startsAt = Column("startsAt")
        public static let endsAt = Column("endsAt")
        public static let unfilledSoonAt = Column("unfilledSoonAt")
    }
}

extension DerivableRequest<RequestRecord> {
    /// The requests of one customer.
    func ofCustomer(_ customerId: String) -> Self {
        filter(RequestRecord.Columns.customerId == customerId)
    }

    /// The requests in one status.
    func withStatus(_ status: RequestRecord.Status) -> Self {
        filter(RequestRecord.Columns.status == status.rawValue)
    }

    /// The order `ListRequests` pages in: by start, then id.
    func soonestFirst() -> Self {
        order(RequestRecord.Columns.startsAt, RequestRecord.Columns.id)
    }

    /// The requests with these ids.
    func withIds(_ ids: some Collection<String>) -> Self {
        filter(ids.contains(RequestRecord.Columns.id))
    }

    /// Requests whose time overlaps [from, to), other than `requestId`.
    func overlapping(from: Date, to: Date, except requestId: String) -> Self {
        filter(
            RequestRecord.Columns.startsAt < to && RequestRecord.Columns.endsAt > from
                && RequestRecord.Columns.id != requestId)
    }
}

// MARK: Opportunities

extension Opportunity: FetchableRecord, PersistableRecord, TenantRecord {
    public static let databaseTableName = "opportunity"

    /// The columns queries use.
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let id = Column("id")
        public static let requestId = Column("requestId")
        public static let providerId = Column("providerId")
        public static let state = Column("state")
        public static let createdAt = Column("createdAt")
    }

    /// The request an opportunity is on, by the schema's foreign key `(partnerId, requestId)`.
    static var request: BelongsToAssociation<Opportunity, RequestRecord> { belongsTo(RequestRecord.self) }
}

extension DerivableRequest<Opportunity> {
    /// The opportunities on one request.
    func ofRequest(_ requestId: String) -> Self {
        filter(Opportunity.Columns.requestId == requestId)
    }

    /// The opportunities of one provider.
    func ofProvider(_ providerId: String) -> Self {
        filter(Opportunity.Columns.providerId == providerId)
    }

    /// The opportunities on any of these requests.
    func onRequests(_ requestIds: some Collection<String>) -> Self {
        filter(requestIds.contains(Opportunity.Columns.requestId))
    }

    /// Opportunities that hold a slot of their team (contingent, assigned, seeking a replacement).
    func holdingSlot() -> Self {
        filter(OpportunityStateMachine.holdsSlot.map(\.rawValue).contains(Opportunity.Columns.state))
    }

    /// Opportunities on requests (other than `requestId`) whose time overlaps [from, to).
    func onRequestsOverlapping(from: Date, to: Date, except requestId: String) -> Self {
        joining(required: Opportunity.request.overlapping(from: from, to: to, except: requestId))
    }

    /// The opportunities on one customer's requests (the customer is the request's, not the opportunity's).
    func onRequestsOfCustomer(_ customerId: String) -> Self {
        joining(required: Opportunity.request.filter(RequestRecord.Columns.customerId == customerId))
    }

    /// The order a request's opportunities are shown and paged in: as offered, then by id.
    func oldestFirst() -> Self {
        order(Opportunity.Columns.createdAt, Opportunity.Columns.id)
    }
}

// MARK: History

/// A transition row: the wire `Transition` plus its tenant and, for masking, who sought the
/// replacement it belongs to.
struct TransitionRow: Codable, FetchableRecord, PersistableRecord, TenantRecord {
    static let databaseTableName = "transition"
    var partnerId: String
    var opportunityId: String
    var seq: Int
    var at: Date
    var actorRole: String
    var actorId: String?
    var action: String
    var from: OpportunityState?
    var to: OpportunityState
    var reason: String?
    var replacementSoughtBy: String?
    /// The contact attempt the transition belongs to (migration v3; none before).
    var attemptId: String?
    /// An interest's quote; who recorded an answer for the provider, and how (migration v5).
    var quote: Quote?
    var recordedBy: String?
    var recordedVia: String?

    /// The columns queries use.
    enum Columns {
        static let partnerId = Column(CodingKeys.partnerId)
        static let opportunityId = Column(CodingKeys.opportunityId)
        static let seq = Column(CodingKeys.seq)
    }

    /// The row as the wire shows it.
    var transition: Transition {
        Transition(
            opportunityId: opportunityId, seq: seq, at: at, actorRole: actorRole, actorId: actorId, action: action,
            from: from, to: to, reason: reason, attemptId: attemptId, quote: quote, recordedBy: recordedBy,
            recordedVia: recordedVia)
    }
}

extension DerivableRequest<TransitionRow> {
    /// The history of one opportunity.
    func ofOpportunity(_ opportunityId: String) -> Self {
        filter(TransitionRow.Columns.opportunityId == opportunityId)
    }

    /// The histories of these opportunities.
    func ofOpportunities(_ opportunityIds: some Collection<String>) -> Self {
        filter(opportunityIds.contains(TransitionRow.Columns.opportunityId))
    }

    /// In the order the transitions happened.
    func inSequence() -> Self {
        order(TransitionRow.Columns.seq)
    }
}

extension DerivableRequest<RequestRecord> {
    /// Requests still to be warned that slots are open close to their start: open or filled,
    /// not started at `now`, not warned yet.
    func awaitingUnfilledWarning(at now: Date) -> Self {
        filter(
            [RequestRecord.Status.open.rawValue, RequestRecord.Status.filled.rawValue].contains(
                RequestRecord.Columns.status) && RequestRecord.Columns.startsAt > now
                && RequestRecord.Columns.unfilledSoonAt == nil)
    }
}

// MARK: Settings

extension OpportunitiesSettings: FetchableRecord, PersistableRecord, TenantRecord {
    public static let databaseTableName = "settings"
}

// MARK: Cancellation policies

extension CancellationPolicy: FetchableRecord, PersistableRecord, TenantRecord {
    public static let databaseTableName = "cancellationPolicy"

    /// The columns queries use.
    public enum Columns {
        public static let scope = Column("scope")
        public static let subjectId = Column("subjectId")
    }
}

extension DerivableRequest<CancellationPolicy> {
    /// The policy of one customer or one provider.
    func ofSubject(_ scope: CancellationPolicy.Scope, _ subjectId: String) -> Self {
        filter(CancellationPolicy.Columns.scope == scope.rawValue && CancellationPolicy.Columns.subjectId == subjectId)
    }
}
