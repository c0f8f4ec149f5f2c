import Contracts
import Foundation
import GRDB

// The wire records are stored as they are: one table each, arrays and nested values as JSON.

extension DocumentType: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "documentType"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let name = Column("name")
    }
}

extension Qualification: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "qualification"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let name = Column("name")
        public static let archived = Column("archived")
    }
}

extension Provider: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "provider"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let id = Column("id")
        public static let providerType = Column("providerType")
        public static let active = Column("active")
    }
}

extension Document: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "document"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let providerId = Column("providerId")
        public static let documentTypeId = Column("documentTypeId")
    }
}

extension AppliedQualification: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "appliedQualification"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let providerId = Column("providerId")
        public static let qualificationId = Column("qualificationId")
    }
}

extension Customer: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "customer"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let name = Column("name")
    }
}

/// One availability window of one provider.
struct AvailabilityRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "availabilityWindow"
    var partnerId: String
    var providerId: String
    var from: Date
    var to: Date
    var status: AvailabilityWindow.Status

    enum Columns {
        static let partnerId = Column("partnerId")
        static let providerId = Column("providerId")
        static let from = Column("from")
    }

    var window: AvailabilityWindow { AvailabilityWindow(from: from, to: to, status: status) }
}

/// A document expiry not yet announced: the durable timer the expiry scheduler works from.
struct DocumentExpiryTimer: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "documentExpiryTimer"
    var partnerId: String
    var documentId: String
    var dueAt: Date

    enum Columns {
        static let dueAt = Column("dueAt")
    }
}

/// Marks a qualification as used (applied or required on a request): it may then only be archived.
struct QualificationUse: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "qualificationUse"
    var partnerId: String
    var qualificationId: String
    var firstUsedAt: Date
}
