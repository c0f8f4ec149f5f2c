import Contracts
import Foundation
import GRDB

// The wire records are stored as they are (one table each, arrays and nested values as JSON);
// only rows the wire shows differently or not at all have records of their own. Queries are
// request extensions next to the records (`Provider.all().inTenant(partner).ofType(type)`), and
// only `RegistryStore` runs them.

/// A registry row that belongs to one tenant: every query starts with `inTenant`.
protocol TenantRecord: TableRecord {}

/// A tenant's record that callers name by `id`.
protocol TenantEntity: TenantRecord, FetchableRecord {
    /// What callers call it in errors: `document type`, `provider`.
    static var kind: String { get }
}

/// A tenant's record that carries an optimistic-concurrency `version` (`expectedVersion`).
protocol VersionedEntity: TenantEntity {
    var id: String { get }
    var version: Int { get }
}

/// A tenant's record whose `name` is unique in the tenant, case-insensitively.
protocol NamedEntity: TenantEntity {}

/// A row that belongs to one provider of the tenant.
protocol ProviderOwned: TenantRecord {}

extension DerivableRequest where RowDecoder: TenantRecord {
    /// Rows of one tenant only: for a caller, another tenant's rows do not exist.
    func inTenant(_ partnerId: String) -> Self {
        filter(Column("partnerId") == partnerId)
    }
}

extension DerivableRequest where RowDecoder: TenantEntity {
    /// The row with this id (within the tenant it is combined with).
    func withId(_ id: String) -> Self {
        filter(Column("id") == id)
    }

    /// Rows whose id is one of `ids`.
    func withIds(_ ids: some Collection<String>) -> Self {
        filter(ids.contains(Column("id")))
    }

    /// Rows after `id` in id order: where a page that ended at `id` continues.
    func after(id: String) -> Self {
        filter(Column("id") > id)
    }

    /// Rows other than `id`, if one is given.
    func except(id: String?) -> Self {
        guard let id else { return self }
        return filter(Column("id") != id)
    }

    /// In id order, the order pages follow.
    func orderedById() -> Self {
        order(Column("id"))
    }
}

extension DerivableRequest where RowDecoder: NamedEntity {
    /// Rows named `name`, ignoring case, as the unique index compares them.
    func named(_ name: String) -> Self {
        filter(Column("name").collating(.nocase) == name)
    }

    /// In name order, ignoring case.
    func orderedByName() -> Self {
        order(Column("name").collating(.nocase))
    }
}

extension DerivableRequest where RowDecoder: ProviderOwned {
    /// Rows of one provider.
    func ofProvider(_ providerId: String) -> Self {
        filter(Column("providerId") == providerId)
    }
}

extension DocumentType: FetchableRecord, PersistableRecord, NamedEntity {
    public static let databaseTableName = "documentType"
    static let kind = "document type"
}

extension Qualification: FetchableRecord, PersistableRecord, NamedEntity {
    public static let databaseTableName = "qualification"
    static let kind = "qualification"
    public enum Columns {
        public static let archived = Column("archived")
    }
}

extension DerivableRequest<Qualification> {
    /// Qualifications still in use (archived ones are listed only on request).
    func unarchived() -> Self {
        filter(Qualification.Columns.archived == false)
    }
}

extension Provider: FetchableRecord, PersistableRecord, VersionedEntity {
    public static let databaseTableName = "provider"
    static let kind = "provider"
    public enum Columns {
        public static let providerType = Column("providerType")
        public static let active = Column("active")
        public static let zones = Column("zones")
    }
}

/// The record of a provider's erasure: when, by whom, why, and the pseudonym it left.
struct ProviderErasure: Codable, FetchableRecord, PersistableRecord, TenantRecord {
    static let databaseTableName = "providerErasure"
    var partnerId: String
    var providerId: String
    var pseudonym: String
    var reason: String
    var erasedBy: String
    var erasedAt: Date
}

extension DerivableRequest<Provider> {
    /// Providers of one type (`asl`, `cart`).
    func ofType(_ providerType: String) -> Self {
        filter(Provider.Columns.providerType == providerType)
    }

    /// Active providers only.
    func active() -> Self {
        filter(Provider.Columns.active == true)
    }

    /// Providers working in `zone`. The zones are a JSON array, and GRDB has no builder for
    /// SQLite's `json_each`, so this one filter is SQL (the column still comes from `Columns`).
    func inZone(_ zone: String) -> Self {
        filter(literal: "EXISTS (SELECT 1 FROM json_each(\(Provider.Columns.zones)) WHERE value = \(zone))")
    }
}

extension Document: FetchableRecord, PersistableRecord, TenantEntity, ProviderOwned {
    public static let databaseTableName = "document"
    static let kind = "document"
}

extension DerivableRequest<Document> {
    /// Oldest first, as a provider's documents are shown.
    func inIssueOrder() -> Self {
        order(Column("issuedAt"), Column("id"))
    }
}

extension AppliedQualification: FetchableRecord, PersistableRecord, ProviderOwned {
    public static let databaseTableName = "appliedQualification"
}

extension DerivableRequest<AppliedQualification> {
    /// Badges of one qualification.
    func ofQualification(_ qualificationId: String) -> Self {
        filter(Column("qualificationId") == qualificationId)
    }
}

extension Customer: FetchableRecord, PersistableRecord, NamedEntity, VersionedEntity {
    public static let databaseTableName = "customer"
    static let kind = "customer"
}

/// One availability window of one provider: the wire's window plus whose it is.
struct AvailabilityRow: Codable, FetchableRecord, PersistableRecord, ProviderOwned {
    static let databaseTableName = "availabilityWindow"
    var partnerId: String
    var providerId: String
    var from: Date
    var to: Date
    var status: AvailabilityWindow.Status

    var window: AvailabilityWindow { AvailabilityWindow(from: from, to: to, status: status) }
}

extension DerivableRequest<AvailabilityRow> {
    /// Earliest first.
    func chronological() -> Self {
        order(Column("from"))
    }

    /// Windows of these providers only.
    func ofProviders(_ providerIds: some Collection<String>) -> Self {
        filter(providerIds.contains(Column("providerId")))
    }

    /// Windows that overlap [from, to).
    func overlapping(from: Date, to: Date) -> Self {
        filter(Column("from") < to && Column("to") > from)
    }

    /// Windows after the one of `providerId` starting at `start`, in `byProviderThenStart` order:
    /// where a page that ended there continues.
    func after(providerId: String, start: Date) -> Self {
        filter(Column("providerId") > providerId || (Column("providerId") == providerId && Column("from") > start))
    }

    /// By provider, then earliest first: the order `ListAvailability` pages in.
    func byProviderThenStart() -> Self {
        order(Column("providerId"), Column("from"))
    }
}

extension Vocabulary: FetchableRecord, PersistableRecord, TenantRecord {
    public static let databaseTableName = "vocabulary"
}

/// Marks a qualification as used (applied or required on a request): it may then only be archived.
struct QualificationUse: Codable, FetchableRecord, PersistableRecord, TenantRecord {
    static let databaseTableName = "qualificationUse"
    var partnerId: String
    var qualificationId: String
    var firstUsedAt: Date
}
