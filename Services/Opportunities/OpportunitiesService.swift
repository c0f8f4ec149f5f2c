import Contracts
import ServiceKit
import Store

/// The `opportunities` service: requests, and each provider's opportunity through to assignment.
public enum OpportunitiesService {
    /// The service's name on the bus and in events.
    public static let name = Opportunities.service

    /// Everything that makes the service what it is, for `ServiceApplication`.
    public static let definition = ServiceDefinition(
        name: name, durability: .full,
        migrations: OpportunitiesMigrations.register(in:),
        routes: { router, environment in
            OpportunitiesHandlers(environment: environment).register(into: &router)
        })
}
