import Contracts
import Foundation
import OctooTesting
import Synchronization
import Testing
import Transport
import Wire
import ZeroMQ

@testable import OctooBus
@testable import ServiceKit

/// A flag shared with a task.
final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}

@Suite("The worker pool's choice")
struct WorkerPoolTests {
    let now = ContinuousClock.now

    @Test func theMostFreeCreditWinsAndTiesGoToTheLeastRecentlyUsed() {
        var pool = WorkerPool()
        pool.ready(routingId: [1], instance: "a", credit: 2, now: now)
        pool.ready(routingId: [2], instance: "b", credit: 4, now: now)
        #expect(pool.choose() == [2])
        pool.dispatched(to: [2])
        pool.dispatched(to: [2])
        // Both have 2 free now; [1] was never used, so it goes first.
        #expect(pool.choose() == [1])
        pool.dispatched(to: [1])
        #expect(pool.choose() == [2])
        pool.dispatched(to: [2])
        // 1 free each; [1] was used less recently.
        #expect(pool.choose() == [1])
        pool.dispatched(to: [1])
        pool.dispatched(to: [2])
        #expect(pool.choose() == nil)
        #expect(!pool.hasFreeCredit)
        pool.completed(by: [2])
        #expect(pool.choose() == [2])
        // Each worker's own count of what it was handed, for `bus.Status`; a reply does not lower it.
        #expect(pool[[1]]?.dispatched == 2 && pool[[2]]?.dispatched == 4)
    }

    @Test func aDrainingOrBlockedWorkerGetsNothing() {
        var pool = WorkerPool()
        pool.ready(routingId: [1], instance: "a", credit: 3, now: now)
        pool.setCredit([1], 0)
        #expect(pool.choose() == nil)
        pool.setCredit([1], 3)
        pool.block([1])
        #expect(pool.choose() == nil)
        pool.heard([1], now: now)
        #expect(pool.choose() == [1])
    }

    @Test(
        arguments: [[], [0, 1, 2, 3, 4], Array(0..<16), Array(0..<17), Array(repeating: 255, count: 200)] as [[UInt8]])
    func aRoutingIdGivesBackItsBytes(bytes: [UInt8]) {
        let id = RoutingId(bytes)
        #expect(id.frame.bytes == bytes)
        #expect(RoutingId(bytes + [9]) != id)
        #expect(RoutingId(Array(bytes)) == id)
    }

    @Test func silentWorkersAreFound() {
        var pool = WorkerPool()
        pool.ready(routingId: [1], instance: "a", credit: 1, now: now - .seconds(5))
        pool.ready(routingId: [2], instance: "b", credit: 1, now: now)
        #expect(pool.silent(since: now - .seconds(3)) == [[1]])
        #expect(pool.remove([1])?.instance == "a")
        #expect(pool.silent(since: now - .seconds(3)).isEmpty)
    }
}

