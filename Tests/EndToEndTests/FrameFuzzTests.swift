import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// The frame fuzzer: bad input at scale. A seeded stream of mutated envelopes (100,000 frames by
/// default) against the bus and the four real services; replay a run with `OCTOO_FUZZ_SEED`.
/// It keeps both cores busy for a minute, which would starve the suites running beside it: it runs
/// only when asked (`OCTOO_FUZZ=1`, or a seed or frame count given), as `.ci/test` does, alone.
@Suite(
    "Mutated frames against the real executables", .serialized,
    .enabled(
        if: ["OCTOO_FUZZ", "OCTOO_FUZZ_SEED", "OCTOO_FUZZ_FRAMES"].contains {
            ProcessInfo.processInfo.environment[$0] != nil
        })
)
struct FrameFuzzTests {
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["OCTOO_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? UInt64.random(in: 0...UInt64(UInt32.max))
    static let frameCount = ProcessInfo.processInfo.environment["OCTOO_FUZZ_FRAMES"].flatMap { Int($0) } ?? 100_000

    @Test func everyFrameIsAnsweredWellFormedAndNothingRefusedIsWritten() async throws {
        let seed = Self.seed
        print("frame fuzz: seed \(seed) (replay with OCTOO_FUZZ_SEED=\(seed)), \(Self.frameCount) frames")
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            var processes = ["octoo-bus": try system.start("octoo-bus", service: false)]
            for service in BusEndpoints.services { processes[service] = try system.start(service) }
            for service in BusEndpoints.services { try await system.waitUntilServing(service) }
            let (corpus, partner) = try await Self.world(system)
            let described = APIReference.described.flatMap { $0.methods.map(\.name) }
            #expect(Set(corpus.bases.map(\.method)).isSuperset(of: described), "a described method is not fuzzed")
            var baseline: [String: Int64] = [:]
            for service in BusEndpoints.services {
                baseline[service] = try await Self.lastSeq(system, service)
            }

            var endpoints: [String: String] = [:]
            for service in BusEndpoints.services { endpoints[service] = system.endpoints.client(service) }
            let pump = FuzzPump(seed: seed, frameCount: Self.frameCount, corpus: corpus, endpoints: endpoints)
            let outcome = try await pump.run(context: system.context)
            print(
                "frame fuzz: seed \(seed): \(outcome.sent) frames in \(outcome.duration), \(outcome.answered) answered, "
                    + "\(outcome.okWrites) writes answered OK; codes \(outcome.codes.sorted { $0.key < $1.key })"
            )
            #expect(outcome.sent == Self.frameCount)
            #expect(outcome.answered == outcome.sent, "seed \(seed)")
            #expect(
                outcome.problemCount == 0,
                "seed \(seed): \(outcome.problemCount) problems:\n\(outcome.problems.joined(separator: "\n"))")
            for (name, process) in processes.sorted(by: { $0.key < $1.key }) {
                #expect(process.isRunning, "seed \(seed): \(name) died: \(Self.crash(in: system.log(name)))")
            }
            // Every process still answers a valid call.
            for service in BusEndpoints.services {
                let client = try system.client(service)
                defer { client.close() }
                #expect(try await client.health(service).status == .serving, "seed \(seed): \(service)")
            }
            let registry = RegistryClient(try system.client("registry"), actor: partner)
            let ada = try await registry.getProvider(GetProviderRequest(id: corpus.ada)).provider
            #expect(ada.name == "Ada")

            // Nothing a refused request sent was written: every new event belongs to a tenant
            // named in a request that was answered OK.
            for service in BusEndpoints.services {
                let events = try await Self.events(system, service, after: baseline[service]!)
                let unexplained = events.filter { !outcome.writtenBy.contains($0.partnerId ?? "") }
                let examples = unexplained.prefix(3).map { event in
                    let frame = Int((event.partnerId ?? "").dropFirst(2)) ?? -1
                    return "\(event.type) for \(event.partnerId ?? "nil") (frame \(frame) answered "
                        + "\(outcome.answers[frame] ?? "nothing"), mutations \(outcome.mutations[frame] ?? []): "
                        + "\(String(decoding: pump.regenerate(frame).last ?? [], as: UTF8.self).debugDescription))"
                }
                #expect(
                    unexplained.isEmpty,
                    "seed \(seed): \(service) wrote \(unexplained.count) events no OK request explains, e.g. \(examples)"
                )
            }
        }
    }

    /// The fixture partner `p-fuzz`, a request of its School (broadcast not started by itself)
    /// and an offer to Ada on it; the corpus built on their ids.
    static func world(_ system: ExecutableSystem) async throws -> (FuzzCorpus, Actor) {
        let fixture = try await PartnerFixture.build(try system.client("registry"), partnerId: "p-fuzz")
        let partner = fixture.partner
        let broadcast = BroadcastClient(try system.client("broadcast"), actor: partner)
        _ = try await broadcast.setPolicy(
            SetPolicyRequest(bands: [PolicyBand(minLeadHours: 0, waveSize: 0, intervalMinutes: 30)], autoStart: false))
        let opportunities = OpportunitiesClient(try system.client("opportunities"), actor: partner)
        let startsAt = try #require(Timestamp.parse("2031-03-01T09:00:00Z"))
        let request = try await opportunities.createRequest(
            CreateRequestRequest(
                customerId: fixture.customers["School"]!.id, providerType: "asl", startsAt: startsAt,
                endsAt: startsAt.addingTimeInterval(7200), remote: true, zone: "IL")
        ).request
        let offer = try await opportunities.offer(
            OfferRequest(requestId: request.id, providerId: fixture.providers["Ada"]!.id))
        return (FuzzCorpus(fixture: fixture, requestId: request.id, opportunityId: offer.opportunity.id), partner)
    }

    /// Where a log tells why its process ended: from the first fatal error or crash line on.
    static func crash(in log: String) -> String {
        let start = ["Fatal error", "Crash", "💣"].compactMap { log.range(of: $0)?.lowerBound }.min()
        return String(log[(start ?? log.index(log.endIndex, offsetBy: -min(2000, log.count)))...].prefix(4000))
    }

    static func lastSeq(_ system: ExecutableSystem, _ service: String) async throws -> Int64 {
        let client = try system.client(service)
        defer { client.close() }
        return try await client.readEvents(service, afterSeq: 0, limit: 1).lastSeq
    }

    /// Every event of `service` after `seq`, page by page.
    static func events(_ system: ExecutableSystem, _ service: String, after seq: Int64) async throws -> [Event] {
        let client = try system.client(service)
        defer { client.close() }
        var events: [Event] = []
        var after = seq
        while true {
            let page = try await client.readEvents(service, afterSeq: after, limit: 1000)
            events += page.events
            guard let last = page.events.last, last.seq < page.lastSeq else { return events }
            after = last.seq
        }
    }
}
