import Contracts
import Foundation
import GRDB
import MatchingService
import OctooTesting
import OpportunitiesService
import RegistryService
import ServiceKit
@_spi(RawDatabase) import Store
import Transport
import Wire

/// The registry, opportunities and matching in-process, with the shared partner fixture built
/// through the registry's own methods: what the tests through the bus start from.
struct MatchingSystem: Sendable {
    let system: InProcessSystem
    let registry: RPCClient
    let opportunities: RPCClient
    let rpc: RPCClient
    let fixture: PartnerFixture
    /// The first matching replica.
    let matching: ServiceApplication
    let registryApplication: ServiceApplication

    var partner: Actor { fixture.partner }
    var client: MatchingClient {
        MatchingClient(rpc, actor: partner, options: .patient(retry: .none))
    }
    var ada: Provider { fixture.providers["Ada"]! }
    var clinic: Customer { fixture.customers["Clinic"]! }

    /// A week from now, for two hours: inside the fixture's documents' year.
    static let start = Date().addingTimeInterval(7 * 86_400).rounded
    static let chicago = GeoPoint(lat: 41.88, lon: -87.63)

    /// Runs `body` against a fresh system, torn down (awaited) before returning or rethrowing.
    /// - Parameter publish: which registry events reach the bus (the rest only through catch-up).
    static func with<Result: Sendable>(
        publish: @escaping @Sendable (Event) -> Bool = { _ in true }, _ body: (MatchingSystem) async throws -> Result
    ) async throws -> Result {
        let system = try InProcessSystem()
        let result: Result
        do {
            let registryApplication = try await system.start(RegistryService.definition, shouldPublish: publish)
            try await system.start(OpportunitiesService.definition)
            let matching = try await system.start(MatchingService.definition)
            let registry = try system.client(Registry.service)
            let fixture = try await PartnerFixture.build(registry)
            let world = MatchingSystem(
                system: system, registry: registry, opportunities: try system.client(Opportunities.service),
                rpc: try system.client(Matching.service), fixture: fixture, matching: matching,
                registryApplication: registryApplication)
            result = try await body(world)
        } catch {
            await system.shutdown()
            throw error
        }
        await system.shutdown()
        return result
    }

    /// Each source's last `seq` now: a `minSeq` that makes matching answer from everything so far.
    func lastSeqs() async throws -> [String: Int64] {
        var seqs: [String: Int64] = [:]
        for source in Matching.sources {
            let client = source == Registry.service ? registry : opportunities
            seqs[source] = try await client.readEvents(source, afterSeq: 0, limit: 1).lastSeq
        }
        return seqs
    }

    /// A job for the Clinic in Chicago, a week from now.
    func job(
        customer: Customer? = nil, required: [String]? = nil, preferred: [String]? = nil, hours: Double = 2
    ) -> JobDescription {
        JobDescription(
            customerId: (customer ?? clinic).id, providerType: "asl", startsAt: Self.start,
            endsAt: Self.start.addingTimeInterval(hours * 3600), remote: false, location: Self.chicago, zone: "IL",
            requiredQualificationIds: required, preferredQualificationIds: preferred)
    }

    /// The same job as a body for `opportunities.CreateRequest`, which takes the same fields.
    func requestBody(customer: Customer? = nil) -> CreateRequestRequest {
        let job = job(customer: customer)
        return CreateRequestRequest(
            customerId: job.customerId, providerType: job.providerType, startsAt: job.startsAt, endsAt: job.endsAt,
            remote: job.remote, location: job.location, zone: job.zone)
    }

    /// Ranks `job` once matching has applied every event so far.
    func rank(_ job: JobDescription, pageSize: Int? = nil) async throws -> RankResponse {
        try await client.rank(RankRequest(job: job, minSeq: try await lastSeqs(), pageSize: pageSize))
    }

    /// Writes `count` provider events into the registry's outbox as the registry writes them
    /// (without its handlers: a thousand per transaction), for tests that need many; returns the
    /// registry's last `seq`.
    func injectProviders(_ count: Int, type: String) async throws -> Int64 {
        let database = registryApplication.environment.database
        let partner = partner.partnerId!
        var lastSeq: Int64 = 0
        for batch in stride(from: 0, to: count, by: 1000) {
            lastSeq = try await database.pool.write { db in
                let now = Date()
                for index in batch..<min(count, batch + 1000) {
                    let id = String(format: "pr-bulk-%05d", index)
                    let provider = Provider(
                        partnerId: partner, id: id, name: "Bulk", providerType: type,
                        email: "\(id)@example.org", phone: nil, location: Self.chicago, travelRadiusKm: 30,
                        zones: ["IL"],
                        active: true, version: 1, createdAt: now, updatedAt: now)
                    // Each append registers a commit hook: a thousand per transaction keeps that cheap.
                    try database.outbox.append(
                        db, type: Registry.EventType.providerUpserted, partnerId: partner, occurredAt: now,
                        data: provider)
                }
                return try database.outbox.lastSeq(db)
            }
        }
        return lastSeq
    }

    /// Another matching replica on the same bus, with its own database.
    func startReplica(_ instance: String) async throws -> (ServiceApplication, Task<Void, any Error>) {
        let configuration = ServiceConfiguration(
            service: Matching.service, endpoints: system.endpoints,
            dataDirectory: (system.dataDirectory as NSString).appendingPathComponent(instance), logLevel: .warning,
            instance: instance, eventCatchUpInterval: .milliseconds(300))
        let application = try ServiceApplication(
            definition: MatchingService.definition, configuration: configuration, context: system.context)
        return (application, Task { try await application.run() })
    }

    /// Waits until `application`'s read model has applied every source up to `seqs` (thousands of
    /// events, in some tests).
    static func waitUntilApplied(_ application: ServiceApplication, _ seqs: [String: Int64]) async throws {
        let status = { application.subscriber?.status() ?? [] }
        try await eventually("the replica applied \(seqs); it is at \(status())", timeout: Patience.bulk) {
            let applied = status()
            return seqs.allSatisfy { source, seq in
                applied.contains { $0.source == source && $0.appliedSeq >= seq }
            }
        }
    }
}

extension Date {
    /// To the whole second, as timestamps travel.
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded()) }
}