@Suite("The broker: credit, queue, deadlines, bus.Status", .serialized)
struct BrokerTests {
    @Test func aRequestWithNoWorkerWaitsThenTheBusAnswersDeadlineExceeded() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let client = try system.client("broadcast")
            defer { client.close() }
            let started = ContinuousClock.now
            await #expect {
                _ = try await client.health(
                    "broadcast", options: CallOptions(timeout: .milliseconds(300), retry: .none))
            } throws: { error in
                statusCode(error) == .deadlineExceeded
            }
            // Never before its deadline (a lower bound: no busy machine can make it fail).
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            let status = try await client.busStatus()
            let broadcast = try #require(status.services.first { $0.service == "broadcast" })
            #expect(broadcast.workers.isEmpty)
            // The bus answered it itself (the client may have given up a moment before, so the
            // request may still be queued at the first look).
            let after = try await waitForBus(client, "broadcast") { $0.expiredInQueue >= 1 }
            #expect(after.expiredInQueue == 1)
            #expect(after.queueDepth == 0)
        }
    }

    @Test func aBrokerLoopThatDiesReportsItSoTheProcessCanExit() async throws {
        let context = try ZeroMQ.Context()
        let bus = Bus(context: context, endpoints: .inproc("octoo-dying-\(UUID().uuidString)"))
        let failures = Mutex<[String]>([])
        bus.onFailure { what in failures.withLock { $0.append(what) } }
        try bus.start()
        // Terminating the context makes every broker's poll fail, as a broken socket would.
        context.shutdown()
        try await eventually("the broker's failure reported") { !failures.withLock { $0.isEmpty } }
        let reported = failures.withLock { $0 }
        #expect(reported.count == 1, "the failure is reported once: \(reported)")
        #expect(reported.first?.contains("broker") == true)
        // Stopping a bus whose loops are gone returns at once.
        bus.stop()
    }

    @Test func aFullQueueIsRefusedWithResourceExhausted() async throws {
        let system = try InProcessSystem(broker: BrokerConfiguration(queueLimit: 3))
        try await tearingDown(teardown: system.shutdown) {
            let observations = Observations()
            try await system.start(TestServices.source(observations: observations), maxInFlight: 1)
            let client = try system.client("registry")
            defer { client.close() }
            // One runs, three wait, the rest are refused at once; the running one is held until
            // all eight have been answered or queued, however slowly they arrive.
            let calls = Task { await RPCTests.concurrentHolds(client, count: 8) }
            let full = try await waitForBus(client, "registry") { $0.queueDepth == 3 && $0.rejectedQueueFull == 4 }
            #expect(full.workers.first?.inFlight == 1)
            try await eventually("the dispatched call in the handler") {
                observations.holdsRunning.load(ordering: .relaxed) == 1
            }
            observations.release()
            let codes = await calls.value
            #expect(codes.filter { $0 == .ok }.count == 4, "\(codes)")
            #expect(codes.filter { $0 == .resourceExhausted }.count == 4, "\(codes)")
            let registry = try #require(try await client.busStatus().services.first { $0.service == "registry" })
            #expect(registry.rejectedQueueFull == 4)
            #expect(registry.workers.map(\.instance) == ["registry-test"])
            #expect(registry.workers.first?.credit == 1)
        }
    }

    @Test func theWorkerSeesOnlyWhatIsLeftOfTheBudgetAfterTheWaitAtTheBus() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let observations = Observations()
            try await system.start(TestServices.source(observations: observations), maxInFlight: 1)
            let client = try system.client("registry")
            defer { client.close() }
            // The only credit is held until the test releases it, so the budget call waits at
            // the bus from when it is seen queued to the release, at least.
            let held = Task { try await client.call(TestMethods.hold("registry"), Empty(), actor: nil) }
            try await eventually("the credit held") { observations.holdsRunning.load(ordering: .relaxed) == 1 }
            let budget = Duration.seconds(30)
            let seen = Task {
                try await client.call(
                    TestMethods.budget("registry"), Empty(), actor: nil,
                    options: CallOptions(timeout: budget, retry: .none))
            }
            _ = try await waitForBus(client, "registry") { $0.queueDepth == 1 }
            let queuedBy = ContinuousClock.now
            // Time for the wait to show in the budget; how long it really lasts is measured.
            try await Task.sleep(for: .milliseconds(500))
            let releasedAt = ContinuousClock.now
            observations.release()
            let remaining = try #require(try await seen.value.remainingMs)
            _ = try await held.value
            // The bus took the call before `queuedBy` with at most `budget` left, and handed it on
            // only after the release: whatever the machine's load, the handler saw no more than
            // the budget less the wait between the two.
            let waited = (releasedAt - queuedBy) / .milliseconds(1)
            #expect(waited >= 500)
            #expect(Double(remaining) <= budget / .milliseconds(1) - waited, "the handler saw \(remaining) ms left")
            #expect(remaining > 0)
        }
    }

    @Test func aDeadlineTheQuickScanCannotReadIsStillHonoured() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let observations = Observations()
            try await system.start(TestServices.source(observations: observations))
            // An escape in the method name makes the quick scan give up; the full parser reads it.
            let replies = try await RPCTests.rawExchange(
                system, service: "registry",
                frames: [
                    RPCTests.frame(#"{"id":"slow","method":"registry.Sl\u0065ep","deadlineMs":200,"body":{"ms":4000}}"#)
                ])
            let status = try #require(replies.first?["status"] as? [String: Any])
            #expect(status["code"] as? String == "DEADLINE_EXCEEDED")
            try await eventually("the handler cancelled") { observations.cancellations.load(ordering: .relaxed) > 0 }
            #expect(observations.cancellations.load(ordering: .relaxed) == 1)
        }
    }

    @Test(arguments: ["9223372036854775807", "9223372036854775000", "999999999999999999"])
    func aDeadlineNearInt64MaxIsServedAsNoDeadlineAtAll(deadlineMs: String) async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source())
            // Found by the frame fuzzer: the bus trapped turning this budget into an Int64.
            let replies = try await RPCTests.rawExchange(
                system, service: "registry",
                frames: [
                    RPCTests.frame(#"{"id":"far","method":"registry.Budget","deadlineMs":\#(deadlineMs)}"#),
                    RPCTests.frame(#"{"id":"after","method":"registry.Health"}"#),
                ])
            #expect(replies.map { ($0["status"] as? [String: Any])?["code"] as? String } == ["OK", "OK"])
            let remaining = try #require((replies.first?["body"] as? [String: Any])?["remainingMs"] as? Int64)
            #expect(remaining > 999_999_999_999_000_000)
        }
    }

    @Test func aReplyOverTheSizeLimitBecomesResourceExhausted() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source())
            let client = try system.client("registry")
            defer { client.close() }
            let small = try await client.call(TestMethods.blob("registry"), BlobRequest(bytes: 1000), actor: nil)
            #expect(small.text.count == 1000)
            await #expect {
                _ = try await client.call(TestMethods.blob("registry"), BlobRequest(bytes: 2 << 20), actor: nil)
            } throws: { error in
                statusCode(error) == .resourceExhausted
            }
        }
    }

    @Test func healthAnswersWhileALongComputationRunsOffTheIOThread() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let observations = Observations()
            try await system.start(TestServices.source(observations: observations))
            let client = try system.client("registry")
            defer { client.close() }
            for method in [TestMethods.spin("registry"), TestMethods.yielder("registry")] {
                let before = observations.spinsStarted.load(ordering: .relaxed)
                observations.released.store(false, ordering: .releasing)
                let finished = Flag()
                // It computes until released (a minute at most): Health must not wait for it.
                let long = Task {
                    _ = try await client.call(method, SpinRequest(ms: 60_000), actor: nil, options: .patient())
                    finished.value.store(true, ordering: .relaxed)
                }
                try await eventually("\(method.name) started") {
                    observations.spinsStarted.load(ordering: .relaxed) > before
                }
                let health = try await client.health("registry", options: .patient())
                #expect(health.status == .serving)
                let finishedFirst = finished.value.load(ordering: .relaxed)
                #expect(!finishedFirst, "Health waited for \(method.name)")
                observations.release()
                try await long.value
            }
        }
    }
}

