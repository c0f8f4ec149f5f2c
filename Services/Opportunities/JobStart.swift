import Contracts
import Foundation
import GRDB
import ServiceKit
import Store

/// The job's start on the service's clock: a shared durable timer per request (kind
/// `opportunities.request.start`, key `partnerId/requestId`, due at `startsAt`) makes a request
/// with slots still open `unfilled` and declines its open offers and pending interest then ("the
/// job has started"), in the timer's transaction (`closeIfStarted`). `Offer` and `Respond` also
/// check the start when they touch the request.
enum JobStart {
    static let timerKind = "opportunities.request.start"

    /// The request's start timer, set in the transaction that creates the request.
    static func schedule(_ db: Database, _ request: RequestRecord) throws {
        try DurableTimer.schedule(
            db,
            DurableTimer(
                kind: timerKind, key: "\(request.partnerId)/\(request.id)", dueAt: request.startsAt,
                partnerId: request.partnerId))
    }

    /// The tenant and request a timer's key names (nil for a key the service did not write).
    static func request(of timer: DurableTimer) -> (partnerId: String, requestId: String)? {
        guard let slash = timer.key.lastIndex(of: "/") else { return nil }
        return (String(timer.key[..<slash]), String(timer.key[timer.key.index(after: slash)...]))
    }

    /// What firing the timer does, for `TimerService`.
    static func handlers(_ store: OpportunitiesStore, clock: any ServiceClock) -> [String: TimerService.Handler] {
        [
            timerKind: { db, timer in
                guard let (partnerId, requestId) = request(of: timer) else { return }
                try store.within(db, partnerId: partnerId) {
                    try $0.closeIfStarted(requestId, at: max(clock.now, timer.dueAt))
                }
            }
        ]
    }
}
