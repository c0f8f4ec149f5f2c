import Foundation
import Logging
import ServiceLifecycle
import Store
import Transport

/// Deletes idempotency records past their retention, at start and then hourly, until shut down
/// or cancelled. Lookups already ignore expired records, so the sweep only keeps the table small.
struct IdempotencySweep: Service {
    let database: ServiceDatabase
    let clock: any ServiceClock
    var interval: Duration = .seconds(3600)
    let logger: Logger

    func run() async throws {
        try await runUntilShutdown {
            while true {
                do {
                    let deleted = try await database.sweepIdempotencyRecords(now: clock.now)
                    if deleted > 0 {
                        logger.debug("expired idempotency records deleted", metadata: ["count": "\(deleted)"])
                    }
                } catch {
                    try Task.checkCancellation()
                    logger.warning("idempotency sweep failed; will retry", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
