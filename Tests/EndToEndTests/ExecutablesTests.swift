import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire
import ZeroMQ

@Suite("The real executables over loopback TCP", .serialized)
struct ExecutablesTests {
    @Test func busAndFourServicesAnswerTheCommonMethods() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            for service in BusEndpoints.services { try system.start(service) }
            for service in BusEndpoints.services {
                try await system.waitUntilServing(service)
                let client = try system.client(service)
                defer { client.close() }
                let health = try await client.health(service)
                #expect(health.status == .serving)
                #expect(health.service == service)
                let described = try await client.describe(service)
                #expect(described.protocolVersion == 1)
                // What the running executable describes is exactly what docs/api.md is generated from.
                // Through JSON, as the executable's reply came (a whole number reads back as an integer).
                let reference = try APIReference.described.first { $0.service == service }.map {
                    try WireCoding.decode(DescribeResponse.self, from: WireCoding.encode($0))
                }
                #expect(described.methods.map(\.name) == reference?.methods.map(\.name))
                for (live, declared) in zip(described.methods, reference?.methods ?? []) where live != declared {
                    Issue.record("\(live.name) is described otherwise than docs/api.md says")
                }
                #expect(
                    Set(described.methods.map(\.name)).isSuperset(of: [
                        "\(service).Health", "\(service).Describe", "\(service).ReadEvents", "\(service).SetClock",
                    ]))
                let events = try await client.readEvents(service, afterSeq: 0)
                #expect(events.lastSeq >= 0)
                await #expect(throws: RPCError.self) {
                    _ = try await client.setClock(service, to: Date())
                }
            }
            // Bad frames get error replies and the service keeps answering.
            let replies = try await Self.raw(
                system.context, endpoint: system.endpoints.client("opportunities"),
                frames: [
                    [1, 2], LengthPrefixedFrame.encode(Array("[]".utf8)),
                    LengthPrefixedFrame.encode(Array(#"{"id":"h","method":"opportunities.Health"}"#.utf8)),
                ])
            #expect(replies.map(\.code) == ["INVALID_ARGUMENT", "INVALID_ARGUMENT", "OK"])
            for service in BusEndpoints.services {
                #expect(await system.terminate(service) == 0, "\(service) log: \(system.log(service))")
            }
            #expect(await system.terminate("octoo-bus") == 0)
        }
    }

    @Test func sigtermWhileCallsAreInFlightAnswersThemThenExitsZero() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            try system.start("octoo-test-service", as: "slow", arguments: ["--as", "matching"])
            try await system.waitUntilServing("matching")
            let client = try system.client("matching")
            defer { client.close() }
            let sleep = MethodDescriptor<SleepBody, SleptBody>(
                "matching.Sleep", idempotent: false, roles: nil, summary: "", request: JSONSchema.any,
                response: JSONSchema.any)
            let calls = Task {
                await withTaskGroup(of: String.self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            do {
                                _ = try await client.call(
                                    sleep, SleepBody(ms: 5000), actor: nil,
                                    options: .patient(retry: .none))
                                return "OK"
                            } catch {
                                return (error as? RPCError)?.code.name ?? "\(error)"
                            }
                        }
                    }
                    var codes: [String] = []
                    for await code in group { codes.append(code) }
                    return codes
                }
            }
            // SIGTERM once the bus has handed all twelve to the worker, well inside their 5 s.
            let handed = try await waitForBus(client, "matching") { $0.workers.first?.inFlight == 12 }
            #expect(handed.dispatched >= 12)
            let status = await system.terminate("slow")
            #expect(await calls.value == Array(repeating: "OK", count: 12))
            #expect(status == 0, "log: \(system.log("slow"))")
        }
    }

    @Test func theClientReportsDeadlineExceededForASlowService() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            try system.start("octoo-test-service", as: "slow", arguments: ["--as", "broadcast"])
            try await system.waitUntilServing("broadcast")
            let client = try system.client("broadcast")
            defer { client.close() }
            let sleep = MethodDescriptor<SleepBody, SleptBody>(
                "broadcast.Sleep", idempotent: false, roles: nil, summary: "", request: JSONSchema.any,
                response: JSONSchema.any)
            do {
                _ = try await client.call(
                    sleep, SleepBody(ms: 3000), actor: nil, options: CallOptions(timeout: .milliseconds(300)))
                Issue.record("a 3 s call returned within 300 ms")
            } catch {
                #expect(statusCode(error) == .deadlineExceeded)
            }
            // Nothing answers a service that is not running: the client's own deadline.
            let absent = try system.client("registry")
            defer { absent.close() }
            await #expect(throws: RPCError.self) {
                _ = try await absent.health("registry", options: CallOptions(timeout: .milliseconds(300)))
            }
        }
    }

    struct SleepBody: Codable, Sendable { var ms: Int }
    struct SleptBody: Codable, Sendable { var sleptMs: Int }

    struct RawReply { var code: String }

    static func raw(_ context: ZeroMQ.Context, endpoint: String, frames: [[UInt8]]) async throws -> [RawReply] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let socket = try Socket(context: context, type: .dealer)
                    defer { socket.close(lingerMs: 0) }
                    try socket.setReceiveTimeout(ms: 5000)
                    try socket.connect(endpoint)
                    var replies: [RawReply] = []
                    for frame in frames {
                        try socket.send([frame])
                        guard let reply = try socket.receive() else { throw RPCError(.deadlineExceeded, "no reply") }
                        let head = try Envelope.parseReplyHead(
                            try LengthPrefixedFrame.decode(reply.last!, maxMessageBytes: Int.max).get())
                        replies.append(RawReply(code: head.status.code.name))
                    }
                    continuation.resume(returning: replies)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}

