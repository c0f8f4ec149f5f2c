import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire
import ZeroMQ

/// The event fuzzer: forged and mutated events published on the bus's event port (which, without
/// CURVE, anyone can reach) against the bus and the four real services. Plausible forgeries (the
/// next `seq`s, the real epoch, another record's data) and mutated ones (the frame fuzzer's tree,
/// byte and frame mutations, wrong topics) alike must change nothing and stop no process: every
/// subscriber ends where the sources' `ReadEvents` puts it. Replay with `OCTOO_FUZZ_SEED`; like
/// the frame fuzzer it runs only when asked.
@Suite(
    "Mutated events against the real executables", .serialized,
    .enabled(
        if: ["OCTOO_FUZZ", "OCTOO_FUZZ_SEED", "OCTOO_FUZZ_EVENTS"].contains {
            ProcessInfo.processInfo.environment[$0] != nil
        })
)
struct EventFuzzTests {
    static let eventCount = ProcessInfo.processInfo.environment["OCTOO_FUZZ_EVENTS"].flatMap { Int($0) } ?? 20_000

    /// What matching and broadcast show of the fixture partner: unchanged unless a forged event
    /// was applied.
    struct Observed: Equatable {
        var lastSeqs: [String: Int64]
        var ranked: [RankedProvider]
        var filtered: [FilteredProvider]
        var settings: RankingSettings
    }

    static func observe(_ system: ExecutableSystem, _ partner: Actor, _ job: JobDescription) async throws -> Observed {
        var lastSeqs: [String: Int64] = [:]
        for service in BusEndpoints.services { lastSeqs[service] = try await FrameFuzzTests.lastSeq(system, service) }
        let matching = MatchingClient(try system.client("matching"), actor: partner, options: .patient(retry: .none))
        let minSeq = lastSeqs.filter { Matching.sources.contains($0.key) }
        let rank = try await matching.rank(RankRequest(job: job, minSeq: minSeq, pageSize: 100))
        return Observed(
            lastSeqs: lastSeqs, ranked: rank.ranked, filtered: rank.filtered,
            settings: try await matching.getSettings().settings)
    }

    /// Waits until every subscriber has applied each of its sources up to the source's last
    /// `seq`, and is current.
    static func waitUntilSettled(_ system: ExecutableSystem) async throws {
        var last = ""
        try await eventually("every subscriber current with its sources; \(last)", timeout: Patience.bulk) {
            var settled = true
            for service in ["matching", "broadcast"] {
                let client = try system.client(service)
                defer { client.close() }
                let health = try await client.health(service, options: .patient(retry: .none))
                for source in health.events ?? [] {
                    let lastSeq = try await FrameFuzzTests.lastSeq(system, source.source)
                    #expect(source.appliedSeq <= lastSeq, "\(service) applied \(source.source) past its end")
                    if source.state != .current || source.appliedSeq != lastSeq {
                        settled = false
                        last = "\(service) at \(source.source) \(source.appliedSeq)/\(lastSeq) \(source.state)"
                    }
                }
            }
            return settled
        }
    }

    @Test func forgedAndMutatedEventsChangeNothingAndStopNoProcess() async throws {
        let seed = FrameFuzzTests.seed
        print("event fuzz: seed \(seed) (replay with OCTOO_FUZZ_SEED=\(seed)), \(Self.eventCount) events")
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            var processes = ["octoo-bus": try system.start("octoo-bus", service: false)]
            for service in BusEndpoints.services { processes[service] = try system.start(service) }
            for service in BusEndpoints.services { try await system.waitUntilServing(service) }
            let (_, partner) = try await FrameFuzzTests.world(system)
            let registry = RegistryClient(try system.client("registry"), actor: partner)
            let clinic = try #require(
                try await registry.listCustomers(ListCustomersRequest()).customers.first { $0.name == "Clinic" })
            let matching = MatchingClient(try system.client("matching"), actor: partner, options: .patient())
            _ = try await matching.setSettings(SetSettingsRequest(travelBufferMinutes: 40))
            let startsAt = try #require(Timestamp.parse("2031-03-01T09:00:00Z"))
            let job = JobDescription(
                customerId: clinic.id, providerType: "asl", startsAt: startsAt,
                endsAt: startsAt.addingTimeInterval(7200), remote: true, zone: "IL")
            try await Self.waitUntilSettled(system)
            let before = try await Self.observe(system, partner, job)

