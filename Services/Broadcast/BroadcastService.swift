import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Synchronization
import Transport
import Wire

/// The `broadcast` service: contacts ranked providers in well-timed waves.
///
/// Where things are: one handler per resource (`BroadcastHandlers`, `RotationHandlers`,
/// `AttemptHandlers`, `DispositionHandlers`, `BlockHandlers`, `PolicyHandlers`, `StatsHandlers`);
/// the database behind `BroadcastStore` (records and queries in `BroadcastRecords`, writes in
/// `BroadcastWriter` and `ContactSteps`, views in `BroadcastViews`); the pure rules apart
/// (`WavePlanner`, `Dispositions`); the scheduler in two halves, `Scheduler` (durable timers, the
/// advance rule, planning, in transactions) and `WaveSender` (ranking, checking, offering);
/// opportunities' events in `BroadcastEvents`.
public enum BroadcastService {
    /// The service's name on the bus and in events.
    public static let name = Broadcast.service

    /// Everything that makes the service what it is, for `ServiceApplication`. Each one has its
    /// own wake-up shared by the event subscription, the timers and the wave sender.
    public static var definition: ServiceDefinition {
        let runtime = BroadcastRuntime()
        return ServiceDefinition(
            name: name, durability: .full,
            migrations: BroadcastMigrations.register(in:),
            subscriptions: [Opportunities.service],
            applyEvent: { db, event in try runtime.apply(db, event) },
            routes: { router, environment in
                let parts = runtime.attach(environment)
                let (store, sender, clock) = (parts.store, parts.sender, environment.clock)
                let handlers = Broadcast.Handlers(
                    broadcasts: BroadcastHandlers(store: store, environment: environment, sender: sender),
                    rotation: RotationHandlers(store: store, environment: environment, sender: sender),
                    attempts: AttemptHandlers(store: store, environment: environment, sender: sender),
                    dispositions: DispositionHandlers(store: store, clock: clock),
                    blocks: BlockHandlers(
                        store: store, clock: clock, maxReplyBytes: environment.configuration.maxMessageBytes),
                    policies: PolicyHandlers(store: store, environment: environment, sender: sender),
                    stats: StatsHandlers(store: store))
                Broadcast.register(handlers, into: &router)
            },
            background: { environment in
                let parts = runtime.attach(environment)
                let timers = TimerService(
                    database: environment.database, clock: environment.clock,
                    handlers: Scheduler.timerHandlers(
                        store: parts.store, clock: environment.clock, wakeup: runtime.wakeup),
                    logger: environment.logger)
                // Registered after the timers' own hook: SetClock replies once the waves its
                // timers made due are planned and sent.
                if let manual = environment.clock as? ManualClock {
                    manual.onAdvance { _ in await parts.sender.pass(budget: .seconds(20)) }
                }
                return [
                    BackgroundWork(name: "timers", run: timers.run, stop: timers.stop), parts.sender.work,
                ]
            })
    }
}

/// What a running broadcast service shares between its parts: the store, the wave sender and
/// its wake-up. Events are applied by a closure made before the environment exists, so the parts
/// are attached when the service is put together (before any event is applied).
final class BroadcastRuntime: Sendable {
    struct Parts: Sendable {
        let store: BroadcastStore
        let sender: WaveSender
        let clock: any ServiceClock
    }

    let wakeup = AsyncWakeup()
    private let parts = Mutex<Parts?>(nil)

    /// The parts over `environment`, made on first use.
    func attach(_ environment: ServiceEnvironment) -> Parts {
        parts.withLock { parts in
            if let parts { return parts }
            let store = BroadcastStore(environment.database)
            let made = Parts(
                store: store, sender: WaveSender(store: store, environment: environment, wakeup: wakeup),
                clock: environment.clock)
            parts = made
            return made
        }
    }

    /// Applies one of opportunities' events (`BroadcastEvents`).
    func apply(_ db: Database, _ event: Event) throws {
        guard let parts = parts.withLock({ $0 }) else {
            throw RPCError(.unavailable, "broadcast is not put together yet")
        }
        try BroadcastEvents.apply(db, event, store: parts.store, now: parts.clock.now, wakeup: wakeup)
    }
}
