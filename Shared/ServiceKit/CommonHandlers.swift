import Foundation
@_spi(RawDatabase) import Store
import Transport
import Wire

/// `Health`, `Describe`, `ReadEvents` and `SetClock`: PROTOCOL §5, the same for every service.
enum CommonHandlers {
    /// - Parameter events: per consumed source, where the subscriber stands (nil: consumes none).
    static func register(
        into router: inout RPCRouter, environment: ServiceEnvironment, version: String,
        isServing: @escaping @Sendable () -> Bool, events: @escaping @Sendable () -> [EventSourceHealth]?
    ) {
        let service = router.service
        router.register(CommonMethods.health(service)) { _, _ in
            let events = events()
            // A source that cannot be applied leaves the service's data stale: not serving.
            let stuck = events?.contains { $0.state == .failing || $0.state == .dataLoss } ?? false
            return HealthResponse(
                status: isServing() && !stuck ? .serving : .notServing, service: service,
                instance: environment.configuration.instance, version: version,
                uptimeSeconds: (ContinuousClock.now - environment.startedAt).components.seconds, events: events,
                now: environment.clock.now, clock: environment.clock is ManualClock ? .manual : .system)
        }
        router.register(CommonMethods.readEvents(service)) { request, context in
            try request.validate()
            // A partner reads only its own tenant's events; a service reads them all.
            let tenant = context.actor?.role == .service ? nil : try context.partnerId()
            let outbox = environment.database.outbox
            let maxBytes = ReadEventsResponse.eventBytes(maxMessageBytes: environment.configuration.maxMessageBytes)
            return try await environment.database.pool.read { db in
                ReadEventsResponse(
                    events: try outbox.read(
                        db, afterSeq: request.afterSeq, limit: request.limit, partnerId: tenant, maxBytes: maxBytes),
                    lastSeq: try outbox.lastSeq(db, partnerId: tenant), epoch: outbox.epoch)
            }
        }
        router.register(CommonMethods.setClock(service)) { request, _ in
            guard let clock = environment.clock as? ManualClock else {
                throw RPCError(
                    .failedPrecondition, "\(service) runs on the system clock; start it with --manual-clock to set it")
            }
            try await clock.set(request.now)
            return SetClockResponse(now: clock.now)
        }
        // Describe lists every method, itself included, so it is registered last.
        let describe = CommonMethods.describe(service)
        let catalogue = (router.catalogue + [MethodInfo(describe)]).sorted { $0.name < $1.name }
        router.register(describe) { _, _ in
            DescribeResponse(
                service: service, protocolVersion: DescribeResponse.currentProtocolVersion, methods: catalogue)
        }
    }
}
