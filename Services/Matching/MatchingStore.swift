import Contracts
import Domain
import Foundation
import GRDB
import ServiceKit
import Store
import Wire

/// The read model's store (a `TenantStore` whose transactions are the connection itself): every
/// lookup below takes the partner it is scoped to, so another tenant's id is `NOT_FOUND` exactly
/// like one that does not exist. Handlers never see the pool; a ranking reads everything in one
/// snapshot through `read`.
typealias MatchingStore = TenantStore<Database, Database>

extension MatchingStore {
    /// The read model over `database`.
    init(_ database: ServiceDatabase) {
        self.init(database, reader: { db, _, _ in db }, writer: { db, _, _ in db })
    }

    // MARK: The job's parts

    /// The customer's record, or `NOT_FOUND` naming `field`.
    func customer(_ db: Database, partner: String, id: String, field: String) throws -> CustomerRecord {
        guard let customer = try CustomerRecord.find(id, partner: partner).fetchOne(db) else {
            throw MatchingError.notFound(kind: "customer", id: id, field: field)
        }
        return customer
    }

    /// The customer's four lists.
    func lists(_ db: Database, partner: String, customerId: String) throws -> CustomerLists {
        let entries = try CustomerListRecord.of(customer: customerId, partner: partner).fetchAll(db)
        return CustomerLists(entries.map { CustomerListEntry(providerId: $0.providerId, kind: $0.kind) })
    }

    /// The partner's qualifications among `ids`, by id (unknown ids are left out).
    func qualifications(_ db: Database, partner: String, ids: Set<String>) throws -> [String: JobQualification] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: JobQualification] = [:]
        for record in try QualificationRecord.all().inTenant(partner).filter(ids.contains(Column("id"))).fetchAll(db) {
            let scope = QualificationRules.Scope(
                name: record.name, providerTypes: record.providerTypes, zones: record.zones,
                requiredDocumentTypeIds: record.requiredDocumentTypeIds, archived: record.archived)
            found[record.id] = JobQualification(id: record.id, scope: scope)
        }
        return found
    }

    /// Names of these document types.
    func documentTypeNames(_ db: Database, partner: String, ids: Set<String>) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let types = try DocumentTypeRecord.all().inTenant(partner).filter(ids.contains(Column("id"))).fetchAll(db)
        return Dictionary(types.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: Providers

    /// One provider, or `NOT_FOUND` naming `field`.
    func provider(_ db: Database, partner: String, id: String, field: String) throws -> ProviderRecord {
        guard let provider = try ProviderRecord.withIds([id], partner: partner).fetchOne(db) else {
            throw MatchingError.notFound(kind: "provider", id: id, field: field)
        }
        return provider
    }

    /// The providers who can pass the type, activity and place filters: the only ones a ranking
    /// needs to judge in full. Everyone else fails one of those filters.
    func candidates(_ db: Database, partner: String, job: Job) throws -> [ProviderRecord] {
        if !job.remote, let location = job.location {
            return try ProviderRecord.reaching(location, partner: partner, type: job.providerType).fetchAll(db)
        }
        if let zone = job.zone {
            return try ProviderRecord.working(in: zone, partner: partner, type: job.providerType).fetchAll(db)
        }
        return try ProviderRecord.ofType(job.providerType, partner: partner).fetchAll(db)
    }

    /// The providers with these ids (unknown ids are left out).
    func providers(_ db: Database, partner: String, ids: [String]) throws -> [ProviderRecord] {
        guard !ids.isEmpty else { return [] }
        return try ProviderRecord.withIds(ids, partner: partner).fetchAll(db)
    }

    /// Every provider of the partner, by id (the naive baseline).
    func allProviders(_ db: Database, partner: String) throws -> [ProviderRecord] {
        try ProviderRecord.all(partner: partner).fetchAll(db)
    }

    /// How many providers the partner has, after `id` when given.
    func providerCount(_ db: Database, partner: String, after id: String? = nil) throws -> Int {
        try ProviderRecord.count(partner: partner, after: id).fetchOne(db) ?? 0
    }

    /// Up to `limit` provider ids of the partner after `id`, in id order.
    func providerIds(_ db: Database, partner: String, after id: String?, limit: Int) throws -> [String] {
        try ProviderRecord.ids(partner: partner, after: id, limit: limit).fetchAll(db)
    }

    /// Providers in the read model, of every partner.
    func providerCount(_ db: Database) throws -> Int {
        try ProviderRecord.all().fetchCount(db)
    }

    // MARK: Positions

    /// How far the read model has applied each source.
    func positions(_ db: Database) throws -> [ReadModelPosition] {
        let sql = "SELECT lastSeq, epoch FROM eventCheckpoint WHERE source = ?"
        return try Matching.sources.map { source in
            let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [source])
            return ReadModelPosition(source: source, appliedSeq: row?[0] ?? 0, epoch: row?[1])
        }
    }

    /// Per source, the times the read model forgot it and when it last did.
    func resets(_ db: Database) throws -> [String: (count: Int, lastAt: Date)] {
        var result: [String: (count: Int, lastAt: Date)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT source, count, lastAt FROM readModelReset") {
            result[row[0]] = (row[1], Date(stored: row[2]))
        }
        return result
    }
}
