import ArgumentParser
import Contracts
import Foundation
import GRDB
import Logging
import OctooTesting
import ServiceLifecycle
@_spi(RawDatabase) import Store
import Testing
import Transport
import Wire

@testable import ServiceKit

@Suite("Idempotency records expire after their retention", .serialized)
struct IdempotencyRetentionTests {
    static let partner = Actor(role: .partner, partnerId: "p-1")
    static let start = Date(timeIntervalSince1970: 1_900_000_000)
    static let retention: TimeInterval = 168 * 3600

    static func records(_ database: ServiceDatabase) throws -> Int {
        try database.pool.read { try IdempotencyRecord.fetchCount($0) }
    }

    @Test func aKeyReusedWithAnotherBodyAfterTheRetentionIsANewRequest() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source(), clock: ManualClock(start: Self.start))
            let client = try system.client("registry")
            defer { client.close() }
            let emit = TestMethods.emit("registry")
            let options = CallOptions.patient(idempotencyKey: "key-1", retry: .none)
            let (a, b) = (EmitRequest(count: 1, label: "a"), EmitRequest(count: 2, label: "b"))
            let first = try await client.call(emit, a, actor: Self.partner, options: options)
            // Just inside the retention the key still belongs to the first body.
            _ = try await client.setClock("registry", to: Self.start.addingTimeInterval(Self.retention - 1))
            await #expect(throws: RPCError.self) {
                _ = try await client.call(emit, b, actor: Self.partner, options: options)
            }
            _ = try await client.setClock("registry", to: Self.start.addingTimeInterval(Self.retention))
            let second = try await client.call(emit, b, actor: Self.partner, options: options)
            #expect(first == EmitResponse(firstSeq: 1, lastSeq: 1))
            #expect(second == EmitResponse(firstSeq: 2, lastSeq: 3))
            // The key now replays the second request.
            #expect(try await client.call(emit, b, actor: Self.partner, options: options) == second)
        }
    }

    @Test func aStoredReplyIsNotReplayedAfterTheRetention() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let clock = ManualClock(start: Self.start)
            let database = try ServiceDatabase(
                path: (system.dataDirectory as NSString).appendingPathComponent("replies.sqlite"), source: "registry",
                durability: .normal, idempotencyRetention: .seconds(3600), now: { clock.now })
            let context = RequestContext(
                requestId: "r-1", method: "registry.Emit", actor: Self.partner, deadline: nil, idempotencyKey: "k",
                logger: Logger(label: "test"))
            let request = EmitRequest(count: 1, label: "a")
            let reply = try await database.mutate(context, request: request, now: clock.now) { _ in
                EmitResponse(firstSeq: 1, lastSeq: 1)
            }
            #expect(try await database.storedReply(context, request: request, as: EmitResponse.self) == reply)
            let other = EmitRequest(count: 9, label: "other")
            // A second before the retention ends the same body still replays, another is refused.
            try await clock.set(Self.start.addingTimeInterval(3599))
            #expect(try await database.storedReply(context, request: request, as: EmitResponse.self) == reply)
            await #expect(throws: RPCError.self) {
                _ = try await database.storedReply(context, request: other, as: EmitResponse.self)
            }
            // From the retention on, the very same body is not replayed, and the key is free.
            try await clock.set(Self.start.addingTimeInterval(3600))
            #expect(try await database.storedReply(context, request: request, as: EmitResponse.self) == nil)
            #expect(try await database.storedReply(context, request: other, as: EmitResponse.self) == nil)
        }
    }

    @Test func expiredRecordsAreSweptWhenTheServiceStarts() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source(), clock: ManualClock(start: Self.start))
            let client = try system.client("registry")
            defer { client.close() }
            for key in ["k-1", "k-2"] {
                _ = try await client.call(
                    TestMethods.emit("registry"), EmitRequest(count: 1, label: key), actor: Self.partner,
                    options: .patient(idempotencyKey: key))
            }
            #expect(try Self.records(source.environment.database) == 2)
            try await system.stop(source)
            let later = ManualClock(start: Self.start.addingTimeInterval(Self.retention + 3600))
            let restarted = try await system.start(TestServices.source(), clock: later)
            try await eventually("the expired records swept") { try Self.records(restarted.environment.database) == 0 }
            #expect(try Self.records(restarted.environment.database) == 0)
        }
    }

    /// An expired idempotency record in `database`, made as a call two retentions ago would have.
    static func expiredRecord(_ database: ServiceDatabase, key: String) async throws {
        let context = RequestContext(
            requestId: "r-\(key)", method: "registry.Emit", actor: partner, deadline: nil, idempotencyKey: key,
            logger: Logger(label: "test"))
        let longAgo = Date().addingTimeInterval(-2 * retention)
        _ = try await database.mutate(context, request: EmitRequest(count: 1, label: key), now: longAgo) { _ in
            EmitResponse(firstSeq: 1, lastSeq: 1)
        }
    }

    /// Each sweep runs a pass (the expired record it found is gone) and then waits an hour for the
    /// next one; shut down or cancelled in that wait, it returns (within the time limit) without
    /// another pass (the record expired meanwhile is still there): it neither ignored the shutdown
    /// nor spun on a wait that returned at once.
    @Test(.timeLimit(.minutes(2)))
    func theSweepEndsOnGracefulShutdownAndOnCancellationWithoutSpinning() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let database = try ServiceDatabase(
                path: (system.dataDirectory as NSString).appendingPathComponent("sweep.sqlite"), source: "registry",
                durability: .normal)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            for ending in ["shutdown", "cancel"] {
                try await Self.expiredRecord(database, key: "\(ending)-before")
                let sweep = IdempotencySweep(database: database, clock: SystemClock(), logger: logger)
                let group = ServiceGroup(configuration: .init(services: [.init(service: sweep)], logger: logger))
                let running = Task { try await group.run() }
                try await eventually("the sweep's first pass (\(ending))") { try Self.records(database) == 0 }
                try await Self.expiredRecord(database, key: "\(ending)-during")
                if ending == "shutdown" {
                    await group.triggerGracefulShutdown()
                    try await running.value
                } else {
                    running.cancel()
                    _ = try? await running.value
                }
                #expect(try Self.records(database) == 1, "no pass after the \(ending)")
                _ = try await database.sweepIdempotencyRecords(now: Date())
            }
        }
    }

    @Test func theRetentionComesFromTheFlagOrTheVariableAndBadValuesNameThem() throws {
        func configuration(_ arguments: [String], _ variables: [String: String] = [:]) throws -> ServiceConfiguration {
            try ServiceOptions.parse(arguments).configuration(service: "registry", Environment(variables))
        }
        #expect(try configuration([]).idempotencyRetention == .seconds(168 * 3600))
        #expect(try configuration(["--idempotency-retention-hours", "24"]).idempotencyRetention == .seconds(24 * 3600))
        let variable = ["OCTOO_IDEMPOTENCY_RETENTION_HOURS": "48"]
        #expect(try configuration([], variable).idempotencyRetention == .seconds(48 * 3600))
        let both = try configuration(["--idempotency-retention-hours", "2"], variable)
        #expect(both.idempotencyRetention == .seconds(7200))
        do {
            _ = try configuration(["--idempotency-retention-hours", "0"])
            Issue.record("a retention of 0 hours was accepted")
        } catch let error as ValidationError {
            #expect(error.message.contains("--idempotency-retention-hours"))
        }
        do {
            _ = try configuration([], ["OCTOO_IDEMPOTENCY_RETENTION_HOURS": "a week"])
            Issue.record("a retention that is not a number was accepted")
        } catch let error as ValidationError {
            #expect(error.message.contains("OCTOO_IDEMPOTENCY_RETENTION_HOURS"))
        }
    }
}
