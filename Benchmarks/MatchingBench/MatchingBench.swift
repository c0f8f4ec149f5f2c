import ArgumentParser
import Contracts
import Foundation
import MatchingService
import OctooTesting
import OpportunitiesService
import RegistryService
import ServiceKit
@_spi(RawDatabase) import Store
import Transport
import Wire

/// `octoo-matching-bench`: a synthetic partner loaded into the registry's and opportunities'
/// outboxes, matching rebuilt from them through the bus, then `Rank` timed in-process, against
/// the naive baseline in the same run, and through the bus with one and two replicas.
@main
struct MatchingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoo-matching-bench", abstract: "Measures matching's Rank and rebuild on a synthetic partner.")

    @Option(help: "Providers of the synthetic partner.")
    var providers = 10_000
    @Option(help: "Rank calls timed in-process (after 20 to warm up).")
    var iterations = 300
    @Option(help: "Calls timed for the naive baseline (each one also checks it answers the same).")
    var naiveIterations = 20
    @Option(help: "Rank calls timed through the bus, one at a time.")
    var busIterations = 200
    @Option(help: "Seconds of concurrent Rank calls through the bus, with one replica and then two.")
    var throughputSeconds = 5.0
    @Option(help: "Seed of the synthetic partner.")
    var seed: UInt64 = 42
    @Option(help: "Copy matching's database here once rebuilt (to study its queries).")
    var keepDatabase: String?

    func run() async throws {
        print("## \(providers) providers — \(ISO8601DateFormatter().string(from: Date()))")
        print("machine: \(Machine.describe())")
        let system = try InProcessSystem()
        do {
            try await measure(system)
        } catch {
            await system.shutdown()
            throw error
        }
        await system.shutdown()
    }

    func measure(_ system: InProcessSystem) async throws {
        let partner = SyntheticPartner(providers: providers, seed: seed, now: Date())
        let (matching, seqs) = try await rebuild(partner, system)
        let ranking = ReadModelRanking(database: matching.environment.database)
        let requests = partner.jobs(count: iterations + 20, seed: seed &+ 1).map { RankRequest(job: $0) }
        let cpuPerCall = try await rankInProcess(ranking, requests, partner: partner.partnerId)
        try await rankNaively(ranking, requests, partner: partner.partnerId, indexedCPU: cpuPerCall)
        let afterRank = Memory.resident()
        print("RSS after ranking: \(Int(afterRank.now)) MiB (peak \(Int(afterRank.peak)) MiB)")

        let actor = Actor(role: .partner, partnerId: partner.partnerId, id: "bench")
        let client = MatchingClient(try system.client(Matching.service), actor: actor)
        var bus = Latencies()
        for (index, request) in requests.prefix(busIterations + 20).enumerated() {
            let start = ContinuousClock.now
            _ = try await client.rank(request)
            if index >= 20 { bus.record(ContinuousClock.now - start) }
        }
        print(
            "through the bus (inproc), one at a time: p50 \(ms(bus.p50)) p99 \(ms(bus.p99)), "
                + "\(bus.samples.count) calls")
        let one = try await throughput(system, requests, actor: actor)
        let second = try await startReplica(system, copying: matching)
        try await waitUntilApplied(second.application, seqs)
        let two = try await throughput(system, requests, actor: actor)
        print(
            "through the bus, 8 in flight: 1 replica \(Int(one)) calls/s, 2 replicas \(Int(two)) calls/s "
                + "(\(String(format: "%.2f", two / one))×), both in this process on "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        await second.application.shutdown()
        try await second.task.value
        print("load average at the end: \(Machine.loadAverage())")
    }

    /// Loads the sources, starts them and matching, and times matching's catch-up from nothing.
    func rebuild(
        _ partner: SyntheticPartner, _ system: InProcessSystem
    ) async throws -> (ServiceApplication, [String: Int64]) {
        var started = ContinuousClock.now
        let sources = [RegistryService.definition, OpportunitiesService.definition]
        try FileManager.default.createDirectory(atPath: system.dataDirectory, withIntermediateDirectories: true)
        let seqs = try SourceLoader.load(partner, into: system.dataDirectory, definitions: sources)
        let total = seqs.values.reduce(0, +)
        let perSource = seqs.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")
        print("events: \(total) (\(perSource)), generated in \(format(ContinuousClock.now - started))")
        for definition in sources { try await system.start(definition) }
        let before = Memory.resident()
        started = .now
        let matching = try await system.start(MatchingService.definition, waitUntilServing: false)
        try await waitUntilApplied(matching, seqs)
        let rebuild = ContinuousClock.now - started
        let after = Memory.resident()
        print(
            "rebuild through the bus: \(format(rebuild)) (\(Int(Double(total) / rebuild.seconds)) events/s); "
                + "RSS \(Int(before.now)) → \(Int(after.now)) MiB")
        if let keepDatabase {
            _ = try await matching.environment.database.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try? FileManager.default.removeItem(atPath: keepDatabase)
            try FileManager.default.copyItem(atPath: matching.environment.database.path, toPath: keepDatabase)
        }
        return (matching, seqs)
    }

    /// Times `Rank` straight from the read model; returns the process's CPU milliseconds per call.
    func rankInProcess(_ ranking: ReadModelRanking, _ requests: [RankRequest], partner: String) async throws -> Double {
        var latencies = Latencies()
        var ranked = 0
        var cpuStart = ProcessCPU.now()
        for (index, request) in requests.enumerated() {
            if index == 20 { cpuStart = ProcessCPU.now() }
            let start = ContinuousClock.now
            let reply = try await ranking.rank(request, partner: partner)
            if index >= 20 { latencies.record(ContinuousClock.now - start) }
            ranked += reply.counts.ranked
        }
        let cpu = (ProcessCPU.now() - cpuStart).milliseconds / Double(max(1, latencies.samples.count))
        print(
            "in-process Rank: p50 \(ms(latencies.p50)) p99 \(ms(latencies.p99)), \(ms(cpu)) CPU per call, "
                + "\(latencies.samples.count) calls (\(ranked / requests.count) ranked per call on average)")
        return cpu
    }

    /// Times the naive baseline on the first calls, checking each answers as the indexed ranking does.
    func rankNaively(
        _ ranking: ReadModelRanking, _ requests: [RankRequest], partner: String, indexedCPU: Double
    ) async throws {
        var naive = Latencies()
        var indexed = Latencies()
        var naiveCPU = Duration.zero
        for request in requests.prefix(naiveIterations) {
            var start = ContinuousClock.now
            let fast = try await ranking.rank(request, partner: partner)
            indexed.record(ContinuousClock.now - start)
            start = .now
            let cpu = ProcessCPU.now()
            let baseline = try await ranking.rankNaively(request, partner: partner)
            naive.record(ContinuousClock.now - start)
            naiveCPU += ProcessCPU.now() - cpu
            guard baseline.ranked == fast.ranked, baseline.filtered == fast.filtered, baseline.counts == fast.counts
            else { throw ValidationError("the naive baseline answered differently") }
        }
        let naiveCPUPerCall = naiveCPU.milliseconds / Double(max(1, naive.samples.count))
        let ratio = String(format: "%.1f", naive.p50 / indexed.p50)
        let cpuRatio = String(format: "%.1f", naiveCPUPerCall / indexedCPU)
        print(
            "naive baseline: p50 \(ms(naive.p50)) p99 \(ms(naive.p99)), \(ms(naiveCPUPerCall)) CPU per call, "
                + "\(naive.samples.count) calls; indexed on the same calls p50 \(ms(indexed.p50)): "
                + "\(ratio)× faster at p50, \(cpuRatio)× less CPU")
    }

    /// Calls per second with 8 calls in flight for `throughputSeconds`.
    func throughput(_ system: InProcessSystem, _ requests: [RankRequest], actor: Actor) async throws -> Double {
        let rpc = try system.client(Matching.service)
        let client = MatchingClient(rpc, actor: actor)
        let deadline = ContinuousClock.now + .seconds(throughputSeconds)
        let started = ContinuousClock.now
        let calls = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        _ = try? await client.rank(requests[(worker * 37 + count) % requests.count])
                        count += 1
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        rpc.close()
        return Double(calls) / (ContinuousClock.now - started).seconds
    }

    /// A second replica whose database starts as a copy of the first's (already built).
    func startReplica(
        _ system: InProcessSystem, copying first: ServiceApplication
    ) async throws -> (application: ServiceApplication, task: Task<Void, any Error>) {
        let directory = (system.dataDirectory as NSString).appendingPathComponent("replica-2")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try await first.environment.database.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        let copy = (directory as NSString).appendingPathComponent("matching.sqlite")
        try FileManager.default.copyItem(atPath: first.environment.database.path, toPath: copy)
        var configuration = system.configuration(for: Matching.service)
        configuration.dataDirectory = directory
        configuration.instance = "matching-2"
        let application = try ServiceApplication(
            definition: MatchingService.definition, configuration: configuration, context: system.context)
        return (application, Task { try await application.run() })
    }

    func waitUntilApplied(_ application: ServiceApplication, _ seqs: [String: Int64]) async throws {
        while true {
            let status = application.subscriber?.status() ?? []
            if seqs.allSatisfy({ source, seq in status.contains { $0.source == source && $0.appliedSeq >= seq } }) {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }
    func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
