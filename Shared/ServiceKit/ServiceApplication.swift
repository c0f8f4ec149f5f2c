import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Transport
import Wire
import ZeroMQ

/// One running bus worker: its database, clock, RPC server (domain and common methods), outbox
/// relay, event subscription and background work, put together in one step and run as a
/// `ServiceGroup`.
///
/// The parts start in order; shutdown goes in reverse (background work, subscriber, server,
/// relay), so in-flight calls are answered and their events published before the bus sockets
/// close.
public final class ServiceApplication: Sendable {
    /// What the service is.
    public let definition: ServiceDefinition
    /// What its parts were made from.
    public let environment: ServiceEnvironment
    /// The service's event subscription, when it consumes other services' events.
    public let subscriber: EventSubscriber?
    /// Every part, in start order.
    let services: [any Service]
    let lifecycle = ProcessLifecycle()

    /// Opens the database and puts every part together; nothing connects until `run()`.
    /// - Parameter context: the ZeroMQ context (share one with an in-process bus for `inproc://`).
    public init(
        definition: ServiceDefinition, configuration: ServiceConfiguration, context: ZeroMQ.Context,
        clock: (any ServiceClock)? = nil, logger: Logger? = nil,
        shouldPublish: @escaping @Sendable (Event) -> Bool = { _ in true }
    ) throws {
        self.definition = definition
        let environment = try ServiceEnvironment.open(
            name: definition.name, durability: definition.durability, tuning: definition.databaseTuning,
            migrations: definition.migrations, configuration: configuration, context: context, clock: clock,
            logger: logger)
        self.environment = environment
        let parts = try definition.assemble(environment)
        let subscriber = try environment.subscriber(for: parts.events)
        self.subscriber = subscriber

        let serving = ServingFlag()
        var router = RPCRouter(service: definition.name)
        parts.routes(&router)
        CommonHandlers.register(
            into: &router, environment: environment, version: definition.version,
            isServing: { serving.isServing }, events: { subscriber?.status().map(\.health) })
        let server = try RPCServer(
            context: context,
            configuration: RPCServerConfiguration(
                endpoint: configuration.endpoints.worker(definition.name), instance: configuration.instance,
                maxInFlight: configuration.maxInFlight, maxMessageBytes: configuration.maxMessageBytes,
                drainTimeout: configuration.drainTimeout, handlerExecutor: definition.handlerExecutor,
                heartbeatInterval: configuration.heartbeatInterval,
                startsReady: !(definition.readyAfterCatchUp && subscriber != nil)),
            router: router, logger: environment.logger)
        let relay = try OutboxRelay(
            context: context, endpoint: configuration.endpoints.eventsPublish, database: environment.database,
            logger: environment.logger, shouldPublish: shouldPublish)
        var services: [any Service] = [relay, server]
        if let subscriber { services.append(subscriber) }
        // Every service keeps idempotency records, so every service sweeps them.
        services.append(
            IdempotencySweep(database: environment.database, clock: environment.clock, logger: environment.logger))
        if definition.readyAfterCatchUp, let subscriber {
            services.append(
                Readiness(
                    subscriber: subscriber, server: server, logger: environment.logger, interval: .milliseconds(100)))
        }
        // Last, so the first to stop: `Health` says NOT_SERVING as soon as shutdown begins.
        self.services = services + parts.background + [serving]
    }

    /// Runs until a graceful shutdown: from `shutdown()`, from task cancellation, or (when
    /// `handleSignals`) from SIGTERM/SIGINT. Returns once everything has stopped.
    public func run(handleSignals: Bool = false) async throws {
        try await lifecycle.run(services, environment: environment, handleSignals: handleSignals)
    }

    /// Starts a graceful shutdown; `run()` returns when it is complete.
    public func shutdown() async {
        await lifecycle.shutdown()
    }
}

/// Whether the service still takes work, for `Health`: a `Service` of its own, stopped first, so
/// NOT_SERVING is reported once shutdown begins.
final class ServingFlag: Service {
    private let value = Atomic<Bool>(true)
    var isServing: Bool { value.load(ordering: .relaxed) }

    func run() async throws {
        defer { value.store(false, ordering: .relaxed) }
        try await gracefulShutdown()
    }
}
