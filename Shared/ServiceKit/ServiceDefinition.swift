import GRDB
import Store
import Transport
import Wire

/// What makes one service what it is; `ServiceApplication` supplies everything else (bus
/// sockets, database, common methods, event relay and subscription, lifecycle).
public struct ServiceDefinition: Sendable {
    /// `registry`, `matching`, `broadcast` or `opportunities`.
    public var name: String
    /// Reported by `Health`.
    public var version: String
    /// `synchronous` level of its SQLite file.
    public var durability: Durability
    /// How its SQLite connections are tuned (a read model maps its file and caches more).
    public var databaseTuning: DatabaseTuning
    /// Registers the service's own migrations (after the shared ones). Never edit a shipped one.
    public var migrations: @Sendable (inout DatabaseMigrator) -> Void
    /// Other services whose events it consumes, and how it applies one (in its transaction).
    public var subscriptions: [String]
    public var applyEvent: EventSubscriber.Apply?
    /// Forgets what was applied from a source (named by the second argument) so its events can be
    /// applied again from `seq` 1, in the transaction that resets the checkpoint: used when the
    /// source's `seq`s were reused (a new outbox epoch, or a rewound source). Without it such a
    /// source is reported `dataLoss` and no longer applied.
    public var resetSource: EventSubscriber.Reset?
    /// Registers the domain methods.
    public var routes: @Sendable (inout RPCRouter, ServiceEnvironment) -> Void
    /// Long-running work beside the RPC server (durable timers, schedulers), started after it
    /// and stopped before it.
    public var background: @Sendable (ServiceEnvironment) -> [BackgroundWork]
    /// Where handler tasks run unless a method chose otherwise: `.global` for a service whose
    /// handlers compute for long, so its I/O thread keeps answering `Health` and heartbeats.
    public var handlerExecutor: RPCServerConfiguration.HandlerExecutor
    /// Whether the worker takes requests only once every subscribed source has caught up (a read
    /// model such as matching's): until then it announces no credit, so the bus sends it nothing.
    public var readyAfterCatchUp: Bool

    public init(
        name: String, version: String = OctooVersion.current, durability: Durability,
        databaseTuning: DatabaseTuning = .standard,
        migrations: @escaping @Sendable (inout DatabaseMigrator) -> Void = { _ in },
        subscriptions: [String] = [], applyEvent: EventSubscriber.Apply? = nil,
        resetSource: EventSubscriber.Reset? = nil,
        routes: @escaping @Sendable (inout RPCRouter, ServiceEnvironment) -> Void = { _, _ in },
        background: @escaping @Sendable (ServiceEnvironment) -> [BackgroundWork] = { _ in [] },
        handlerExecutor: RPCServerConfiguration.HandlerExecutor = .ioThread, readyAfterCatchUp: Bool = false
    ) {
        self.name = name
        self.version = version
        self.durability = durability
        self.databaseTuning = databaseTuning
        self.migrations = migrations
        self.subscriptions = subscriptions
        self.applyEvent = applyEvent
        self.resetSource = resetSource
        self.routes = routes
        self.background = background
        self.handlerExecutor = handlerExecutor
        self.readyAfterCatchUp = readyAfterCatchUp
    }
}

/// A background loop of a service: `run` until `stop` is called, then return.
public struct BackgroundWork: Sendable {
    public var name: String
    public var run: @Sendable () async throws -> Void
    public var stop: @Sendable () -> Void

    public init(name: String, run: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable () -> Void) {
        self.name = name
        self.run = run
        self.stop = stop
    }
}

/// The build's version string.
public enum OctooVersion {
    public static let current = "0.1.0"
}