            var bases: [Event] = []
            var epochs: [String: String] = [:]
            for service in BusEndpoints.services {
                bases += try await FrameFuzzTests.events(system, service, after: 0)
                let client = try system.client(service)
                defer { client.close() }
                epochs[service] = try await client.readEvents(service, afterSeq: 0, limit: 1).epoch
            }
            #expect(Set(bases.map(\.source)) == Set(BusEndpoints.services), "every source has events to forge")
            var forger = EventForger(
                seed: seed, bases: bases, lastSeqs: before.lastSeqs, epochs: epochs)
            let publisher = try Socket(context: system.context, type: .pub)
            defer { publisher.close(lingerMs: 0) }
            try publisher.setLinger(ms: 0)
            try publisher.setSendHighWaterMark(100_000)
            try publisher.connect(system.endpoints.eventsPublish)
            // The bus's subscription reaches a new publisher after a moment: until a witness
            // sees a first event, nothing sent would be delivered.
            try await ForgedEvents.waitUntilDelivered(publisher, system.context, system.endpoints.eventsSubscribe)
            var kinds: [String: Int] = [:]
            for index in 0..<Self.eventCount {
                let forged = forger.next()
                kinds[forged.kind, default: 0] += 1
                _ = try publisher.send(forged.frames)
                // Paced, so the bus's and subscribers' queues carry them rather than drop them.
                if index % 500 == 499 { try await Task.sleep(for: .milliseconds(20)) }
            }
            print("event fuzz: seed \(seed): \(kinds.sorted { $0.key < $1.key })")

            // A genuine change after the fuzz: once every subscriber has it, it has seen the fuzz.
            _ = try await registry.createDocumentType(CreateDocumentTypeRequest(name: "after the fuzz"))
            try await Self.waitUntilSettled(system)
            for (name, process) in processes.sorted(by: { $0.key < $1.key }) {
                #expect(process.isRunning, "seed \(seed): \(name) died: \(FrameFuzzTests.crash(in: system.log(name)))")
            }
            var after = try await Self.observe(system, partner, job)
            #expect(after.lastSeqs["registry"] == before.lastSeqs["registry"]! + 1)
            after.lastSeqs["registry"] = before.lastSeqs["registry"]
            #expect(after == before, "seed \(seed): a forged event changed what the services show")
        }
    }
}

/// Makes forged events from real ones: plausible forgeries and mutated ones, with their frames.
struct EventForger {
    var mutator: FrameMutator
    let bases: [Event]
    let lastSeqs: [String: Int64]
    let epochs: [String: String]

    init(seed: UInt64, bases: [Event], lastSeqs: [String: Int64], epochs: [String: String]) {
        mutator = FrameMutator(seed: seed)
        self.bases = bases
        self.lastSeqs = lastSeqs
        self.epochs = epochs
    }

    /// The next event to publish: its frames (topic, payload) and what kind of forgery it is.
    mutating func next() -> (frames: [[UInt8]], kind: String) {
        let base = mutator.pick(bases)
        switch mutator.int(0..<10) {
        case 0..<5:
            // Plausible: the source's next seqs and epoch (or none, or another), another event's data.
            let other = mutator.pick(bases.filter { $0.source == base.source })
            let next = lastSeqs[base.source] ?? 0
            let seq = mutator.pick([next + 1, next + 2, next + 1, 1, next, next + 1000, .max, 0, -1])
            let epoch = mutator.pick([epochs[base.source], epochs[base.source], nil, "forged-epoch"])
            let partnerId = mutator.pick([base.partnerId, base.partnerId, "p-other", nil])
            let event = Event(
                source: base.source, seq: seq, type: other.type, occurredAt: base.occurredAt, partnerId: partnerId,
                data: other.data, epoch: epoch)
            let payload = (try? WireCoding.encode(event)) ?? []
            return ([Array(event.topic.utf8), LengthPrefixedFrame.encode(payload)], "plausible")
        case 5..<9:
            // The frame fuzzer's mutations of a real event, under its own topic or another.
            let json = (try? WireCoding.decode(JSONValue.self, from: WireCoding.encode(base))) ?? .null
            let bodies = bases.prefix(50).map { FuzzJSON($0.data) }
            let message = mutator.message(from: FuzzJSON(json), bodies: Array(bodies))
            let topic = mutator.chance(0.8) ? base.topic : mutator.pick(bases).topic
            return ([Array(topic.utf8)] + message.frames, "mutated")
        default:
            // The wrong shape: one frame, three, an empty topic, garbage.
            let payload = LengthPrefixedFrame.encode((try? WireCoding.encode(base)) ?? [])
            let shapes: [[[UInt8]]] = [
                [payload], [Array(base.topic.utf8), payload, payload], [[], payload],
                [Array(base.topic.utf8), [UInt8](repeating: 0xFF, count: mutator.int(0..<64))],
                [Array(base.topic.utf8), []],
            ]
            return (mutator.pick(shapes), "shape")
        }
    }
}

/// Helpers for publishing on the bus from a test.
enum ForgedEvents {
    /// Sends a harmless event (a topic nobody applies) until a SUB socket of the test receives one,
    /// so what `publisher` sends from then on is delivered.
    static func waitUntilDelivered(_ publisher: Socket, _ context: ZeroMQ.Context, _ endpoint: String) async throws {
        let witness = try Socket(context: context, type: .sub)
        defer { witness.close(lingerMs: 0) }
        try witness.setLinger(ms: 0)
        try witness.subscribe(prefix: "fuzz.")
        try witness.connect(endpoint)
        try await eventually("the bus forwarding the fuzzer's events") {
            _ = try publisher.send([Array("fuzz.ping".utf8), Array("{}".utf8)])
            return try witness.receive(dontWait: true) != nil
        }
    }
}
