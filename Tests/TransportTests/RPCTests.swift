import Contracts
import Foundation
import OctooTesting
import ServiceKit
import Testing
import Transport
import Wire
import ZeroMQ

/// A source service in-process and a client of it: the setup most RPC tests share.
struct SourceFixture {
    let system: InProcessSystem
    let client: RPCClient
    let observations: Observations

    static func start(maxInFlight: Int = 64) async throws -> SourceFixture {
        let system = try InProcessSystem()
        let observations = Observations()
        try await system.start(TestServices.source(observations: observations), maxInFlight: maxInFlight)
        return SourceFixture(system: system, client: try system.client("registry"), observations: observations)
    }

    /// Closes the client and shuts the system down.
    @Sendable func stop() async {
        client.close()
        await system.shutdown()
    }
}

@Suite("RPC server and client over the bus", .serialized)
struct RPCTests {
    /// Sends raw frames from a DEALER on its own thread and collects the replies' JSON.
    static func rawExchange(_ system: InProcessSystem, service: String, frames: [[UInt8]]) async throws -> [[String:
        Any]]
    {
        let endpoint = system.endpoints.client(service)
        let context = system.context
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let socket = try Socket(context: context, type: .dealer)
                    defer { socket.close(lingerMs: 0) }
                    // The harness's own wait, not what a test is about: room for a busy machine.
                    try socket.setReceiveTimeout(ms: Int32(Patience.call / .milliseconds(1)))
                    try socket.connect(endpoint)
                    var replies: [[String: Any]] = []
                    for frame in frames {
                        try socket.send([frame])
                        guard let reply = try socket.receive() else { throw RPCError(.deadlineExceeded, "no reply") }
                        let json = try LengthPrefixedFrame.decode(reply.last!, maxMessageBytes: Int.max).get()
                        replies.append(try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any])
                    }
                    nonisolated(unsafe) let result = replies
                    continuation.resume(returning: result)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    static func frame(_ text: String) -> [UInt8] { LengthPrefixedFrame.encode(Array(text.utf8)) }

    /// `count` concurrent `Hold` calls, no retries; their status codes once released.
    static func concurrentHolds(_ client: RPCClient, count: Int) async -> [StatusCode] {
        await concurrentCalls(count) { _ in
            _ = try await client.call(
                TestMethods.hold("registry"), Empty(), actor: nil, options: .patient(retry: .none))
        }
    }

