import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Transport
import Wire
import ZeroMQ

/// One running service: its database, clock, RPC server (domain and common methods), outbox
/// relay, event subscription and background work, run as a `ServiceGroup`.
///
/// The parts start together; shutdown goes in reverse order of the list (background work,
/// subscriber, server, relay), so in-flight calls are answered and their events published
/// before the bus sockets close.
public final class ServiceApplication: Sendable {
    public let definition: ServiceDefinition
    public let environment: ServiceEnvironment
    let server: RPCServer
    let relay: OutboxRelay
    /// The service's event subscription, when it consumes other services' events.
    public let subscriber: EventSubscriber?
    let background: [BackgroundWork]
    let group = Mutex<ServiceGroup?>(nil)
    let serving = ServingFlag()

    /// Opens the database and prepares every part; nothing connects until `run()`.
    /// - Parameter context: the ZeroMQ context (share one with an in-process bus for `inproc://`).
    public init(
        definition: ServiceDefinition, configuration: ServiceConfiguration, context: ZeroMQ.Context,
        clock: (any ServiceClock)? = nil, logger: Logger? = nil,
        shouldPublish: @escaping @Sendable (Event) -> Bool = { _ in true }
    ) throws {
        var logger = logger ?? Logger(label: "octoo.\(definition.name)")
        logger.logLevel = configuration.logLevel
        logger[metadataKey: "service"] = "\(definition.name)"
        self.definition = definition
        let clock = clock ?? (configuration.manualClock ? ManualClock() : SystemClock())
        let database = try ServiceDatabase(
            path: configuration.databasePath, source: definition.name, durability: definition.durability,
            idempotencyRetention: configuration.idempotencyRetention, now: { clock.now },
            tuning: definition.databaseTuning, migrations: definition.migrations)
        let environment = ServiceEnvironment(
            configuration: configuration, database: database, clock: clock, logger: logger, context: context)
        self.environment = environment

        let subscriber: EventSubscriber?
        if let apply = definition.applyEvent, !definition.subscriptions.isEmpty {
            var sources: [String: RPCClient] = [:]
            for source in definition.subscriptions { sources[source] = try environment.client(source) }
            subscriber = try EventSubscriber(
                context: context, endpoint: configuration.endpoints.eventsSubscribe, sources: sources,
                database: database, idleCatchUp: configuration.eventCatchUpInterval, logger: logger,
                reset: definition.resetSource, apply: apply)
        } else {
            subscriber = nil
        }
        self.subscriber = subscriber
        if let subscriber { environment.reportEventSources { subscriber.status() } }

        var router = RPCRouter(service: definition.name)
        definition.routes(&router, environment)
        let serving = self.serving
        CommonHandlers.register(
            into: &router, environment: environment, version: definition.version,
            isServing: { serving.isServing }, events: { subscriber?.status().map(\.health) })
        server = try RPCServer(
            context: context,
            configuration: RPCServerConfiguration(
                endpoint: configuration.endpoints.worker(definition.name), instance: configuration.instance,
                maxInFlight: configuration.maxInFlight, maxMessageBytes: configuration.maxMessageBytes,
                drainTimeout: configuration.drainTimeout, handlerExecutor: definition.handlerExecutor,
                heartbeatInterval: configuration.heartbeatInterval,
                startsReady: !(definition.readyAfterCatchUp && subscriber != nil)),
            router: router, logger: logger)
        relay = try OutboxRelay(
            context: context, endpoint: configuration.endpoints.eventsPublish, database: database, logger: logger,
            shouldPublish: shouldPublish)
        // Every service keeps idempotency records, so every service sweeps them.
        let sweep = IdempotencySweep(database: database, clock: clock, logger: logger)
        var parts = [sweep.work]
        if definition.readyAfterCatchUp, let subscriber {
            let readiness = Readiness(
                subscriber: subscriber, server: server, logger: logger, interval: .milliseconds(100))
            let stopped = ServingFlag()
            parts.append(
                BackgroundWork(
                    name: "readiness", run: { await readiness.run { !stopped.isServing } }, stop: { stopped.stop() }))
        }
        background = parts + definition.background(environment)
    }

    /// Runs until a graceful shutdown: from `shutdown()`, from task cancellation, or (when
    /// `handleSignals`) from SIGTERM/SIGINT. Returns once everything has stopped.
    public func run(handleSignals: Bool = false) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: Part(name: "relay", run: relay.run, stop: relay.stop)),
            .init(
                service: Part(
                    name: "rpc", run: server.run,
                    stop: { [serving, server] in
                        serving.stop()
                        server.shutdown()
                    })),
        ]
        if let subscriber {
            services.append(
                .init(service: Part(name: "events", run: { await subscriber.run() }, stop: subscriber.stop)))
        }
        for work in background {
            services.append(.init(service: Part(name: work.name, run: work.run, stop: work.stop)))
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: environment.logger)
        if handleSignals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        let group = ServiceGroup(configuration: configuration)
        self.group.withLock { $0 = group }
        defer { environment.closeClients() }
        let watch = SupervisorWatch.watch(logger: environment.logger) { await group.triggerGracefulShutdown() }
        defer { watch?.cancel() }
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
        // A clean stop folds the WAL into the database file, so the file alone holds every commit.
        do {
            _ = try await environment.database.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try environment.database.pool.close()
        } catch {
            environment.logger.warning("database did not close cleanly", metadata: ["error": "\(error)"])
        }
        environment.logger.info("stopped")
    }

    /// Starts a graceful shutdown; `run()` returns when it is complete.
    public func shutdown() async {
        let group = self.group.withLock { $0 }
        await group?.triggerGracefulShutdown()
    }
}

/// Adapts a run/stop pair to swift-service-lifecycle: graceful shutdown calls `stop`, and `run`
/// returns once the part has finished its work.
struct Part: Service, CustomStringConvertible {
    let name: String
    let run: @Sendable () async throws -> Void
    let stop: @Sendable () -> Void

    var description: String { name }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await run()
        } onGracefulShutdown: {
            stop()
        }
    }
}

/// Whether the service still takes work; `Health` reports NOT_SERVING once shutdown begins.
final class ServingFlag: Sendable {
    private let value = Atomic<Bool>(true)
    var isServing: Bool { value.load(ordering: .relaxed) }
    func stop() { value.store(false, ordering: .relaxed) }
}
