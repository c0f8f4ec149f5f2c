import GRDB
import Store
import Transport
import Wire

/// What makes one bus worker what it is; `ServiceApplication` supplies everything else (bus
/// sockets, database, common methods, event relay and subscription, lifecycle).
public struct ServiceDefinition: Sendable {
    /// The service's name in `ServiceCatalogue`.
    public var name: String
    /// Reported by `Health`.
    public var version: String
    /// `synchronous` level of its SQLite file.
    public var durability: Durability
    /// How its SQLite connections are tuned (a read model maps its file and caches more).
    public var databaseTuning: DatabaseTuning
    /// Registers the service's own migrations (after the shared ones). Never edit a shipped one.
    public var migrations: @Sendable (inout DatabaseMigrator) -> Void
    /// Where handler tasks run unless a method chose otherwise: `.global` for a service whose
    /// handlers compute for long, so its I/O thread keeps answering `Health` and heartbeats.
    public var handlerExecutor: RPCServerConfiguration.HandlerExecutor
    /// Whether the worker takes requests only once every subscribed source has caught up (a read
    /// model such as matching's): until then it announces no credit, so the bus sends it nothing.
    public var readyAfterCatchUp: Bool
    /// Puts the service together from its environment, once per running service: its routes,
    /// how it applies the events it consumes, and its background work.
    public var assemble: @Sendable (ServiceEnvironment) throws -> ServiceParts

    public init(
        name: String, version: String = OctooVersion.current, durability: Durability,
        databaseTuning: DatabaseTuning = .standard,
        migrations: @escaping @Sendable (inout DatabaseMigrator) -> Void = { _ in },
        handlerExecutor: RPCServerConfiguration.HandlerExecutor = .ioThread, readyAfterCatchUp: Bool = false,
        assemble: @escaping @Sendable (ServiceEnvironment) throws -> ServiceParts
    ) {
        self.name = name
        self.version = version
        self.durability = durability
        self.databaseTuning = databaseTuning
        self.migrations = migrations
        self.handlerExecutor = handlerExecutor
        self.readyAfterCatchUp = readyAfterCatchUp
        self.assemble = assemble
    }
}

/// The build's version string.
public enum OctooVersion {
    public static let current = "0.1.0"
}
