import Contracts
import Foundation
import OctooTesting
import SyntheticData
import Testing
import Transport
import Wire

/// The fault test: the whole system (`WholeSystem`, every process a real executable)
/// broadcasts 200 requests while the registry, one matching replica, broadcast, opportunities and
/// the bus are each killed with SIGKILL at random moments (twice each) and restarted. Clients go
/// on through it persistently with idempotency keys. Once everything is quiet, the invariants of
/// `SystemInvariants` must hold.
///
/// The moments, the order of the kills and every provider's answer come from one seed, printed
/// at the start; `OCTOO_FAULT_SEED=<seed>` runs with that one again (the interleaving of the
/// processes still varies from run to run).
///
/// Bounds (2 cores, debug build): 24 providers and waves of 3 keep each request to a few waves;
/// the broadcast clock steps an hour every 1 to 4 s, so silent waves close; the load is given
/// 300 s to settle (it takes about 50 on a quiet machine, and over 150 with two busy loops and
/// other builds beside it) and the subscribers 30 s more to catch up, so the test ends within
/// 6 minutes even when something is stuck (about a minute when nothing is).
///
/// It keeps both cores busy and kills processes on purpose: beside the parallel suites it would
/// starve them (their deadlines are real), so it runs only when asked (`OCTOO_FAULTS=1`, or a
/// seed given), as `.ci/test` does, alone.
@Suite(
    "Faults: every process killed in turn while 200 requests are broadcast", .serialized,
    .enabled(
        if: ["OCTOO_FAULTS", "OCTOO_FAULT_SEED"].contains { ProcessInfo.processInfo.environment[$0] != nil },
        "the fault test runs alone: OCTOO_FAULTS=1 swift test --filter FaultInjectionTests"))
struct FaultInjectionTests {
    static let requestCount = 200
    static let providerCount = 24
    static let victims = ["registry", WholeSystem.matchingReplicas[0], "broadcast", "opportunities", WholeSystem.bus]

    /// The seed of this run: `OCTOO_FAULT_SEED`, else a random one.
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["OCTOO_FAULT_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64(UInt32.max))
    }()

    @Test func everyRequestEndsExplainedAndEveryInvariantHolds() async throws {
        let seed = Self.seed
        print("FaultInjectionTests: seed \(seed) (run again with OCTOO_FAULT_SEED=\(seed))")
        let started = ContinuousClock.now
        try await withWholeSystem(manualClock: ["broadcast"]) { system in
            let world = try await FaultWorld.build(system, providers: Self.providerCount)
            defer { world.close() }
            let machineNow = Date()
            let clock = ManualClockDriver(
                rpc: world.broadcastRPC, service: Broadcast.service, start: machineNow, step: 3600,
                limit: machineNow.addingTimeInterval(5 * 86_400))
            let providers = SimulatedProviders(rpc: world.opportunitiesRPC, partner: world.partner, seed: seed)
            let settleBy = ContinuousClock.now + .seconds(300)

            // The system's own life: providers answer and the clock moves until the test ends.
            let background = Task {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while !Task.isCancelled {
                            let busy = (try? await providers.answerNewOffers(until: settleBy)) ?? false
                            if !busy { try? await Task.sleep(for: .milliseconds(200)) }
                        }
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(1))
                            await clock.advance()
                        }
                    }
                }
            }
            defer { background.cancel() }

            async let created = world.createRequests(Self.requestCount, seed: seed, until: settleBy)
            async let kills = Self.killEachInTurn(system, seed: seed)
            let requestIds = try await created
            let killLog = try await kills
            print("FaultInjectionTests: \(killLog.joined(separator: "; "))")

            // Quiet: every broadcast ends (filled, exhausted or stopped), or the time is up.
            let invariants = world.invariants(system)
            var unsettled = requestIds.count
            _ = try? await eventually(
                "every broadcast ended", timeout: max(settleBy - ContinuousClock.now, .zero), every: .milliseconds(500)
            ) {
                let list = try? await persistently(until: settleBy) {
                    try await world.broadcast.list(ListBroadcastsRequest(pageSize: 1000))
                }
                let live = (list?.broadcasts ?? []).filter { ![.filled, .exhausted, .stopped].contains($0.state) }
                unsettled = live.count + requestIds.count - (list?.broadcasts.count ?? 0)
                return unsettled == 0
            }
            background.cancel()
            await background.value
            print(
                "FaultInjectionTests: settled after \(ContinuousClock.now - started); answers \(providers.counts)")
            #expect(
                unsettled == 0,
                "\(unsettled) broadcasts never ended, the clock at \(Timestamp.format(clock.now)) (seed \(seed))")

            let stories = try await invariants.stories(requestIds)
            let states = Dictionary(grouping: stories, by: \.broadcast.state).mapValues(\.count)
            print("FaultInjectionTests: broadcasts by state \(states)")
            #expect(stories.count == Self.requestCount)
            let finals = SystemInvariants.finalStates(stories)
            #expect(finals.isEmpty, "final states (seed \(seed)): \(finals.prefix(10))")
            let histories = SystemInvariants.historiesReplay(stories)
            #expect(histories.isEmpty, "histories (seed \(seed)): \(histories.prefix(10))")
            let offers = SystemInvariants.noDoubleOffers(stories, announced: try await invariants.announcedContacts())
            #expect(offers.isEmpty, "offers (seed \(seed)): \(offers.prefix(10))")
            let behind = try await invariants.checkpointsCaughtUp(until: .now + .seconds(30))
            #expect(behind.isEmpty, "checkpoints (seed \(seed)): \(behind)")

            // Stopped gracefully, each file is checked as the processes left it.
            for name in WholeSystem.services.reversed() {
                #expect(await system.terminate(name) == 0, "\(name) did not stop cleanly (seed \(seed))")
            }
            let files = try SystemInvariants.files(of: system)
            #expect(files.isEmpty, "files (seed \(seed)): \(files)")
        }
        print("FaultInjectionTests: done in \(ContinuousClock.now - started)")
    }

    /// Kills each victim in turn, twice over (each round in its own order), at moments drawn from
    /// `seed` (0.5 to 3 s apart, so the kills cover the first half of the load), and restarts it
    /// after 0 to 0.5 s; waits until it takes calls again before the next.
    static func killEachInTurn(_ system: ExecutableSystem, seed: UInt64) async throws -> [String] {
        var random = SplitMix64(seed: seed)
        var log: [String] = []
        for victim in victims.shuffled(using: &random) + victims.shuffled(using: &random) {
            let wait = Int.random(in: 500...3000, using: &random)
            let down = Int.random(in: 0...500, using: &random)
            try await Task.sleep(for: .milliseconds(wait))
            await system.kill(victim)
            try await Task.sleep(for: .milliseconds(down))
            let restartedAt = ContinuousClock.now
            try system.restart(victim)
            try await system.waitUntilReady(victim, timeout: .seconds(60))
            log.append(
                "\(victim) killed after \(wait) ms, down \(down) ms, back in \(ContinuousClock.now - restartedAt)")
        }
        return log
    }
}

