import Foundation
import Logging
import ServiceLifecycle
import Store
import Transport
import ZeroMQ

/// One running client-only process (a gateway, a notifier): its database, clock, bus clients,
/// event subscription and work, put together in one step and run as a `ServiceGroup`, with no
/// worker socket: the bus sends it nothing. Its work stops before its subscription.
public final class ClientApplication: Sendable {
    /// What the process is.
    public let definition: ClientDefinition
    /// What its parts were made from.
    public let environment: ServiceEnvironment
    /// The process's event subscription, when it consumes services' events.
    public let subscriber: EventSubscriber?
    let services: [any Service]
    let lifecycle = ProcessLifecycle()

    /// Opens the database and puts every part together; nothing connects until `run()`.
    /// - Parameter context: the ZeroMQ context (share one with an in-process bus for `inproc://`).
    public init(
        definition: ClientDefinition, configuration: ServiceConfiguration, context: ZeroMQ.Context,
        clock: (any ServiceClock)? = nil, logger: Logger? = nil
    ) throws {
        self.definition = definition
        let environment = try ServiceEnvironment.open(
            name: definition.name, durability: definition.durability, tuning: .standard,
            migrations: definition.migrations, configuration: configuration, context: context, clock: clock,
            logger: logger)
        self.environment = environment
        let parts = try definition.assemble(environment)
        subscriber = try environment.subscriber(for: parts.events)
        services = (subscriber.map { [$0] } ?? []) + parts.services
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