    @Test func everyFramingErrorIsAnsweredAndTheServerKeepsServing() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source())
            var tooLong = [UInt8](repeating: 0, count: 4)
            tooLong[1] = 0x20  // N = 2 MiB > 1 MiB
            let cases: [(frame: [UInt8], code: String, id: String?)] = [
                ([], "INVALID_ARGUMENT", nil),
                ([0, 0, 0], "INVALID_ARGUMENT", nil),
                (LengthPrefixedFrame.encode(Array("{}".utf8)).dropLast().map { $0 } + [], "INVALID_ARGUMENT", nil),
                ([0, 0, 0, 9] + Array("{}".utf8), "INVALID_ARGUMENT", nil),
                (LengthPrefixedFrame.encode(Array("{}".utf8)) + [32], "INVALID_ARGUMENT", nil),
                (tooLong + [UInt8](repeating: 32, count: 16), "RESOURCE_EXHAUSTED", nil),
                ([0, 0, 0, 2, 0xC3, 0x28], "INVALID_ARGUMENT", nil),
                (Self.frame("{not json"), "INVALID_ARGUMENT", nil),
                (Self.frame("[1,2,3]"), "INVALID_ARGUMENT", nil),
                (Self.frame(#"{"method":"registry.Health"}"#), "INVALID_ARGUMENT", nil),
                (Self.frame(#"{"id":"m1"}"#), "INVALID_ARGUMENT", "m1"),
                (Self.frame(#"{"id":12,"method":"registry.Health"}"#), "INVALID_ARGUMENT", nil),
                (Self.frame(#"{"id":"t1","method":["registry.Health"]}"#), "INVALID_ARGUMENT", "t1"),
                (
                    Self.frame(#"{"id":"t2","method":"registry.Echo","body":{"text":1,"n":1}}"#), "INVALID_ARGUMENT",
                    "t2"
                ),
                (Self.frame(#"{"id":"u1","method":"registry.NoSuchMethod"}"#), "UNIMPLEMENTED", "u1"),
                (Self.frame(#"{"id":"u2","method":"matching.Health"}"#), "UNIMPLEMENTED", "u2"),
                (Self.frame(#"{"id":"ok","method":"registry.Health","body":{}}"#), "OK", "ok"),
            ]
            let replies = try await Self.rawExchange(system, service: "registry", frames: cases.map(\.frame))
            for (index, (reply, expected)) in zip(replies, cases).enumerated() {
                let status = reply["status"] as! [String: Any]
                #expect(status["code"] as? String == expected.code, "case \(index): \(reply)")
                if let id = expected.id {
                    #expect(reply["id"] as? String == id, "case \(index)")
                } else {
                    #expect(reply["id"] is NSNull, "case \(index): \(reply)")
                }
            }
            let detail = ((replies[13]["status"] as! [String: Any])["details"] as! [[String: Any]]).first
            #expect(detail?["field"] as? String == "body.text")
        }
    }

    @Test func aThousandConcurrentCallsFromSeveralClientsGetTheirOwnReplies() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source(), maxInFlight: 256)
            let clients = try (0..<4).map { _ in try system.client("registry") }
            defer { for client in clients { client.close() } }
            let mismatches = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let message = EchoMessage(text: "call-\(index)", n: index)
                        let reply = try? await clients[index % 4].call(
                            TestMethods.echo("registry"), message, actor: nil,
                            options: .patient())
                        return reply == message
                    }
                }
                var failures = 0
                for await ok in group where !ok { failures += 1 }
                return failures
            }
            #expect(mismatches == 0)
        }
    }

    @Test func aSlowHandlerYieldsDeadlineExceededAndIsCancelled() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            let observations = fixture.observations
            await #expect(throws: RPCError.self) {
                do {
                    _ = try await client.call(
                        TestMethods.sleep("registry"), SleepRequest(ms: 5000), actor: nil,
                        options: CallOptions(timeout: .milliseconds(200)))
                } catch {
                    #expect(statusCode(error) == .deadlineExceeded)
                    throw error
                }
            }
            // The server abandons the work at the deadline too.
            try await eventually("the handler cancelled") { observations.cancellations.load(ordering: .relaxed) > 0 }
            #expect(observations.cancellations.load(ordering: .relaxed) == 1)
        }
    }

    @Test func theInFlightLimitIsTheWorkersCreditAndTheBusQueuesTheRest() async throws {
        let fixture = try await SourceFixture.start(maxInFlight: 4)
        try await tearingDown(teardown: fixture.stop) {
            let observations = fixture.observations
            let calls = Task { await Self.concurrentHolds(fixture.client, count: 20) }
            // Four run, the other sixteen wait at the bus, however long the test looks.
            let registry = try await waitForBus(fixture.client, "registry") { $0.queueDepth == 16 }
            #expect(registry.workers.first?.inFlight == 4 && registry.workers.first?.credit == 4)
            try await eventually("four calls in the handler") {
                observations.holdsRunning.load(ordering: .relaxed) == 4
            }
            observations.release()
            let codes = await calls.value
            #expect(codes.allSatisfy { $0 == .ok }, "\(codes)")
            #expect(observations.holdsStarted.load(ordering: .relaxed) == 20)
            #expect(observations.holdsAtOnce.load(ordering: .relaxed) == 4)
        }
    }

    @Test func unavailableIsRetriedWithBackoff() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            let observations = fixture.observations
            _ = try await client.call(TestMethods.flaky("registry"), FlakyRequest(key: "a", failures: 2), actor: nil)
            #expect(observations.flakyAttempts.withLock { $0["a"] } == 3)
            // Without jitter each pause is its bound: 100, 200, then 250 ms (the cap). A retry
            // never arrives before its pause is over, however busy the machine.
            let spaced = RetryPolicy(
                maxAttempts: 4, initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(250), jitter: false)
            _ = try await client.call(
                TestMethods.flaky("registry"), FlakyRequest(key: "spaced", failures: 3), actor: nil,
                options: .patient(retry: spaced))
            let arrivals = observations.flakyArrivals.withLock { $0["spaced"] ?? [] }
            #expect(arrivals.count == 4)
            let gaps = zip(arrivals.dropFirst(), arrivals).map { $0 - $1 }
            for (gap, pause) in zip(gaps, [100, 200, 250]) {
                #expect(gap >= .milliseconds(pause), "a retry came \(gap) after the last attempt, before its pause")
            }
            do {
                _ = try await client.call(
                    TestMethods.flaky("registry"), FlakyRequest(key: "b", failures: 2), actor: nil,
                    options: .patient(retry: .none))
                Issue.record("a single attempt should have failed")
            } catch {
                #expect(statusCode(error) == .unavailable)
            }
            #expect(observations.flakyAttempts.withLock { $0["b"] } == 1)
        }
    }

    @Test func handlerFailuresBecomeInternalWithoutLeakingTheCause() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            do {
                _ = try await client.call(TestMethods.crash("registry"), Empty(), actor: nil)
                Issue.record("should have failed")
            } catch {
                #expect(statusCode(error) == .internal)
                #expect(!"\(error)".contains("leak"))
            }
            _ = try await client.health("registry")
        }
    }

    @Test func rolesAndActorsAreChecked() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            let cases: [(Actor?, StatusCode, String?)] = [
                (nil, .invalidArgument, "actor"),
                (Actor(role: .customer, partnerId: "p-1"), .permissionDenied, nil),
                (Actor(role: .partner), .invalidArgument, "actor.partnerId"),
                (Actor(role: .partner, partnerId: "p-1"), .ok, nil),
                (Actor(role: .service), .ok, nil),
            ]
            for (actor, code, field) in cases {
                do {
                    _ = try await client.call(
                        CommonMethods.readEvents("registry"), ReadEventsRequest(), actor: actor,
                        options: .patient(retry: .none))
                    #expect(code == .ok, "\(String(describing: actor))")
                } catch {
                    #expect(statusCode(error) == code, "\(String(describing: actor))")
                    if let field { #expect((error as? RPCError)?.details.first?.field == field) }
                }
            }
        }
    }

    @Test func idempotencyKeysReplayTheReplyAndRefuseADifferentBody() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            let actor = Actor(role: .partner, partnerId: "p-1")
            let request = EmitRequest(count: 3, label: "once")
            let first = try await client.call(
                TestMethods.emit("registry"), request, actor: actor, options: .patient(idempotencyKey: "key-1"))
            let second = try await client.call(
                TestMethods.emit("registry"), request, actor: actor, options: .patient(idempotencyKey: "key-1"))
            #expect(first == second)
            do {
                _ = try await client.call(
                    TestMethods.emit("registry"), EmitRequest(count: 4, label: "other"), actor: actor,
                    options: .patient(idempotencyKey: "key-1"))
                Issue.record("a reused key with another body was accepted")
            } catch {
                #expect(statusCode(error) == .invalidArgument)
                #expect((error as? RPCError)?.details.first?.field == "idempotencyKey")
            }
            // Bad input changes nothing either.
            await #expect(throws: RPCError.self) {
                _ = try await client.call(
                    TestMethods.emit("registry"), EmitRequest(count: 0, label: "bad"), actor: actor)
            }
            let events = try await client.readEvents("registry", afterSeq: 0)
            #expect(events.lastSeq == 3)
            #expect(events.events.map(\.seq) == [1, 2, 3])
        }
    }

    @Test func readEventsShowsAPartnerOnlyItsOwnTenant() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            _ = try await client.call(
                TestMethods.emit("registry"), EmitRequest(count: 2, label: "a"),
                actor: Actor(role: .partner, partnerId: "p-a"))
            _ = try await client.call(
                TestMethods.emit("registry"), EmitRequest(count: 1, label: "b"),
                actor: Actor(role: .partner, partnerId: "p-b"))
            let mine = try await client.readEvents(
                "registry", afterSeq: 0, actor: Actor(role: .partner, partnerId: "p-b"))
            #expect(mine.events.map(\.seq) == [3])
            #expect(mine.events.allSatisfy { $0.partnerId == "p-b" })
            let all = try await client.readEvents("registry", afterSeq: 0)
            #expect(all.events.count == 3)
            await #expect(throws: RPCError.self) { _ = try await client.readEvents("registry", afterSeq: -1) }
            await #expect(throws: RPCError.self) {
                _ = try await client.readEvents("registry", afterSeq: 0, limit: 5000)
            }
        }
    }

    @Test func setClockMovesOnlyAManualClockAndOnlyForward() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            try await system.start(TestServices.source(), clock: ManualClock(start: start))
            try await system.start(TestServices.consumer())
            let client = try system.client("registry")
            let other = try system.client("matching")
            defer {
                client.close()
                other.close()
            }
            let later = start.addingTimeInterval(3600)
            #expect(try await client.setClock("registry", to: later).now == later)
            do {
                _ = try await client.setClock("registry", to: start)
                Issue.record("moved backwards")
            } catch {
                #expect(statusCode(error) == .invalidArgument)
                #expect((error as? RPCError)?.details.first?.field == "body.now")
            }
            do {
                _ = try await other.setClock("matching", to: later)
                Issue.record("a system clock was set")
            } catch {
                #expect(statusCode(error) == .failedPrecondition)
            }
        }
    }

    @Test func setClockIsForTheServiceRoleAlone() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            try await system.start(TestServices.source(), clock: ManualClock(start: start))
            let client = try system.client("registry")
            defer { client.close() }
            let later = start.addingTimeInterval(3600)
            // One clock serves every tenant: no partner, customer or provider may move it.
            for actor in [
                Actor(role: .partner, partnerId: "p-1", id: "u-1"), Actor(role: .customer, partnerId: "p-1", id: "c-1"),
                Actor(role: .provider, partnerId: "p-1", id: "pr-1"),
            ] {
                do {
                    _ = try await client.setClock("registry", to: later, actor: actor)
                    Issue.record("\(actor.role) moved the clock")
                } catch {
                    #expect(statusCode(error) == .permissionDenied, "\(error)")
                }
            }
            #expect(try await client.health("registry").now == start)
            // The service role moves it, with or without a tenant.
            #expect(try await client.setClock("registry", to: later).now == later)
            let health = try await client.health("registry")
            #expect(health.now == later && health.clock == .manual)
        }
    }

    @Test func gracefulShutdownAnswersCallsInFlight() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let observations = Observations()
            // A drain that outlasts any wait below: the calls end when released, not cut off.
            let application = try await system.start(
                TestServices.source(observations: observations), drainTimeout: Patience.call)
            let client = try system.client("registry")
            defer { client.close() }
            let calls = Task { await Self.concurrentHolds(client, count: 10) }
            // Shut down only once all ten are in the handler, and release them only once the
            // drain has begun (the worker withdrew its credit): the shutdown waits for them.
            try await eventually("ten calls in the handler") {
                observations.holdsRunning.load(ordering: .relaxed) == 10
            }
            let stopped = Task { try await system.stop(application) }
            _ = try await waitForBus(client, "registry") { $0.workers.first?.credit == 0 }
            #expect(observations.holdsRunning.load(ordering: .relaxed) == 10)
            observations.release()
            try await stopped.value
            #expect(await calls.value == Array(repeating: .ok, count: 10))
            #expect(observations.cancellations.load(ordering: .relaxed) == 0)
            await #expect(throws: RPCError.self) {
                _ = try await client.health("registry", options: CallOptions(timeout: .milliseconds(300)))
            }
        }
    }
}
