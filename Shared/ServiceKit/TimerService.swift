import Foundation
import GRDB
import Logging
import ServiceLifecycle
@_spi(RawDatabase) import Store
import Synchronization

/// Fires durable timers (`DurableTimer`): each due timer is deleted in the same transaction as
/// its handler's effect, so it fires exactly once, including after a crash or restart.
///
/// A swift-service-lifecycle `Service`: it fires what is due at start-up, then sleeps until the
/// next timer (at most a second, so a timer written meanwhile is never late by more than that),
/// and on `ManualClock.set` before the call returns. Cancellation or graceful shutdown ends it at
/// once; a failure is logged and retried after a pause, never in a tight loop.
public final class TimerService: Service, Sendable {
    /// Applies one due timer inside the write transaction that deletes it.
    public typealias Handler = @Sendable (GRDB.Database, DurableTimer) throws -> Void

    let database: ServiceDatabase
    let clock: any ServiceClock
    let handlers: [String: Handler]
    let logger: Logger
    let running = Mutex<Task<Void, any Error>?>(nil)
    let stopped = Mutex(false)
    /// Turns of the loop, for tests that check it stops turning.
    let turns = Atomic<Int>(0)

    /// - Parameter handlers: per timer `kind`, what firing it does.
    public init(database: ServiceDatabase, clock: any ServiceClock, handlers: [String: Handler], logger: Logger) {
        self.database = database
        self.clock = clock
        self.handlers = handlers
        self.logger = logger
        if let manual = clock as? ManualClock {
            // SetClock returns only after the timers it made due have fired.
            manual.onAdvance { [weak self] now in
                guard let self else { return }
                do { try await self.fireDue(now: now) } catch {
                    self.logger.error("timers failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Timers of a running service: its database, clock and logger.
    public convenience init(_ environment: ServiceEnvironment, handlers: [String: Handler]) {
        self.init(
            database: environment.database, clock: environment.clock, handlers: handlers, logger: environment.logger)
    }

    /// How many times the loop has turned so far.
    public var loopTurns: Int { turns.load(ordering: .relaxed) }

    /// Fires every timer due at `now`, each in its own transaction; returns how many fired.
    @discardableResult
    public func fireDue(now: Date) async throws -> Int {
        var fired = 0
        while true {
            let done = try await database.pool.write { [handlers, logger] db -> Bool in
                guard let timer = try DurableTimer.all().due(at: now).fetchOne(db) else { return true }
                try timer.delete(db)
                if let handler = handlers[timer.kind] {
                    try handler(db, timer)
                } else {
                    logger.warning(
                        "a timer of an unknown kind was dropped",
                        metadata: ["kind": "\(timer.kind)", "key": "\(timer.key)"])
                }
                return false
            }
            if done { return fired }
            fired += 1
        }
    }

    /// Runs until cancelled or shut down gracefully.
    public func run() async throws {
        let task = Task { try await loop() }
        running.withLock { $0 = task }
        if stopped.withLock({ $0 }) { task.cancel() }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                do {
                    try await task.value
                } catch is CancellationError {
                    return
                }
            } onGracefulShutdown: {
                task.cancel()
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Ends `run()` (for callers that stop parts by hand rather than through the service group).
    public func stop() {
        stopped.withLock { $0 = true }
        running.withLock { $0?.cancel() }
    }

    private func loop() async throws {
        while true {
            try Task.checkCancellation()
            turns.add(1, ordering: .relaxed)
            var wait: Duration = .seconds(1)
            do {
                try await fireDue(now: clock.now)
                let next = try await database.pool.read { try DurableTimer.all().earliestFirst().fetchOne($0)?.dueAt }
                if let next {
                    let seconds = min(max(next.timeIntervalSince(clock.now), 0.01), 1)
                    wait = .milliseconds(Int64(seconds * 1000))
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error("firing timers failed; retrying", metadata: ["error": "\(error)"])
            }
            // Never `try?`: a cancelled sleep must end the loop, not start another turn.
            try await Task.sleep(for: wait)
        }
    }
}
