import Contracts
import Foundation
import GRDB
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Synchronization
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
            _ = try await client.call(
                TestMethods.emit("registry"), EmitRequest(count: count, label: "\(label)-\(sent)"), actor: partner,
                options: .patient())
            sent += count
        }
    }

    /// Waits until the consumer has applied `count` events; returns what it applied.
    static func waitForApplied(_ application: ServiceApplication, count: Int) async throws -> [Int64] {
        var applied: [Int64] = []
        try await eventually("\(count) events applied; \(applied.count) so far", timeout: Patience.bulk) {
            applied = try TestServices.applied(application.environment.database)
            return applied.count >= count
        }
        return applied
    }

    @Test func tenThousandEventsWithDropsAreAppliedExactlyOnceInOrder() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            // Every seventh event never reaches the bus: only catch-up can deliver it.
            try await system.start(TestServices.source(), shouldPublish: { $0.seq % 7 != 0 })
            let consumer = try await system.start(TestServices.consumer())
            let client = try system.client("registry")
            defer { client.close() }
            try await Self.emit(client, total: 10_000)
            let applied = try await Self.waitForApplied(consumer, count: 10_000)
            #expect(applied == Array(1...10_000))
        }
    }

    @Test func aLateSubscriberCatchesUpFromReadEvents() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source())
            let client = try system.client("registry")
            defer { client.close() }
            try await Self.emit(client, total: 1_200)
            let consumer = try await system.start(TestServices.consumer())
            let applied = try await Self.waitForApplied(consumer, count: 1_200)
            #expect(applied == Array(1...1_200))
        }
    }

    @Test func aRestartedSubscriberResumesFromItsCheckpoint() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
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
    }

    @Test func theOutboxCommitsWithTheChangeOrNotAtAll() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source())
            let client = try system.client("registry")
            defer { client.close() }
            try await Self.emit(client, total: 3)
            await #expect(throws: RPCError.self) {
                _ = try await client.call(
                    TestMethods.emit("registry"), EmitRequest(count: -1, label: "bad"), actor: Self.partner)
            }
            let database = source.environment.database
            let last = try await database.pool.read { try database.outbox.lastSeq($0) }
            #expect(last == 3)
            let events = try await client.readEvents("registry", afterSeq: 1, limit: 10)
            #expect(events.events.map(\.seq) == [2, 3])
            #expect(
                events.events.allSatisfy {
                    $0.source == "registry" && $0.type == "thing.happened" && $0.topic == "registry.thing.happened"
                })
        }
    }

    /// Deletes a service's database file (with its WAL companions): as if it were replaced.
    static func removeDatabase(_ system: InProcessSystem, _ service: String) {
        let path = (system.dataDirectory as NSString).appendingPathComponent("\(service).sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func aReplacedSourceDatabaseIsRebuiltThroughTheResetHook() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source())
            let consumer = try await system.start(TestServices.consumer(rebuilds: true))
            let client = try system.client("registry")
            defer { client.close() }
            try await Self.emit(client, total: 5)
            #expect(try await Self.waitForApplied(consumer, count: 5) == Array(1...5))
            let oldEpoch = source.environment.database.outbox.epoch
            try await system.stop(source)
            Self.removeDatabase(system, "registry")
            let replaced = try await system.start(TestServices.source())
            let newEpoch = replaced.environment.database.outbox.epoch
            #expect(newEpoch != oldEpoch)
            // seqs 1-3 again: the checkpoint (5) alone would take them for duplicates.
            try await Self.emit(client, total: 3, label: "new")
            let database = consumer.environment.database
            try await eventually("the consumer applied up to seq 3") {
                consumer.subscriber?.status().first?.appliedSeq == 3
            }
            #expect(try TestServices.applied(database) == [1, 2, 3])
            let status = try #require(consumer.subscriber?.status().first)
            #expect(status.rebuilds == 1 && status.epoch == newEpoch)
            let checkpoint = try await database.pool.read { try EventCheckpoint.of($0, source: "registry") }
            #expect(checkpoint == EventCheckpoint(source: "registry", lastSeq: 3, epoch: newEpoch))
        }
    }

    @Test func aSourceRestoredFromAnOlderBackupIsRebuilt() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source())
            let consumer = try await system.start(TestServices.consumer(rebuilds: true))
            let client = try system.client("registry")
            defer { client.close() }
            try await Self.emit(client, total: 3)
            let backup = (system.dataDirectory as NSString).appendingPathComponent("registry-backup.sqlite")
            try source.environment.database.pool.backup(to: try DatabaseQueue(path: backup))
            try await Self.emit(client, total: 4, label: "lost")
            #expect(try await Self.waitForApplied(consumer, count: 7) == Array(1...7))
            try await system.stop(source)
            Self.removeDatabase(system, "registry")
            let path = (system.dataDirectory as NSString).appendingPathComponent("registry.sqlite")
            try FileManager.default.moveItem(atPath: backup, toPath: path)
            let restored = try await system.start(TestServices.source())
            #expect(restored.environment.database.outbox.epoch == source.environment.database.outbox.epoch)
            // Same epoch, seqs 4-5 again: only the source's last seq (5, below 7) shows the rewind.
            try await Self.emit(client, total: 2, label: "after")
            let database = consumer.environment.database
            try await eventually("events 1…5 applied") { try TestServices.applied(database) == [1, 2, 3, 4, 5] }
            #expect(consumer.subscriber?.status().first?.rebuilds == 1)
        }
    }

    @Test func withoutAResetHookReusedSeqsAreDataLossAndNoLongerApplied() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source())
            let consumer = try await system.start(TestServices.consumer())
            let client = try system.client("registry")
            let matching = try system.client("matching")
            defer {
                client.close()
                matching.close()
            }
            try await Self.emit(client, total: 5)
            #expect(try await Self.waitForApplied(consumer, count: 5) == Array(1...5))
            try await system.stop(source)
            Self.removeDatabase(system, "registry")
            try await system.start(TestServices.source())
            // The new outbox's 6-8 follow the checkpoint, yet belong to another history.
            try await Self.emit(client, total: 8, label: "new")
            try await eventually("the consumer reports data loss") {
                consumer.subscriber?.status().first?.state == .dataLoss
            }
            let health = try await matching.health("matching")
            #expect(health.status == .notServing)
            let events = try #require(health.events?.first)
            #expect(events.state == .dataLoss && events.appliedSeq == 5 && events.error?.contains("DATA_LOSS") == true)
            try await Self.emit(client, total: 2, label: "later")
            #expect(try TestServices.applied(consumer.environment.database) == Array(1...5))
        }
    }

    @Test func healthListsEachSourceAndIsNotServingWhileOneFails() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let broken = Atomic<Bool>(true)
            let source = try await system.start(TestServices.source())
            let consumer = try await system.start(
                TestServices.consumer(refuses: { event in
                    broken.load(ordering: .relaxed) && event.seq == 2
                }))
            let client = try system.client("registry")
            let matching = try system.client("matching")
            defer {
                client.close()
                matching.close()
            }
            #expect(try await client.health("registry").events == nil)
            try await Self.emit(client, total: 3)
            try await eventually("the consumer's source failing") {
                consumer.subscriber?.status().first?.state == .failing
            }
            let failing = try await matching.health("matching")
            #expect(failing.status == .notServing)
            #expect(failing.service == "matching" && failing.instance == "matching-test" && !failing.version.isEmpty)
            let epoch = source.environment.database.outbox.epoch
            let entry = try #require(failing.events?.first)
            #expect(failing.events?.count == 1)
            #expect(entry.source == "registry" && entry.appliedSeq == 1 && entry.epoch == epoch)
            #expect(entry.state == .failing && entry.failingSeq == 2 && entry.error?.contains("refused") == true)

            broken.store(false, ordering: .relaxed)
            try await eventually("the consumer's source current") {
                consumer.subscriber?.status().first?.state == .current
            }
            let healthy = try await matching.health("matching")
            #expect(healthy.status == .serving)
            #expect(
                healthy.events == [EventSourceHealth(source: "registry", appliedSeq: 3, epoch: epoch, state: .current)])
        }
    }
}
