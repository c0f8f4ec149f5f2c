import Contracts
import ServiceKit
import Store
import Transport

/// The `opportunities` service: requests, and each provider's opportunity through to assignment.
///
/// Where things are: one handler per resource (`RequestHandlers`, `OpportunityHandlers` with its
/// reads in `OpportunityQueries`, `PolicyHandlers`); the database behind `OpportunitiesStore`
/// (queries as request extensions in `OpportunitiesRecords`, writes in `OpportunitiesWriter`);
/// the pure rules apart (`OpportunityStateMachine`, `CancellationRules`, `OpportunityMasking`).
public enum OpportunitiesService {
    /// The service's name on the bus and in events.
    public static let name = Opportunities.service

    /// Everything that makes the service what it is, for `ServiceApplication`.
    public static let definition = ServiceDefinition(
        name: name, durability: .full, migrations: OpportunitiesMigrations.register(in:)
    ) { environment in
        let store = OpportunitiesStore(environment.database)
        let handlers = Opportunities.Handlers(
            requests: RequestHandlers(store: store, environment: environment),
            opportunities: OpportunityHandlers(
                store: store, environment: environment,
                eligibility: MatchingEligibilityCheck(environment: environment, store: store)),
            policies: PolicyHandlers(store: store, environment: environment),
            settings: SettingsHandlers(store: store, environment: environment))
        // The job's start declines the request's open offers and ends an unfilled request
        // (`JobStart`); slots still open close to the start warn the partner (`UnfilledRequests`).
        let timers = JobStart.handlers(store, clock: environment.clock)
            .merging(UnfilledRequests.handlers(store, clock: environment.clock)) { first, _ in first }
        return ServiceParts(
            routes: { Opportunities.register(handlers, into: &$0) },
            background: [TimerService(environment, handlers: timers)])
    }
}