@Suite("Readiness: a read model takes requests only once caught up")
struct ReadinessTests {
    @Test(arguments: [
        ([EventSourceState.current, .current], false, true),
        ([.current, .catchingUp], false, false),
        ([.current, .catchingUp], true, true),
        ([.current, .failing], true, false),
        ([.dataLoss], false, false),
        ([], false, true),
    ])
    func whenAWorkerMayServe(states: [EventSourceState], serving: Bool, expected: Bool) {
        #expect(Readiness.canServe(states, serving: serving) == expected)
    }

    @Test func aConsumerAnnouncesNoCreditUntilItsSourceHasBeenReadThenServes() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            var consumer = TestServices.consumer("matching", of: "registry")
            consumer.readyAfterCatchUp = true
            try await system.start(consumer, waitUntilServing: false)
            let client = try system.client("matching")
            defer { client.close() }
            // Its source is not running: the worker is connected but takes nothing.
            let waiting = try await waitForBus(client, "matching") { $0.workers.count == 1 }
            #expect(waiting.workers.first?.credit == 0)
            await #expect {
                _ = try await client.health("matching", options: CallOptions(timeout: .milliseconds(300), retry: .none))
            } throws: { error in
                statusCode(error) == .deadlineExceeded
            }
            try await system.start(TestServices.source())
            let ready = try await waitForBus(client, "matching") { $0.workers.first?.credit == 64 }
            #expect(ready.workers.count == 1)
            #expect(try await client.health("matching").status == .serving)
        }
    }
}
