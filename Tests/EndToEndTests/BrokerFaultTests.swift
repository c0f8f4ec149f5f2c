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

    /// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(fields[11])! + Double(fields[12])!
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static let sleep = MethodDescriptor<ExecutablesTests.SleepBody, ExecutablesTests.SleptBody>(
        "matching.Sleep", idempotent: false, roles: nil, summary: "", request: JSONSchema.any, response: JSONSchema.any)

    @Test func withNoWorkerTheBusIdlesAndAnswersEachRequestAtItsDeadline() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            let bus = try system.start("octoo-bus", service: false)
            let client = try system.client("registry")
            defer { client.close() }
            _ = try await waitForBus(client, "registry") { _ in true }
            let cpuBefore = try Self.cpuSeconds(bus.processIdentifier)
            let started = ContinuousClock.now
            let codes = await concurrentCalls(100) { index in
                let options = CallOptions(timeout: .milliseconds(5000), retry: .none)
                if index == 0 {
                    // A mutation that must never be applied once its caller has given up.
                    _ = try await client.call(
                        Registry.createDocumentType, CreateDocumentTypeRequest(name: "too-late"), actor: Self.partner,
                        options: options)
                } else {
                    _ = try await client.health("registry", options: options)
                }
            }
            let elapsed = ContinuousClock.now - started
            let cpu = try Self.cpuSeconds(bus.processIdentifier) - cpuBefore
            #expect(codes.count == 100 && codes.allSatisfy { $0 == .deadlineExceeded }, "\(codes)")
            #expect(elapsed >= .seconds(5))
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            #expect(cpu / seconds < 0.05, "the bus used \(cpu) s of CPU in \(seconds) s with 100 requests waiting")
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
                        options: CallOptions(timeout: .seconds(2), retry: .none))
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
                        options: CallOptions(timeout: .seconds(60), retry: .none))
                }
            }
            _ = try await waitForBus(client, "matching") { $0.workers.first?.inFlight == 5 }
            let killedAt = ContinuousClock.now
            kill(worker.processIdentifier, SIGKILL)
            let codes = await calls.value
            // Answered by the bus once the worker's heartbeats stopped, long before the calls' own 60 s.
            #expect(codes == Array(repeating: .unknown, count: 5), "\(codes)")
            #expect(ContinuousClock.now - killedAt < .seconds(30))
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
                    options: CallOptions(timeout: .seconds(30), retry: .none))
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
            try await Task.sleep(for: .milliseconds(500))
            let firstBus = try system.start("octoo-bus", as: "bus-1", service: false)
            try await system.waitUntilServing("registry")
            kill(firstBus.processIdentifier, SIGKILL)
            await firstBus.exited()
            try system.start("octoo-bus", as: "bus-2", service: false)
            try await system.waitUntilServing("registry", timeout: .seconds(20))
            let client = try system.client("registry")
            defer { client.close() }
            let registry = try await waitForBus(client, "registry") { $0.workers.count == 1 }
            #expect(registry.workers.first?.credit == 64)
            _ = await system.terminate("bus-2")
        }
    }
}