/// The partner the fault test works for, set up through the registry and broadcast's own methods.
struct FaultWorld: Sendable {
    let partner: Actor
    let customers: [String]
    let registryRPC: RPCClient
    let opportunitiesRPC: RPCClient
    let broadcastRPC: RPCClient

    var broadcast: BroadcastClient { BroadcastClient(broadcastRPC, actor: partner, options: attemptOptions()) }

    func invariants(_ system: ExecutableSystem) -> SystemInvariants {
        SystemInvariants(
            system: system, partner: partner, opportunitiesRPC: opportunitiesRPC, broadcastRPC: broadcastRPC)
    }

    func close() {
        for rpc in [registryRPC, opportunitiesRPC, broadcastRPC] { rpc.close() }
    }

    /// `providers` ASL interpreters working remotely in IL, four customers without defaults, and a
    /// broadcast policy of waves of 3 an hour apart whatever the lead time; matching caught up.
    static func build(_ system: ExecutableSystem, providers: Int) async throws -> FaultWorld {
        let partner = Actor(role: .partner, partnerId: "p-faults", id: "dispatcher")
        let world = FaultWorld(
            partner: partner, customers: (1...4).map { "customer-\($0)" }, registryRPC: try system.client("registry"),
            opportunitiesRPC: try system.client("opportunities"), broadcastRPC: try system.client("broadcast"))
        let registry = RegistryClient(world.registryRPC, actor: partner, options: .patient())
        for index in 1...providers {
            let id = String(format: "interpreter-%02d", index)
            _ = try await registry.upsertProvider(
                UpsertProviderRequest(id: id, name: id, providerType: "asl", email: "\(id)@example.org", zones: ["IL"]))
        }
        for id in world.customers { _ = try await registry.upsertCustomer(UpsertCustomerRequest(id: id, name: id)) }
        _ = try await world.broadcast.setPolicy(
            SetPolicyRequest(
                bands: [PolicyBand(minLeadHours: 0, waveSize: 3, intervalMinutes: 60)], startWindowDays: 30,
                autoStart: true))
        // Both replicas have seen every provider before the first request is ranked.
        let seq = try await world.registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
        let matchingRPC = try system.client(Matching.service)
        defer { matchingRPC.close() }
        let matching = MatchingClient(matchingRPC, actor: partner, options: .patient())
        let starts = Date().addingTimeInterval(7 * 86_400)
        for _ in WholeSystem.matchingReplicas {
            _ = try await matching.rank(
                RankRequest(
                    job: JobDescription(
                        customerId: world.customers[0], providerType: "asl", startsAt: starts,
                        endsAt: starts.addingTimeInterval(3600), remote: true, zone: "IL"),
                    minSeq: [Registry.service: seq], pageSize: 1))
        }
        return world
    }

    /// Creates `count` remote jobs 6 to 27 days out, 2.5 h apart (so no two overlap), a fifth of
    /// them for a team of two, half decided automatically; four at a time, each persistently
    /// with its own idempotency key. Returns their ids in order.
    func createRequests(_ count: Int, seed: UInt64, until deadline: ContinuousClock.Instant) async throws
        -> [String]
    {
        let first = Date().addingTimeInterval(6 * 86_400)
        let opportunities = OpportunitiesClient(opportunitiesRPC, actor: partner)
        var ids = [String](repeating: "", count: count)
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<count {
                if index >= 4, let (done, id) = try await group.next() { ids[done] = id }
                let starts = first.addingTimeInterval(Double(index) * 9000)
                let request = CreateRequestRequest(
                    customerId: customers[index % customers.count], providerType: "asl", startsAt: starts,
                    endsAt: starts.addingTimeInterval(7200), remote: true, zone: "IL",
                    teamSize: index % 5 == 0 ? 2 : 1,
                    decision: DecisionPolicy(decider: .partner, mode: index % 2 == 0 ? .automatic : .manual))
                group.addTask {
                    let reply = try await persistently(until: deadline) {
                        try await OpportunitiesClient(
                            opportunities.caller.rpc, actor: partner, options: attemptOptions("create-\(seed)-\(index)")
                        ).createRequest(request)
                    }
                    return (index, reply.request.id)
                }
                // Paced, so the kills fall while requests are still arriving.
                try await Task.sleep(for: .milliseconds(40))
            }
            for try await (done, id) in group { ids[done] = id }
        }
        return ids
    }
}
