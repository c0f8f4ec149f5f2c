import ArgumentParser
import Contracts
import Foundation
import MatchingService
import OctooTesting
import OpportunitiesService
import RegistryService
import ServiceKit
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
        var started = ContinuousClock.now
        let sources = [RegistryService.definition, OpportunitiesService.definition]
        try FileManager.default.createDirectory(atPath: system.dataDirectory, withIntermediateDirectories: true)
        let seqs = try SourceLoader.load(partner, into: system.dataDirectory, definitions: sources)
        let total = seqs.values.reduce(0, +)
        print("events: \(total) (\(seqs.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))), generated in \(format(ContinuousClock.now - started))")
        for definition in sources { try await system.start(definition) }
        let before = Memory.resident()
        started = .now
        let matching = try await system.start(MatchingService.definition, waitUntilServing: false)
        try await waitUntilApplied(matching, seqs)
        let rebuild = ContinuousClock.now - started
        let afterRebuild = Memory.resident()
        print("rebuild through the bus: \(format(rebuild)) (\(Int(Double(total) / rebuild.seconds)) events/s); RSS \(Int(before.now)) → \(Int(afterRebuild.now)) MiB")

        if let keepDatabase {
            _ = try await matching.environment.database.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try? FileManager.default.removeItem(atPath: keepDatabase)
            try FileManager.default.copyItem(atPath: matching.environment.database.path, toPath: keepDatabase)
        }
        let ranking = ReadModelRanking(database: matching.environment.database.pool)
        let requests = partner.requests(count: iterations + 20, seed: seed &+ 1).map { RankRequest(request: $0) }
        var inProcess = Latencies()
        var ranked = 0
        var cpuStart = ProcessCPU.now()
        for (index, request) in requests.enumerated() {
            if index == 20 { cpuStart = ProcessCPU.now() }
            let start = ContinuousClock.now
            let reply = try await ranking.rank(request, partner: partner.partnerId)
            if index >= 20 { inProcess.record(ContinuousClock.now - start) }
            ranked += reply.counts.ranked
        }
        let cpuPerCall = (ProcessCPU.now() - cpuStart).milliseconds / Double(max(1, inProcess.samples.count))
        var naive = Latencies()
        var indexedForNaive = Latencies()
        var naiveCPU = Duration.zero
        for request in requests.prefix(naiveIterations) {
            var start = ContinuousClock.now
            let indexed = try await ranking.rank(request, partner: partner.partnerId)
            indexedForNaive.record(ContinuousClock.now - start)
            start = .now
            let cpu = ProcessCPU.now()
            let baseline = try await ranking.rankNaively(request, partner: partner.partnerId)
            naive.record(ContinuousClock.now - start)
            naiveCPU += ProcessCPU.now() - cpu
            guard baseline.ranked == indexed.ranked, baseline.filtered == indexed.filtered, baseline.counts == indexed.counts else {
                throw ValidationError("the naive baseline answered differently")
            }
        }
        let afterRank = Memory.resident()
        print("in-process Rank: p50 \(ms(inProcess.p50)) p99 \(ms(inProcess.p99)) over \(inProcess.samples.count) calls, \(ms(cpuPerCall)) CPU per call (\(ranked / requests.count) ranked per call on average)")
        let naiveCPUPerCall = naiveCPU.milliseconds / Double(max(1, naive.samples.count))
        print("naive baseline: p50 \(ms(naive.p50)) p99 \(ms(naive.p99)) over \(naive.samples.count) calls, \(ms(naiveCPUPerCall)) CPU per call; indexed on the same calls p50 \(ms(indexedForNaive.p50)): \(String(format: "%.1f", naive.p50 / indexedForNaive.p50))× faster at p50, \(String(format: "%.1f", naiveCPUPerCall / cpuPerCall))× less CPU")
        print("RSS after ranking: \(Int(afterRank.now)) MiB (peak \(Int(afterRank.peak)) MiB)")

        let client = MatchingClient(try system.client(Matching.service), actor: Actor(role: .partner, partnerId: partner.partnerId, id: "bench"))
        var bus = Latencies()
        for (index, request) in requests.prefix(busIterations + 20).enumerated() {
            let start = ContinuousClock.now
            _ = try await client.rank(request)
            if index >= 20 { bus.record(ContinuousClock.now - start) }
        }
        print("through the bus (inproc), one at a time: p50 \(ms(bus.p50)) p99 \(ms(bus.p99)) over \(bus.samples.count) calls")
        let one = try await throughput(system, requests, partner: partner.partnerId)
        let second = try await startReplica(system, copying: matching)
        try await waitUntilApplied(second.application, seqs)
        let two = try await throughput(system, requests, partner: partner.partnerId)
        print("through the bus, 8 in flight: 1 replica \(Int(one)) calls/s, 2 replicas \(Int(two)) calls/s (\(String(format: "%.2f", two / one))×) — both in this process, on this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores")
        await second.application.shutdown()
        try await second.task.value
        print("load average at the end: \(Machine.loadAverage())")
    }

    /// Calls per second with 8 calls in flight for `throughputSeconds`.
    func throughput(_ system: InProcessSystem, _ requests: [RankRequest], partner: String) async throws -> Double {
        let rpc = try system.client(Matching.service)
        let client = MatchingClient(rpc, actor: Actor(role: .partner, partnerId: partner, id: "bench"))
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
    func startReplica(_ system: InProcessSystem, copying first: ServiceApplication) async throws -> (application: ServiceApplication, task: Task<Void, any Error>) {
        let directory = (system.dataDirectory as NSString).appendingPathComponent("replica-2")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try await first.environment.database.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try FileManager.default.copyItem(
            atPath: first.environment.database.path, toPath: (directory as NSString).appendingPathComponent("matching.sqlite"))
        var configuration = system.configuration(for: Matching.service)
        configuration.dataDirectory = directory
        configuration.instance = "matching-2"
        let application = try ServiceApplication(definition: MatchingService.definition, configuration: configuration, context: system.context)
        return (application, Task { try await application.run() })
    }

    func waitUntilApplied(_ application: ServiceApplication, _ seqs: [String: Int64]) async throws {
        while true {
            let status = application.subscriber?.status() ?? []
            if seqs.allSatisfy({ source, seq in status.contains { $0.source == source && $0.appliedSeq >= seq } }) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }
    func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