@Suite("The octoo command", .serialized)
struct OctooCommandTests {
    static func run(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = ExecutableSystem.binaryDirectory.appendingPathComponent("octoo")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = PipeReader(pipe)
        if (try? await eventually("octoo \(arguments.first ?? "") exited", timeout: timeout) { !process.isRunning })
            == nil
        {
            process.terminate()
        }
        await process.exited()
        return (process.terminationStatus, await output.text)
    }

    @Test func upRunsTheDemoAndStopsCleanly() async throws {
        let system = try ExecutableSystem()  // only for its free ports and data folder
        try await tearingDown(teardown: system.shutdown) {
            let result = try await Self.run(
                [
                    "up", "--data-dir", system.dataDirectory, "--manual-clock", "--demo", "--stop-after-demo",
                    "--speed", "0",
                ]
                    + system.commonArguments)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("octoo: ready"))
            #expect(result.output.components(separatedBy: "SERVING").count - 1 >= 4)
            #expect(result.output.contains("octoo: stopped cleanly"))
            for service in BusEndpoints.services {
                #expect(FileManager.default.fileExists(atPath: "\(system.dataDirectory)/\(service).sqlite"))
            }
        }
    }

    @Test func healthAndCallReportAnUnreachableSystem() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            let health = try await Self.run(["health", "--timeout-ms", "200"] + system.commonArguments)
            #expect(health.status == 1)
            #expect(health.output.contains("UNREACHABLE"))
            let badBody = try await Self.run(["call", "registry.Health", "{not json"] + system.commonArguments)
            #expect(badBody.status != 0)
            #expect(badBody.output.contains("not valid JSON"))
        }
    }

    @Test func healthAndCallAgainstARunningSystem() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            for service in BusEndpoints.services { try system.start(service) }
            for service in BusEndpoints.services { try await system.waitUntilServing(service) }
            // Not a test of deadlines: the CLI's calls get room for a busy machine.
            let patient = ["--timeout-ms", "30000"]
            let health = try await Self.run(["health", "--json"] + patient + system.commonArguments)
            #expect(health.status == 0, "\(health.output)")
            #expect(health.output.components(separatedBy: "\"SERVING\"").count - 1 == 4)
            let call = try await Self.run(
                ["call", "matching.ReadEvents", #"{"afterSeq":0}"#, "--role", "service"] + patient
                    + system.commonArguments)
            #expect(call.status == 0, "\(call.output)")
            #expect(call.output.contains("\"lastSeq\""))
            let denied = try await Self.run(
                ["call", "matching.ReadEvents", "{}", "--role", "customer", "--partner", "p-1"] + patient
                    + system.commonArguments
            )
            #expect(denied.status == 1)
            #expect(denied.output.contains("PERMISSION_DENIED"))
        }
    }
}
