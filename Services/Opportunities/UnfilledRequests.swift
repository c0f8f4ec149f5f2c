import Contracts
import Foundation
import GRDB
import ServiceKit
import Store

/// docs/design.md, "Requests end": a request whose job starts with slots still open becomes
/// `unfilled` (final, `request.unfilled`); before that, once its slots are still open within the
/// partner's lead time before the start (`OpportunitiesSettings.unfilledSoonLeadHours`), the
/// partner is warned, once (`request.unfilledSoon`). The warning has a durable timer per request
/// (kind `opportunities.request.unfilledSoon`, key `partnerId/requestId`, due at the lead time
/// before the start); the start itself is `JobStart`'s timer.
enum UnfilledRequests {
    static let warningKind = "opportunities.request.unfilledSoon"

    /// When a request starting at `startsAt` is to warn; nil when the partner turned warnings off.
    static func warningDue(startsAt: Date, leadHours: Double) -> Date? {
        leadHours > 0 ? startsAt.addingTimeInterval(-leadHours * 3600) : nil
    }

    /// What firing a warning timer does, for `TimerService`.
    static func handlers(_ store: OpportunitiesStore, clock: any ServiceClock) -> [String: TimerService.Handler] {
        [
            warningKind: { db, timer in
                guard let (partnerId, requestId) = JobStart.request(of: timer) else { return }
                try store.within(db, partnerId: partnerId) { writer in
                    guard var request = try writer.request(ifExists: requestId) else { return }
                    try writer.armUnfilledWarning(&request, at: max(clock.now, timer.dueAt))
                }
            }
        ]
    }
}

extension OpportunitiesQueries {
    /// The partner's settings, the defaults (version 0) until it sets its own.
    func settings() throws -> OpportunitiesSettings {
        try OpportunitiesSettings.all().inTenant(partnerId).fetchOne(db) ?? OpportunitiesSettings(partnerId: partnerId)
    }

    /// The request `id`, if the tenant has it.
    func request(ifExists id: String) throws -> RequestRecord? {
        try RequestRecord.all().inTenant(partnerId).withIds([id]).fetchOne(db)
    }
}

extension OpportunitiesWriter {
    /// Sets the request's warning as the partner's lead time says: given now when it is due and
    /// slots are open, else a timer at the time it is due. A request warned already, started,
    /// cancelled or unfilled has none, nor has any with warnings off. A filled request due now
    /// keeps none either: it is warned if it reopens before the start (`reopenIfFilled`).
    func armUnfilledWarning(_ request: inout RequestRecord, at now: Date) throws {
        let key = "\(request.partnerId)/\(request.id)"
        guard request.unfilledSoonAt == nil, [.open, .filled].contains(request.status), now < request.startsAt,
            let due = UnfilledRequests.warningDue(
                startsAt: request.startsAt, leadHours: try settings().unfilledSoonLeadHours)
        else {
            return try DurableTimer.cancel(db, kind: UnfilledRequests.warningKind, key: key)
        }
        guard due <= now else {
            return try DurableTimer.schedule(
                db,
                DurableTimer(kind: UnfilledRequests.warningKind, key: key, dueAt: due, partnerId: request.partnerId))
        }
        try DurableTimer.cancel(db, kind: UnfilledRequests.warningKind, key: key)
        guard request.status == .open else { return }
        request.unfilledSoonAt = now
        request.version += 1
        request.updatedAt = now
        try request.update(db)
        try announce(request, event: Opportunities.EventType.requestUnfilledSoon, at: now)
    }

    /// Every request not warned yet takes the partner's lead time as it is now (after a change).
    func rearmUnfilledWarnings(at now: Date) throws {
        for var request in try RequestRecord.all().inTenant(partnerId).awaitingUnfilledWarning(at: now).fetchAll(db) {
            try armUnfilledWarning(&request, at: now)
        }
    }

    /// Once the job has started (on the service's clock): a request with slots still open is
    /// unfilled, announced before its open offers are declined (so no subscriber sees a slot to
    /// fill after the start), and no open offer stays open. Returns whether anything changed.
    @discardableResult
    func closeIfStarted(_ requestId: String, at now: Date) throws -> Bool {
        guard var request = try request(ifExists: requestId), now >= request.startsAt else { return false }
        var changed = false
        if request.status == .open {
            try setStatus(&request, .unfilled, event: Opportunities.EventType.requestUnfilled, at: now)
            changed = true
        }
        let open = try opportunities(onRequest: request.id).contains { [.offered, .pending].contains($0.state) }
        if open {
            try closeOpenOffers(on: request, reason: OfferClosing.started, at: now)
            changed = true
        }
        return changed
    }
}
