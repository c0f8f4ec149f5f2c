import Contracts
import Foundation
import OctooTesting
import ServiceKit
import Testing
import Transport
import Wire

@Suite("Events: outbox, relay, subscriber (PROTOCOL §6)", .serialized)
struct EventTests {
    static let partner = Actor(role: .partner, partnerId: "p-1")

    /// Emits `total` events through the source in calls of `batch`.
    static func emit(_ client: RPCClient, total: Int, batch: Int = 250, label: String = "e") async throws {
        var sent = 0
        while sent < total {
            let count = min(batch, total - sent)
            _ = try await client.call(TestMethods.emit("registry"), EmitRequest(count: count, label: "\(label)-\(sent)"), actor: partner, options: CallOptions(timeout: .seconds(30)))
            sent += count
        }
    }

    /// Waits until the consumer has applied `count` events (or gives up after a while).
    static func waitForApplied(_ application: ServiceApplication, count: Int) async throws -> [Int64] {
        var applied: [Int64] = []
        for _ in 0..<600 {
            applied = try TestServices.applied(application.environment.database)
            if applied.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return applied
    }

    @Test func tenThousandEventsWithDropsAreAppliedExactlyOnceInOrder() async throws {
        let system = try InProcessSystem()
        defer { Task { await system.shutdown() } }
        // Every seventh event never reaches the bus: only catch-up can deliver it.
        try await system.start(TestServices.source(), shouldPublish: { $0.seq % 7 != 0 })
        let consumer = try await system.start(TestServices.consumer())
        let client = try system.client("registry")
        defer { client.close() }
        try await Self.emit(client, total: 10_000)
        let applied = try await Self.waitForApplied(consumer, count: 10_000)
        #expect(applied == Array(1...10_000))
    }

    @Test func aLateSubscriberCatchesUpFromReadEvents() async throws {
        let system = try InProcessSystem()
        defer { Task { await system.shutdown() } }
        try await system.start(TestServices.source())
        let client = try system.client("registry")
        defer { client.close() }
        try await Self.emit(client, total: 1_200)
        let consumer = try await system.start(TestServices.consumer())
        let applied = try await Self.waitForApplied(consumer, count: 1_200)
        #expect(applied == Array(1...1_200))
    }

    @Test func aRestartedSubscriberResumesFromItsCheckpoint() async throws {
        let system = try InProcessSystem()
        defer { Task { await system.shutdown() } }
        try await system.start(TestServices.source())
        let client = try system.client("registry")
        defer { client.close() }
        let first = try await system.start(TestServices.consumer())
        try await Self.emit(client, total: 500)
        #expect(try await Self.waitForApplied(first, count: 500).count == 500)
        try await system.stop(first)
        try await Self.emit(client, total: 700, label: "while-down")
        // Same data folder, so the same database and checkpoint.
        let second = try await system.start(TestServices.consumer())
        try await Self.emit(client, total: 300, label: "after")
        let applied = try await Self.waitForApplied(second, count: 1_500)
        #expect(applied == Array(1...1_500))
    }

    @Test func theOutboxCommitsWithTheChangeOrNotAtAll() async throws {
        let system = try InProcessSystem()
        defer { Task { await system.shutdown() } }
        let source = try await system.start(TestServices.source())
        let client = try system.client("registry")
        defer { client.close() }
        try await Self.emit(client, total: 3)
        await #expect(throws: RPCError.self) {
            _ = try await client.call(TestMethods.emit("registry"), EmitRequest(count: -1, label: "bad"), actor: Self.partner)
        }
        let database = source.environment.database
        let last = try await database.pool.read { try database.outbox.lastSeq($0) }
        #expect(last == 3)
        let events = try await client.readEvents("registry", afterSeq: 1, limit: 10)
        #expect(events.events.map(\.seq) == [2, 3])
        #expect(events.events.allSatisfy { $0.source == "registry" && $0.type == "thing.happened" && $0.topic == "registry.thing.happened" })
    }
}
