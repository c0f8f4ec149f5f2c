import GRDB
import ServiceLifecycle
import Store

/// What makes a client-only process what it is (a gateway, a notifier): it calls services and
/// consumes their events, and keeps its own SQLite file, but takes no calls from the bus.
/// `ClientApplication` supplies configuration, bus clients, the subscription and the lifecycle.
public struct ClientDefinition: Sendable {
    /// The process's name in `ServiceCatalogue`.
    public var name: String
    /// `synchronous` level of its SQLite file.
    public var durability: Durability
    /// Registers the process's own migrations (after the shared ones). Never edit a shipped one.
    public var migrations: @Sendable (inout DatabaseMigrator) -> Void
    /// Puts the process together from its environment, once: the events it consumes and its work.
    public var assemble: @Sendable (ServiceEnvironment) throws -> ClientParts

    public init(
        name: String, durability: Durability,
        migrations: @escaping @Sendable (inout DatabaseMigrator) -> Void = { _ in },
        assemble: @escaping @Sendable (ServiceEnvironment) throws -> ClientParts
    ) {
        self.name = name
        self.durability = durability
        self.migrations = migrations
        self.assemble = assemble
    }
}

/// A client-only process once put together: what it consumes, and its work (an HTTP server, a
/// mail sender…) as plain `Service`s.
public struct ClientParts: Sendable {
    /// The events it consumes and how it applies them (nil: it consumes none).
    public var events: EventHandling?
    /// Its work, each ending on graceful shutdown and on cancellation.
    public var services: [any Service]

    public init(events: EventHandling? = nil, services: [any Service] = []) {
        self.events = events
        self.services = services
    }
}
