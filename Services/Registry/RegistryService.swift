import Contracts
import ServiceKit
import Store

/// The `registry` service: the source of truth for providers, qualifications, documents,
/// availability and customers.
public enum RegistryService {
    /// The service's name on the bus and in events.
    public static let name = Registry.service

    /// Everything that makes the service what it is, for `ServiceApplication`.
    public static let definition = ServiceDefinition(
        name: name, durability: .full,
        migrations: RegistryMigrations.register(in:),
        routes: { router, environment in
            RegistryHandlers(environment: environment, expiry: scheduler(environment)).register(into: &router)
        },
        background: { environment in
            let expiry = scheduler(environment)
            return [BackgroundWork(name: "document-expiry", run: expiry.run, stop: expiry.stop)]
        })

    /// One expiry scheduler per running service, shared by the handlers and the background loop.
    private static func scheduler(_ environment: ServiceEnvironment) -> DocumentExpiryScheduler {
        environment.shared("registry.document-expiry") { DocumentExpiryScheduler(environment: environment) }
    }
}
