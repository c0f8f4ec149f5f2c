import Foundation
import Logging
import Store
import Synchronization
import Transport
import Wire
import ZeroMQ

/// What a service's handlers work with: its configuration, database, clock, logger and clients
/// of the other services.
public final class ServiceEnvironment: Sendable {
    public let configuration: ServiceConfiguration
    public let database: ServiceDatabase
    public let clock: any ServiceClock
    public let logger: Logger
    public let context: ZeroMQ.Context
    public let startedAt: ContinuousClock.Instant
    private let clients = Mutex<[String: RPCClient]>([:])
    private let objects = Mutex<[String: any Sendable]>([:])
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

    /// One object per key for this running service, made on first use: state shared between a
    /// service's handlers and its background work.
    public func shared<Object: Sendable>(_ key: String, make: () -> Object) -> Object {
        objects.withLock { objects in
            if let object = objects[key] as? Object { return object }
            let object = make()
            objects[key] = object
            return object
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
