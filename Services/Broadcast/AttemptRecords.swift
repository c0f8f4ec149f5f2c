import Contracts
import Foundation
import GRDB

/// One contact attempt.
struct AttemptRow: Codable, FetchableRecord, PersistableRecord, RequestOwned {
    static let databaseTableName = "contactAttempt"
    var partnerId: String
    var id: String
    var requestId: String
    var providerId: String
    var wave: Int
    var attemptNumber: Int
    var status: ContactAttempt.Status
    var plannedAt: Date
    var sentAt: Date?
    var opportunityId: String?
    var channel: ContactChannel?
    var disposition: String?
    var dispositionAt: Date?
    var dispositionBy: String?
    var late: Bool
    var reason: String?
    var deliveredAt: Date?
    var deliveryError: String?
    var recycledAt: Date?

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let providerId = Column(CodingKeys.providerId)
        static let status = Column(CodingKeys.status)
        static let plannedAt = Column(CodingKeys.plannedAt)
        static let disposition = Column(CodingKeys.disposition)
        static let wave = Column(CodingKeys.wave)
    }

    var wire: ContactAttempt {
        ContactAttempt(
            id: id, requestId: requestId, providerId: providerId, wave: wave, attemptNumber: attemptNumber,
            status: status, plannedAt: plannedAt, sentAt: sentAt, opportunityId: opportunityId, channel: channel,
            disposition: disposition, dispositionAt: dispositionAt, dispositionBy: dispositionBy, late: late,
            reason: reason, deliveredAt: deliveredAt, deliveryError: deliveryError, recycledAt: recycledAt)
    }

    /// Not sent yet: planned, or checked and being offered.
    var isUnsent: Bool { (status == .planned || status == .sending) && disposition == nil }
    /// Sent and not answered yet.
    var isAwaiting: Bool { status == .sent && disposition == nil }
}

extension DerivableRequest<AttemptRow> {
    /// Attempts not sent yet, of every tenant unless combined with `inTenant`.
    func unsent() -> Self {
        filter(
            [ContactAttempt.Status.planned.rawValue, ContactAttempt.Status.sending.rawValue].contains(
                AttemptRow.Columns.status) && AttemptRow.Columns.disposition == nil)
    }

    /// The attempts of one provider.
    func ofProvider(_ providerId: String) -> Self {
        filter(AttemptRow.Columns.providerId == providerId)
    }

    /// The attempt with this id.
    func withId(_ id: String) -> Self {
        filter(AttemptRow.Columns.id == id)
    }

    /// Attempts planned in [from, to).
    func planned(from: Date, to: Date) -> Self {
        filter(AttemptRow.Columns.plannedAt >= from && AttemptRow.Columns.plannedAt < to)
    }

    /// Attempts carrying one disposition.
    func withDisposition(_ code: String) -> Self {
        filter(AttemptRow.Columns.disposition == code)
    }

    /// In the order they were planned: wave, then the wave's contact order.
    func inOrder() -> Self {
        order(AttemptRow.Columns.wave, AttemptRow.Columns.plannedAt, Column("rowid"))
    }
}
