import Contracts
import Foundation
import ServiceKit
import Store
import Transport

/// The `broadcast` service: contacts ranked providers in well-timed waves.
///
/// Where things are: one handler per resource (`BroadcastHandlers`, `RotationHandlers`,
/// `AttemptHandlers`, `DispositionHandlers`, `BlockHandlers`, `PolicyHandlers`, `StatsHandlers`);
/// the database behind `BroadcastStore` (records and queries in `BroadcastRecords`, writes in
/// `BroadcastWriter` and `ContactSteps`, views in `BroadcastViews`); the pure rules apart
/// (`WavePlanner`, `Dispositions`); the scheduler in two halves, `Scheduler` (durable timers, the
/// advance rule, planning, in transactions) and `WaveSender` (ranking, checking, offering);
/// opportunities' events (and the registry's erasures) in `BroadcastEvents`; contacts across
/// requests in `ContactHandlers`, `AttemptSearch` and `BulkActions`.
public enum BroadcastService {
    /// The service's name on the bus and in events.
    public static let name = Broadcast.service

    /// Everything that makes the service what it is, for `ServiceApplication`, made once per
    /// running service: one store, one wave sender and the wake-up they share with the event
    /// handling and the timers.
    public static let definition = ServiceDefinition(
        name: name, durability: .full, migrations: BroadcastMigrations.register(in:)
    ) { environment in
        let (wakeup, clock) = (AsyncWakeup(), environment.clock)
        let store = BroadcastStore(environment.database, wakeup: wakeup)
        let sender = WaveSender(store: store, environment: environment, wakeup: wakeup)
        let handlers = Broadcast.Handlers(
            broadcasts: BroadcastHandlers(store: store, environment: environment, sender: sender),
            rotation: RotationHandlers(store: store, environment: environment, sender: sender),
            attempts: AttemptHandlers(store: store, environment: environment),
            dispositions: DispositionHandlers(store: store, clock: clock),
            blocks: BlockHandlers(
                store: store, environment: environment, maxReplyBytes: environment.configuration.maxMessageBytes),
            policies: PolicyHandlers(store: store, environment: environment),
            stats: StatsHandlers(store: store),
            contacts: ContactHandlers(
                store: store, clock: clock, maxReplyBytes: environment.configuration.maxMessageBytes))
        let timers = TimerService(environment, handlers: Scheduler.timerHandlers(store: store, clock: clock))
        // Registered after the timers' own hook: SetClock replies once the waves its timers made
        // due are planned and sent.
        if let manual = clock as? ManualClock {
            manual.onAdvance { _ in await sender.pass(budget: .seconds(20)) }
        }
        return ServiceParts(
            routes: { Broadcast.register(handlers, into: &$0) },
            events: EventHandling(sources: BroadcastEvents.sources, reset: BroadcastEvents.reset) { db, event in
                try BroadcastEvents.apply(db, event, store: store, now: clock.now)
            },
            background: [timers, sender])
    }
}
