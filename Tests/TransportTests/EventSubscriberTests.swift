import Foundation
import GRDB
import OctooTesting
import Store
import Synchronization
import Testing
import Transport
import Wire

@Suite("Event subscriber: buffers per source, catch-up with backoff, failing sources, stop", .serialized)
struct EventSubscriberTests {
    @Test func retryPausesDoubleToTheirCapAndAreJitteredWithinTheUpperHalf() {
        let backoff = EventRetryBackoff.standard
        let bounds: [Duration] = [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
            .milliseconds(3200), .seconds(5), .seconds(5), .seconds(5),
        ]
        for (index, bound) in bounds.enumerated() {
            for _ in 0..<50 {
                let delay = backoff.delay(afterFailures: index + 1)
                #expect(delay >= bound / 2 && delay <= bound, "after \(index + 1) failures: \(delay)")
            }
        }
        #expect(backoff.delay(afterFailures: 10_000) <= .seconds(5))
    }

    @Test func aGapIsCaughtUpOnceThenWithBackoffNotOnEveryLaterEvent() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            // Backoff of an hour: after one failed attempt, no other catch-up may come during the test.
            let fixture = try SubscriberFixture(
                system, sources: ["registry"],
                backoff: EventRetryBackoff(initial: .seconds(3600), maximum: .seconds(3600)))
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            #expect(source.reads == 1)

            // Event 1 never arrives and ReadEvents fails: the gap's first event starts one catch-up.
            source.append(100)
            source.setMode(.fail)
            try await source.publish(source.events(2...50), "49 events buffered") {
                fixture.status("registry")?.buffered == 49
            }
            try await eventually("a second ReadEvents") { source.reads == 2 }
            try await source.publish(source.events(51...100), "99 events buffered") {
                fixture.status("registry")?.buffered == 99
            }
            #expect(source.reads == 2)
            let waiting = try #require(fixture.status("registry"))
            #expect(waiting.state == .catchingUp && waiting.appliedSeq == 0 && waiting.lastError != nil)

            // Once ReadEvents yields event 1, the 99 held events follow it from the buffer.
            source.setMode(.serve(upTo: 1))
            fixture.subscriber.catchUpNow("registry")
            try await eventually("the registry source current at seq 100") {
                fixture.status("registry").map { $0.state == .current && $0.appliedSeq == 100 } ?? false
            }
            #expect(try fixture.applied("registry") == Array(1...100))
            #expect(source.reads == 3)
            await fixture.stop()
            await source.stop()
        }
    }

    @Test func aFailedCatchUpIsRetriedWithBackoffUntilItSucceeds() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            source.append(20)
            source.setMode(.fail)
            let fixture = try SubscriberFixture(system, sources: ["registry"])
            try await eventually("three ReadEvents") { source.reads >= 3 }
            #expect(fixture.status("registry")?.state == .catchingUp)
            source.setMode(.serve(upTo: nil))
            try await eventually("20 registry events applied") { try fixture.applied("registry").count >= 20 }
            #expect(try fixture.applied("registry") == Array(1...20))
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            await fixture.stop()
            await source.stop()
        }
    }

    @Test func aFailingEventHoldsBackOnlyItsOwnSourceAndIsRetried() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let registry = try await ScriptedSource(system, name: "registry")
            let broadcast = try await ScriptedSource(system, name: "broadcast")
            registry.append(10)
            broadcast.append(10)
            let broken = Atomic<Bool>(true)
            let fixture = try SubscriberFixture(
                system, sources: ["registry", "broadcast"], bufferSize: 5,
                apply: { _, event in
                    if broken.load(ordering: .relaxed) && event.source == "registry" && event.seq == 4 {
                        throw RPCError(.internal, "registry 4 does not apply")
                    }
                })
            try await eventually("the registry source failing") { fixture.status("registry")?.state == .failing }
            try await eventually("10 broadcast events applied") { try fixture.applied("broadcast").count == 10 }
            let failing = try #require(fixture.status("registry"))
            #expect(failing.appliedSeq == 3 && failing.failingSeq == 4)
            #expect(failing.lastError?.contains("registry 4 does not apply") == true)

            // The failing source's buffer fills up; the other's events still arrive by the fast path
            // alone (its ReadEvents now fails) and apply.
            let more = registry.append(20)
            try await registry.publish(more, "the failing source's buffer full") {
                fixture.status("registry")?.buffered == 5
            }
            broadcast.setMode(.fail)
            let next = broadcast.append(10)
            try await broadcast.publish(next, "20 broadcast events applied") {
                try fixture.applied("broadcast").count == 20
            }
            #expect(try fixture.applied("broadcast") == Array(1...20))
            #expect(fixture.status("registry")?.state == .failing)
            #expect(try fixture.applied("registry") == [1, 2, 3])

            broken.store(false, ordering: .relaxed)
            // The status follows each commit, so it is the one to wait for.
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            #expect(try fixture.applied("registry") == Array(1...30))
            let recovered = try #require(fixture.status("registry"))
            #expect(recovered.failingSeq == nil && recovered.appliedSeq == 30)
            await fixture.stop()
            await registry.stop()
            await broadcast.stop()
        }
    }

    @Test func aQuietSourceIsCaughtUpOnItsIdleTickWhileAnotherHasTraffic() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let quiet = try await ScriptedSource(system, name: "registry")
            let busy = try await ScriptedSource(system, name: "broadcast")
            quiet.append(5)
            let fixture = try SubscriberFixture(
                system, sources: ["registry", "broadcast"], idleCatchUp: .milliseconds(200))
            try await eventually("registry events 1…5 applied") { try fixture.applied("registry") == Array(1...5) }
            // The quiet source's last event is never published: only its idle catch-up can bring it,
            // while the other source publishes all the time.
            quiet.append(1)
            let traffic = Task {
                while !Task.isCancelled {
                    try busy.publisher.send(busy.append(1))
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await eventually("registry events 1…6 applied") { try fixture.applied("registry") == Array(1...6) }
            traffic.cancel()
            _ = await traffic.result
            await fixture.stop()
            await quiet.stop()
            await busy.stop()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func afterStopNothingMoreIsAppliedAndRunReturns() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            let entered = Atomic<Bool>(false)
            let release = DispatchSemaphore(value: 0)
            let fixture = try SubscriberFixture(
                system, sources: ["registry"],
                apply: { _, event in
                    // The first event waits, mid-transaction, until the test has called stop().
                    if event.seq == 1 {
                        entered.store(true, ordering: .relaxed)
                        release.wait()
                    }
                })
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            // Only the fast path, so the events are held in the buffer behind the first one.
            source.setMode(.fail)
            let events = source.append(50)
            try await source.publish(events, "the first event applying and 50 buffered") {
                entered.load(ordering: .relaxed) && fixture.status("registry")?.buffered == 50
            }
            fixture.subscriber.stop()
            release.signal()
            await fixture.stop()
            // The event in progress at the stop commits or rolls back; nothing after it is applied.
            let applied = try fixture.applied("registry")
            #expect(applied == [] || applied == [1], "\(applied)")
            await source.stop()
        }
    }
}
