import ArgumentParser
import BenchmarkSupport
import Contracts
import Foundation
import OctooTesting
import Transport
import Wire

/// `octoo-load-bench`: the whole system (the bus and the four services as real processes, on the
/// system clock) under requests created at a steady rate; a slow baseline phase first, in the
/// same run, against which the loaded latencies are given as ratios.
@main
struct LoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoo-load-bench",
        abstract: "CreateRequest to first Offer and first contact, at a steady rate, against the whole system.")

    @Option(help: "Requests per second in the loaded phase.") var rate: Double = 50
    @Option(help: "Length of the loaded phase, in seconds.") var seconds: Double = 60
    @Option(help: "Requests per second in the baseline phase.") var baselineRate: Double = 2
    @Option(help: "Length of the baseline phase, in seconds.") var baselineSeconds: Double = 15
    @Option(help: "Providers seeded (of three types, around Chicago).") var providers = 1000
    @Option(help: "Seed of the generated partner and requests.") var seed: UInt64 = 42
    @Option(help: "RSS growth allowed per process from start to end, in MiB.") var rssBoundMib = 64
    @Option(help: "Also write the report as JSON to this file.") var json: String?

    func validate() throws {
        guard rate > 0, rate <= 1000, rate.isFinite else { throw ValidationError("--rate must be from 0 to 1000") }
        guard baselineRate > 0, baselineRate <= rate else {
            throw ValidationError("--baseline-rate must be above 0 and at most --rate")
        }
        guard seconds >= 1, seconds <= 3600 else { throw ValidationError("--seconds must be from 1 to 3600") }
        guard baselineSeconds >= 1, baselineSeconds <= 3600 else {
            throw ValidationError("--baseline-seconds must be from 1 to 3600")
        }
        guard providers >= 3, providers <= 100_000 else {
            throw ValidationError("--providers must be from 3 to 100000")
        }
    }

    func run() async throws {
        let machine = MachineInfo.current()
        let system = try ExecutableSystem()
        let report = try await tearingDown(teardown: system.shutdown) { () async throws -> LoadReport in
            var probes = [
                ProcessProbe(name: "octoo-bus", pid: try system.start("octoo-bus", service: false).processIdentifier)
            ]
            for service in BusEndpoints.services {
                probes.append(ProcessProbe(name: service, pid: try system.start(service).processIdentifier))
            }
            for service in BusEndpoints.services { try await system.waitUntilServing(service) }
            let partner = LoadPartner(providers: providers, seed: seed)
            let registry = try system.client(Registry.service)
            let opportunities = try system.client(Opportunities.service)
            defer {
                registry.close()
                opportunities.close()
            }
            log("seeding \(providers) providers and \(partner.customers) customers")
            try await partner.seed(registry)
            try await waitForMatching(system, registry: registry)
            let tracker = ArrivalTracker(context: system.context, endpoint: system.endpoints.eventsSubscribe)
            try await tracker.start()
            let rssAtStart = Dictionary(uniqueKeysWithValues: probes.map { ($0.name, $0.rssKiB) })
            let client = OpportunitiesClient(
                opportunities, actor: partner.partner, options: CallOptions(timeout: .seconds(30), retry: .none))
            var phases: [PhaseResult] = []
            for (name, rate, seconds) in [
                ("baseline", baselineRate, baselineSeconds), ("loaded", self.rate, self.seconds),
            ] {
                log("\(name): \(rate) requests/s for \(seconds) s")
                let phase = LoadPhase(
                    name: name, rate: rate, seconds: seconds, firstIndex: phases.reduce(0) { $0 + $1.sent },
                    drainSeconds: 15)
                phases.append(await phase.run(client: client, partner: partner, tracker: tracker, probes: probes))
            }
            await tracker.stop()
            let rssAtEnd = Dictionary(uniqueKeysWithValues: probes.map { ($0.name, $0.rssKiB) })
            return LoadReport(
                machine: machine, providers: providers, seed: seed, phases: phases, rssKiBAtStart: rssAtStart,
                rssKiBAtEnd: rssAtEnd, rssBoundMiB: rssBoundMib)
        }
        print(report.text)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
        if !report.passesItsOwnChecks { throw ExitCode(1) }
    }

    /// Waits until matching's read model holds everything the registry recorded, so the first
    /// requests are ranked against every provider.
    private func waitForMatching(_ system: ExecutableSystem, registry: RPCClient) async throws {
        let lastSeq = try await registry.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
        let matching = try system.client(Matching.service)
        defer { matching.close() }
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let health = try await matching.health(Matching.service)
            let applied = health.events?.first { $0.source == Registry.service }?.appliedSeq ?? 0
            if applied >= lastSeq { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("matching did not catch up with the registry (seq \(lastSeq)) in 120 s")
    }
}

/// Progress on standard error, so standard output holds only the report.
func log(_ line: String) {
    FileHandle.standardError.write(Data("octoo-load-bench: \(line)\n".utf8))
}
