import Foundation
import GRDB
import Logging
import Store
import Synchronization
import Transport
import Wire
import ZeroMQ

/// What a process's parts are made from: its configuration, database, clock, logger and clients
/// of the services.
public final class ServiceEnvironment: Sendable {
    public let configuration: ServiceConfiguration
    public let database: ServiceDatabase
    public let clock: any ServiceClock
    public let logger: Logger
    public let context: ZeroMQ.Context
    public let startedAt: ContinuousClock.Instant
    private let clients = Mutex<[String: RPCClient]>([:])
    private let eventStatus = Mutex<(@Sendable () -> [EventSourceStatus])?>(nil)

    init(
        configuration: ServiceConfiguration, database: ServiceDatabase, clock: any ServiceClock, logger: Logger,
        context: ZeroMQ.Context
    ) {
        self.configuration = configuration
        self.database = database
        self.clock = clock
        self.logger = logger
        self.context = context
        self.startedAt = .now
    }

    /// A client of `service` through the bus, made on first use and shared.
    public func client(_ service: String) throws -> RPCClient {
        try clients.withLock { clients in
            if let client = clients[service] { return client }
            let client = try RPCClient(
                context: context, endpoint: configuration.endpoints.client(service),
                maxMessageBytes: configuration.maxMessageBytes, logger: logger)
            clients[service] = client
            return client
        }
    }

    /// Where the service's event subscription stands with each source it consumes (empty when it
    /// consumes none): for handlers that report it, such as a read model's status.
    public func eventSources() -> [EventSourceStatus] {
        eventStatus.withLock { $0 }?() ?? []
    }

    func reportEventSources(_ status: @escaping @Sendable () -> [EventSourceStatus]) {
        eventStatus.withLock { $0 = status }
    }

    func closeClients() {
        clients.withLock { clients in
            for client in clients.values { client.close() }
            clients.removeAll()
        }
    }
}

extension ServiceEnvironment {
    /// Opens the process's database (running its migrations) and makes its environment.
    static func open(
        name: String, durability: Durability, tuning: DatabaseTuning,
        migrations: @escaping @Sendable (inout DatabaseMigrator) -> Void, configuration: ServiceConfiguration,
        context: ZeroMQ.Context, clock: (any ServiceClock)?, logger: Logger?
    ) throws -> ServiceEnvironment {
        var logger = logger ?? Logger(label: "octoo.\(name)")
        logger.logLevel = configuration.logLevel
        logger[metadataKey: "service"] = "\(name)"
        let clock = clock ?? (configuration.manualClock ? ManualClock() : SystemClock())
        let database = try ServiceDatabase(
            path: configuration.databasePath, source: name, durability: durability,
            idempotencyRetention: configuration.idempotencyRetention, now: { clock.now }, tuning: tuning,
            migrations: migrations)
        return ServiceEnvironment(
            configuration: configuration, database: database, clock: clock, logger: logger, context: context)
    }

    /// The subscription to `events`' sources (nil without any), reported by `eventSources()`.
    func subscriber(for events: EventHandling?) throws -> EventSubscriber? {
        guard let events, !events.sources.isEmpty else { return nil }
        var sources: [String: RPCClient] = [:]
        for source in events.sources { sources[source] = try client(source) }
        let subscriber = try EventSubscriber(
            context: context, endpoint: configuration.endpoints.eventsSubscribe, sources: sources, database: database,
            idleCatchUp: configuration.eventCatchUpInterval,
            trust: PublishedEventTrust(curve: configuration.curve != nil),
            maxMessageBytes: configuration.maxMessageBytes, logger: logger, reset: events.reset, apply: events.apply)
        reportEventSources { subscriber.status() }
        return subscriber
    }
}
