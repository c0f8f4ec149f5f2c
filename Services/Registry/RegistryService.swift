import Contracts
import ServiceKit
import Store
import Transport

/// The `registry` service: the source of truth for providers, qualifications, documents,
/// availability and customers.
public enum RegistryService {
    /// The service's name on the bus and in events.
    public static let name = Registry.service

    /// Everything that makes the service what it is, for `ServiceApplication`: the handlers per
    /// resource, and document expiry fired by the shared durable timers, on one store.
    public static let definition = ServiceDefinition(
        name: name, durability: .full, migrations: RegistryMigrations.register(in:)
    ) { environment in
        let store = RegistryStore(environment.database)
        let handlers = handlers(store, environment)
        return ServiceParts(
            routes: { Registry.register(handlers, into: &$0) },
            background: [TimerService(environment, handlers: store.timerHandlers(clock: environment.clock))])
    }

    /// One handler per resource, all on the same store and clock.
    static func handlers(_ store: RegistryStore, _ environment: ServiceEnvironment) -> Registry.Handlers {
        let clock = environment.clock
        let maxReplyBytes = environment.configuration.maxMessageBytes
        return Registry.Handlers(
            documentTypes: DocumentTypeHandlers(store: store, clock: clock, maxReplyBytes: maxReplyBytes),
            qualifications: QualificationHandlers(store: store, clock: clock, maxReplyBytes: maxReplyBytes),
            providers: ProviderHandlers(store: store, clock: clock, maxReplyBytes: maxReplyBytes),
            documents: DocumentHandlers(store: store, clock: clock),
            badges: BadgeHandlers(store: store, clock: clock),
            availability: AvailabilityHandlers(store: store, clock: clock, maxReplyBytes: maxReplyBytes),
            customers: CustomerHandlers(store: store, clock: clock, maxReplyBytes: maxReplyBytes),
            vocabulary: VocabularyHandlers(store: store, clock: clock),
            erasure: ErasureHandlers(store: store, clock: clock))
    }
}
