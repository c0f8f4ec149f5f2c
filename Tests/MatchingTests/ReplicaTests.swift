import Contracts
import Foundation
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Testing
import Transport
import Wire

@testable import MatchingService

/// Several matching replicas on one bus, each with its own read model.
@Suite("Matching replicas", .serialized)
struct ReplicaTests {
    /// The answer from `application`'s own read model, without the bus, as a client reads it
    /// (JSON keeps no difference between 0 and 0.0).
    static func rank(
        _ application: ServiceApplication, _ request: RankRequest, partner: String
    ) async throws -> RankResponse {
        let engine = RankingEngine(
            store: MatchingStore(application.environment.database), maxMessageBytes: 1 << 20)
        let reply = try await engine.rank(request, partner: partner)
        return try WireCoding.decode(RankResponse.self, from: try WireCoding.encode(reply))
    }

    static func settings(_ application: ServiceApplication, partner: String) async throws -> RankingSettings {
        let store = MatchingStore(application.environment.database)
        return try await store.read(partner) { try store.settings($0, partner: partner) }
    }

    @Test func twoReplicasAgree() async throws {
        try await MatchingSystem.with { world in
            let (second, task) = try await world.startReplica("matching-2")
            do {
                let partner = world.partner.partnerId!
                let seqs = try await world.lastSeqs()
                for replica in [world.matching, second] { try await MatchingSystem.waitUntilApplied(replica, seqs) }
                #expect(
                    try ReadModelFixture.dump(world.matching.environment.database.pool)
                        == ReadModelFixture.dump(second.environment.database.pool))
                let request = RankRequest(job: world.job(customer: world.fixture.customers["School"]!))
                let first = try await Self.rank(world.matching, request, partner: partner)
                #expect(try await Self.rank(second, request, partner: partner) == first)

                // Through the bus, whichever replica answers, the answer is the same; rounds of 20
                // calls go out until the bus has handed calls to each replica.
                let rpc = world.rpc
                let before = try await waitForBus(rpc, Matching.service) { status in
                    status.workers.count == 2 && status.workers.allSatisfy { $0.credit > 0 }
                }
                let handed = Dictionary(uniqueKeysWithValues: before.workers.map { ($0.instance, $0.dispatched ?? 0) })
                var answers: [RankResponse?] = []
                var after = before
                try await eventually("both replicas answering; the bus shows \(after.workers)") {
                    answers += await withTaskGroup(of: RankResponse?.self) { group in
                        for _ in 0..<20 {
                            group.addTask { try? await MatchingClient(rpc, actor: world.partner).rank(request) }
                        }
                        return await group.reduce(into: [RankResponse?]()) { $0.append($1) }
                    }
                    after = try await waitForBus(rpc, Matching.service) { _ in true }
                    return after.workers.count == 2
                        && after.workers.allSatisfy { ($0.dispatched ?? 0) > handed[$0.instance, default: .max] }
                }
                #expect(Set(after.workers.map(\.instance)) == Set(handed.keys))
                #expect(answers.count >= 20 && answers.allSatisfy { $0 == first })

                // A settings change taken by one replica reaches the other.
                let changed = try await world.client.setSettings(SetSettingsRequest(travelBufferMinutes: 50)).settings
                for replica in [world.matching, second] {
                    try await eventually("the settings change reached both replicas") {
                        try await Self.settings(replica, partner: partner) == changed
                    }
                    #expect(try await Self.settings(replica, partner: partner) == changed)
                }
                #expect(try await Self.rank(second, request, partner: partner).settings == changed)
            } catch {
                await second.shutdown()
                throw error
            }
            await second.shutdown()
            try await task.value
        }
    }

    @Test func aReplicaStartedLaterTakesTheSettingsFromAnother() async throws {
        try await MatchingSystem.with { world in
            let changed = try await world.client.setSettings(SetSettingsRequest(workloadWindowDays: 9)).settings
            let (late, task) = try await world.startReplica("matching-late")
            do {
                try await eventually("the late replica took the settings") {
                    try await Self.settings(late, partner: world.partner.partnerId!) == changed
                }
                #expect(try await Self.settings(late, partner: world.partner.partnerId!) == changed)
            } catch {
                await late.shutdown()
                throw error
            }
            await late.shutdown()
            try await task.value
        }
    }

    /// A replica that must catch up announces no credit until it has: the bus sends it nothing,
    /// and the calls that waited meanwhile are answered from the complete read model.
    @Test func aNewReplicaGetsNoCallsUntilItHasCaughtUp() async throws {
        try await MatchingSystem.with { world in
            try await world.system.stop(world.matching)
            // Many events for the new replica to catch up on.
            let lastSeq = try await world.injectProviders(2500, type: "cart")
            let (replica, task) = try await world.startReplica("matching-new")
            do {
                let rpc = world.rpc
                let request = RankRequest(job: world.job())
                let calls = Task {
                    await withTaskGroup(of: Int64?.self) { group in
                        for _ in 0..<8 {
                            group.addTask {
                                // They wait at the bus while the replica catches up on 2500 events.
                                let client = MatchingClient(
                                    rpc, actor: world.partner,
                                    options: CallOptions(timeout: Patience.bulk, retry: .none)
                                )
                                return try? await client.rank(request).positions.first { $0.source == "registry" }?
                                    .appliedSeq
                            }
                        }
                        return await group.reduce(into: [Int64?]()) { $0.append($1) }
                    }
                }
                var sawNoCredit = false
                try await eventually("the new replica announcing its credit", timeout: Patience.bulk) {
                    let bus = try await waitForBus(rpc, Matching.service) { !$0.workers.isEmpty }
                    let current = (replica.subscriber?.status() ?? []).allSatisfy { $0.state == .current }
                    let credit = bus.workers.map(\.credit).reduce(0, +)
                    #expect(credit == 0 || current, "credit \(credit) announced before catching up")
                    if credit == 0 { sawNoCredit = true }
                    return credit > 0
                }
                #expect(sawNoCredit)
                let positions = await calls.value
                #expect(
                    positions.count == 8 && positions.allSatisfy { ($0 ?? 0) >= lastSeq },
                    "\(positions) before \(lastSeq)")
            } catch {
                await replica.shutdown()
                throw error
            }
            await replica.shutdown()
            try await task.value
        }
    }
}
