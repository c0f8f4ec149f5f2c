import Foundation
import Logging
import Store
import Synchronization
import Transport

/// Deletes idempotency records past their retention, at start and then hourly, until stopped.
/// Lookups already ignore expired records, so the sweep only keeps the table small.
final class IdempotencySweep: Sendable {
    let database: ServiceDatabase
    let clock: any ServiceClock
    let interval: Duration
    let logger: Logger
    private let stopped = Atomic<Bool>(false)
    /// Where `run()` waits between sweeps (tests see whether it is waiting).
    let wakeup = AsyncWakeup()

    init(database: ServiceDatabase, clock: any ServiceClock, interval: Duration = .seconds(3600), logger: Logger) {
        self.database = database
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    /// The sweep as a service's background work.
    var work: BackgroundWork {
        BackgroundWork(name: "idempotency-sweep", run: { await self.run() }, stop: { self.stop() })
    }

    /// Sweeps until `stop()` or cancellation; a cancelled wait ends the loop rather than spinning.
    func run() async {
        while !stopped.load(ordering: .acquiring) && !Task.isCancelled {
            do {
                let deleted = try await database.sweepIdempotencyRecords(now: clock.now)
                if deleted > 0 {
                    logger.debug("expired idempotency records deleted", metadata: ["count": "\(deleted)"])
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("idempotency sweep failed; will retry", metadata: ["error": "\(error)"])
            }
            await wakeup.wait(until: .now + interval)
        }
    }

    /// Ends `run()` promptly, even mid-wait.
    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeup.signal()
    }
}
