import Contracts
import Foundation
import GRDB

// The wire records are stored as they are: one table each, arrays and nested values as JSON.

extension RequestRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "request"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let customerId = Column("customerId")
        public static let status = Column("status")
        public static let startsAt = Column("startsAt")
    }
}

extension Opportunity: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "opportunity"
    public enum Columns {
        public static let partnerId = Column("partnerId")
        public static let requestId = Column("requestId")
        public static let providerId = Column("providerId")
        public static let state = Column("state")
        public static let createdAt = Column("createdAt")
    }
}

extension CancellationPolicy: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cancellationPolicy"
}

/// A transition row: the wire `Transition` plus its tenant and, for masking, who sought the
/// replacement it belongs to.
struct TransitionRow: Codable, FetchableRecord, PersistableRecord {
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

    enum Columns {
        static let partnerId = Column("partnerId")
        static let opportunityId = Column("opportunityId")
        static let seq = Column("seq")
    }

    var transition: Transition {
        Transition(opportunityId: opportunityId, seq: seq, at: at, actorRole: actorRole, actorId: actorId, action: action, from: from, to: to, reason: reason)
    }
}
