import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// The broker as an operator meets it: services missing, hung, killed; the bus restarted.
@Suite("The bus under faults (real executables)", .serialized)
struct BrokerFaultTests {
    static let partner = Actor(role: .partner, partnerId: "p-faults", id: "u-1")

    static let sleep = MethodDescriptor<ExecutablesTests.SleepBody, ExecutablesTests.SleptBody>(
        "matching.Sleep", idempotent: false, roles: nil, summary: "", request: JSONSchema.any, response: JSONSchema.any)

    /// How little CPU the bus uses meanwhile is a ratio `octoo-bench waiting` measures on a quiet
    /// machine (Benchmarks/RESULTS.md): no test on a busy one can hold it.
    @Test func withNoWorkerTheBusAnswersEachRequestAtItsDeadline() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.start("octoo-bus", service: false)
            let client = try system.client("registry")
            defer { client.close() }
            _ = try await waitForBus(client, "registry") { _ in true }
            let started = ContinuousClock.now
            let codes = await concurrentCalls(100) { index in
                let options = CallOptions(timeout: .seconds(5), retry: .none)
                if index == 0 {
                    // A mutation that must never be applied once its caller has given up.
                    _ = try await client.call(
                        Registry.createDocumentType, CreateDocumentTypeRequest(name: "too-late"), actor: Self.partner,
                        options: options)
                } else {
                    _ = try await client.health("registry", options: options)
                }
            }
            #expect(codes.count == 100 && codes.allSatisfy { $0 == .deadlineExceeded }, "\(codes)")
            // Never before the deadline (a lower bound, which no busy machine can break).
            #expect(ContinuousClock.now - started >= .seconds(5))
            let registry = try await waitForBus(client, "registry") { $0.expiredInQueue == 100 }
            #expect(registry.queueDepth == 0)
            #expect(registry.dispatched == 0)

            try system.start("registry")
            try await system.waitUntilServing("registry")
            let types = try await client.call(
                Registry.listDocumentTypes, ListDocumentTypesRequest(), actor: Self.partner)
            #expect(types.documentTypes.isEmpty, "a request answered DEADLINE_EXCEEDED was applied later")
        }
    }

    @Test func aHungReplicaIsDroppedAndEveryCallGoesToTheOther() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            let hung = try system.start(
                "octoo-test-service", as: "m1", arguments: ["--as", "matching", "--instance", "m1"])
            try system.start("octoo-test-service", as: "m2", arguments: ["--as", "matching", "--instance", "m2"])
            let client = try system.client("matching")
            defer { client.close() }
            _ = try await waitForBus(client, "matching") { $0.workers.count == 2 }
            kill(hung.processIdentifier, SIGSTOP)
            defer { kill(hung.processIdentifier, SIGCONT) }
            let afterDetection = try await waitForBus(client, "matching") { $0.workers.count == 1 }
            #expect(afterDetection.workers.map(\.instance) == ["m2"])
            var codes: [StatusCode] = []
            for _ in 0..<100 {
                do {
                    _ = try await client.call(
                        Self.sleep, ExecutablesTests.SleepBody(ms: 0), actor: nil,
                        options: .patient(retry: .none))
                    codes.append(.ok)
                } catch {
                    codes.append(statusCode(error))
                }
            }
            #expect(codes.allSatisfy { $0 == .ok }, "\(codes.filter { $0 != .ok })")
            // Woken up, the replica is told it is unknown and announces itself again.
            kill(hung.processIdentifier, SIGCONT)
            let rejoined = try await waitForBus(client, "matching") { $0.workers.count == 2 }
            #expect(rejoined.workers.map(\.instance) == ["m1", "m2"])
        }
    }

    @Test func callsHeldByAKilledWorkerAreAnsweredUnknown() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            let worker = try system.start("octoo-test-service", as: "doomed", arguments: ["--as", "matching"])
            let client = try system.client("matching")
            defer { client.close() }
            _ = try await waitForBus(client, "matching") { $0.workers.count == 1 }
            let calls = Task {
                await concurrentCalls(5) { _ in
                    _ = try await client.call(
                        Self.sleep, ExecutablesTests.SleepBody(ms: 30_000), actor: nil,
                        options: .patient(retry: .none))
                }
            }
            _ = try await waitForBus(client, "matching") { $0.workers.first?.inFlight == 5 }
            kill(worker.processIdentifier, SIGKILL)
            let codes = await calls.value
            // Answered by the bus once the worker's heartbeats stopped: UNKNOWN, which only the
            // bus's loss of the worker gives; the calls' own deadline would have given
            // DEADLINE_EXCEEDED. How soon, against the heartbeat window, `octoo-bench waiting`
            // measures.
            #expect(codes == Array(repeating: .unknown, count: 5), "\(codes)")
            let matching = try await waitForBus(client, "matching") { $0.workers.isEmpty }
            #expect(matching.lostWithWorker == 5)
        }
    }

    @Test func fiveHundredCallsPipelinedOnOneSocketAllSucceed() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            try system.start("registry")
            try await system.waitUntilServing("registry")
            let client = try system.client("registry")
            defer { client.close() }
            let codes = await concurrentCalls(500) { _ in
                _ = try await client.call(
                    Registry.listDocumentTypes, ListDocumentTypesRequest(), actor: Self.partner,
                    options: .patient(retry: .none))
            }
            #expect(
                codes.filter { $0 == .ok }.count == 500, "\(Dictionary(grouping: codes, by: \.self).mapValues(\.count))"
            )
        }
    }

    @Test func aServiceStartedBeforeTheBusAndABusRestartedUnderItBothRecover() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.start("registry")
            // Up before the bus: it has opened its database and is trying to reach the bus.
            let database = (system.dataDirectory as NSString).appendingPathComponent("registry.sqlite")
            try await eventually("the registry started") { FileManager.default.fileExists(atPath: database) }
            #expect(system.process("registry")?.isRunning == true)
            let firstBus = try system.start("octoo-bus", as: "bus-1", service: false)
            try await system.waitUntilServing("registry")
            kill(firstBus.processIdentifier, SIGKILL)
            await firstBus.exited()
            try system.start("octoo-bus", as: "bus-2", service: false)
            try await system.waitUntilServing("registry")
            let client = try system.client("registry")
            defer { client.close() }
            let registry = try await waitForBus(client, "registry") { $0.workers.count == 1 }
            #expect(registry.workers.first?.credit == 64)
            _ = await system.terminate("bus-2")
        }
    }
}
