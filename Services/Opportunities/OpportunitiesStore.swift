import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Transport
import Wire

/// The opportunities database (a `TenantStore`): handlers read through an `OpportunitiesReader`
/// and change things through an `OpportunitiesWriter`, both scoped to the caller's tenant.
typealias OpportunitiesStore = TenantStore<OpportunitiesReader, OpportunitiesWriter>

extension TenantStore where Reader == OpportunitiesReader, Writer == OpportunitiesWriter {
    /// The opportunities store over `database`.
    init(_ database: ServiceDatabase) {
        self.init(
            database, reader: { db, partnerId, _ in OpportunitiesReader(db: db, partnerId: partnerId) },
            writer: { db, partnerId, outbox in OpportunitiesWriter(db: db, partnerId: partnerId, outbox: outbox) })
    }
}

/// What every transaction of the store can read, within one tenant.
protocol OpportunitiesQueries {
    /// The transaction's connection.
    var db: Database { get }
    /// The tenant every query is scoped to.
    var partnerId: String { get }
}

/// A read transaction of the store.
struct OpportunitiesReader: OpportunitiesQueries {
    let db: Database
    let partnerId: String
}

/// A write transaction of the store: its reads, and the writes in `OpportunitiesWriter.swift`.
struct OpportunitiesWriter: OpportunitiesQueries {
    let db: Database
    let partnerId: String
    /// Where the change's events go, in the same transaction.
    let outbox: Outbox
}

extension OpportunitiesQueries {
    /// The request `id`, or `NOT_FOUND` naming `field` (also for another tenant's id).
    func request(_ id: String, field: String) throws -> RequestRecord {
        try RequestRecord.find(db, partner: partnerId, id: id, kind: "request", field: field)
    }

    /// The opportunity `id`, or `NOT_FOUND` naming `field` (also for another tenant's id).
    func opportunity(_ id: String, field: String) throws -> Opportunity {
        try Opportunity.find(db, partner: partnerId, id: id, kind: "opportunity", field: field)
    }

    /// The opportunity `id` and the request it is on; `NOT_FOUND` naming `field` for either.
    func opportunityAndRequest(_ id: String, field: String) throws -> (Opportunity, RequestRecord) {
        let opportunity = try opportunity(id, field: field)
        return (opportunity, try request(opportunity.requestId, field: field))
    }

    /// Every opportunity on a request, as offered.
    func opportunities(onRequest requestId: String) throws -> [Opportunity] {
        try Opportunity.all().inTenant(partnerId).ofRequest(requestId).oldestFirst().fetchAll(db)
    }

    /// The provider's opportunity on a request, if it was offered one (there is at most one).
    func opportunity(onRequest requestId: String, providerId: String) throws -> Opportunity? {
        try Opportunity.all().inTenant(partnerId).ofRequest(requestId).ofProvider(providerId).fetchOne(db)
    }

    /// Requests by start, of one customer and in one status when given; a customer caller gets
    /// its own only (the list form of `CallerContext.requireOwn`).
    func requests(
        customerId: String?, status: RequestRecord.Status?, visibleTo caller: CallerContext
    ) throws -> [RequestRecord] {
        var query = RequestRecord.all().inTenant(partnerId)
        if caller.role == .customer { query = query.ofCustomer(caller.actorId) }
        if let customerId { query = query.ofCustomer(customerId) }
        if let status { query = query.withStatus(status) }
        return try query.soonestFirst().fetchAll(db)
    }

    /// Opportunities as offered, on one request and of one provider when given; a provider
    /// caller gets its own only, a customer those on its own requests (the list form of
    /// `CallerContext.requireOwn`).
    func opportunities(
        requestId: String?, providerId: String?, visibleTo caller: CallerContext
    ) throws -> [Opportunity] {
        var query = Opportunity.all().inTenant(partnerId)
        if let requestId { query = query.ofRequest(requestId) }
        if let providerId { query = query.ofProvider(providerId) }
        switch caller.role {
        case .provider: query = query.ofProvider(caller.actorId)
        case .customer: query = query.onRequestsOfCustomer(caller.actorId)
        case .partner, .service: break
        }
        return try query.oldestFirst().fetchAll(db)
    }

    /// Every transition of an opportunity, in order.
    func history(of opportunityId: String) throws -> [TransitionRow] {
        try TransitionRow.all().inTenant(partnerId).ofOpportunity(opportunityId).inSequence().fetchAll(db)
    }

    /// The `seq` of an opportunity's last transition (0 before the first).
    func lastSeq(of opportunityId: String) throws -> Int {
        let last = TransitionRow.all().inTenant(partnerId).ofOpportunity(opportunityId)
            .select(max(TransitionRow.Columns.seq), as: Int.self)
        return try last.fetchOne(db) ?? 0
    }

    /// Whether the provider holds a slot on another request at the same time as `request`.
    func hasConflict(providerId: String, with request: RequestRecord) throws -> Bool {
        try Opportunity.all().inTenant(partnerId).ofProvider(providerId).holdingSlot()
            .onRequestsOverlapping(from: request.startsAt, to: request.endsAt, except: request.id)
            .fetchCount(db) > 0
    }

    /// The cancellation policy of one customer or one provider, if set.
    func policy(_ scope: CancellationPolicy.Scope, _ subjectId: String) throws -> CancellationPolicy? {
        try CancellationPolicy.all().inTenant(partnerId).ofSubject(scope, subjectId).fetchOne(db)
    }

    /// The percent a customer or partner cancelling now would owe: the stricter of the
    /// customer's and the provider's policy.
    func billablePercent(request: RequestRecord, providerId: String, at now: Date) throws -> Int {
        let customer = try policy(.customer, request.customerId)
        let provider = try policy(.provider, providerId)
        let hours = request.startsAt.timeIntervalSince(now) / 3600
        return CancellationRules.billablePercent(
            hoursBeforeStart: hours, policies: [customer?.bands ?? [], provider?.bands ?? []])
    }
}
