import Contracts
import Foundation
import GRDB
import Store
import Wire

/// The registry's queries. Every lookup is scoped to one partner, so another tenant's id is
/// `NOT_FOUND` exactly like an id that does not exist.
enum RegistryStore {
    static func documentType(_ db: Database, partner: String, id: String, field: String) throws -> DocumentType {
        try DocumentType.find(db, partner: partner, id: id, kind: "document type", field: field)
    }

    static func qualification(_ db: Database, partner: String, id: String, field: String) throws -> Qualification {
        try Qualification.find(db, partner: partner, id: id, kind: "qualification", field: field)
    }

    static func provider(_ db: Database, partner: String, id: String, field: String) throws -> Provider {
        try Provider.find(db, partner: partner, id: id, kind: "provider", field: field)
    }

    static func document(_ db: Database, partner: String, id: String, field: String) throws -> Document {
        try Document.find(db, partner: partner, id: id, kind: "document", field: field)
    }

    static func customer(_ db: Database, partner: String, id: String, field: String) throws -> Customer {
        try Customer.find(db, partner: partner, id: id, kind: "customer", field: field)
    }

    /// `ALREADY_EXISTS` when another row of `table` in the tenant has `name` (case-insensitive).
    static func requireUniqueName(_ db: Database, table: String, partner: String, name: String, except id: String? = nil, kind: String) throws {
        let clash = try String.fetchOne(db, sql: "SELECT id FROM \(table) WHERE partnerId = ? AND name = ? COLLATE NOCASE AND id IS NOT ?", arguments: [partner, name, id])
        if clash != nil {
            throw RPCError(.alreadyExists, "a \(kind) named \(name) already exists", details: [FieldViolation(field: "body.name", description: "is already used by \(kind) \(clash!)")])
        }
    }

    /// Checks that every id names a qualification of the tenant (NOT_FOUND naming the index otherwise).
    static func requireQualifications(_ db: Database, partner: String, ids: [String], field: String) throws -> [Qualification] {
        try ids.enumerated().map { index, id in try qualification(db, partner: partner, id: id, field: "\(field)[\(index)]") }
    }

    static func documentTypeNames(_ db: Database, partner: String) throws -> [String: String] {
        let types = try DocumentType.filter(DocumentType.Columns.partnerId == partner).fetchAll(db)
        return Dictionary(uniqueKeysWithValues: types.map { ($0.id, $0.name) })
    }

    static func documents(_ db: Database, partner: String, providerId: String) throws -> [Document] {
        try Document.filter(Document.Columns.partnerId == partner && Document.Columns.providerId == providerId)
            .order(Column("issuedAt"), Column("id")).fetchAll(db)
    }

    static func appliedQualificationIds(_ db: Database, partner: String, providerId: String) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT qualificationId FROM appliedQualification WHERE partnerId = ? AND providerId = ?", arguments: [partner, providerId]))
    }

    static func availability(_ db: Database, partner: String, providerId: String) throws -> [AvailabilityWindow] {
        try AvailabilityRow.filter(AvailabilityRow.Columns.partnerId == partner && AvailabilityRow.Columns.providerId == providerId)
            .order(AvailabilityRow.Columns.from).fetchAll(db).map(\.window)
    }

    /// Records that a qualification was used, so it can never be deleted, only archived.
    static func markUsed(_ db: Database, partner: String, qualificationId: String, at now: Date) throws {
        try QualificationUse(partnerId: partner, qualificationId: qualificationId, firstUsedAt: now).insert(db, onConflict: .ignore)
    }

    /// Judges qualifications for a provider over [from, to]: the given ids, or every applied one.
    static func statuses(
        _ db: Database, partner: String, provider: Provider, qualificationIds: [String]?, from: Date, to: Date, zone: String?
    ) throws -> [QualificationStatus] {
        let applied = try appliedQualificationIds(db, partner: partner, providerId: provider.id)
        let ids = qualificationIds ?? applied.sorted()
        let qualifications = try requireQualifications(db, partner: partner, ids: ids, field: "body.qualificationIds")
        let documents = try documents(db, partner: partner, providerId: provider.id)
        let names = try documentTypeNames(db, partner: partner)
        return qualifications.map {
            QualificationRules.evaluate($0, provider: provider, applied: applied.contains($0.id), documents: documents, documentTypeNames: names, from: from, to: to, zone: zone)
        }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }
}
