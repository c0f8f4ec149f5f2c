import Foundation
import GRDB
import OctooTesting
import Synchronization
import Testing
import Transport
import Wire

/// What a subscriber takes from the event port: content only from publishers the bus checked,
/// otherwise only a sign to read the source.
@Suite("Event subscriber: what it takes from the event port", .serialized)
struct PublishedEventTrustTests {
    /// Events as a forger would make them: the source's name, seqs and epoch, other data.
    static func forgeries(of events: [Event]) -> [Event] {
        events.map {
            Event(
                source: $0.source, seq: $0.seq, type: $0.type, occurredAt: $0.occurredAt, partnerId: $0.partnerId,
                data: .object(["n": .integer(-1)]), epoch: $0.epoch)
        }
    }

    @Test func wakeUpsApplyOnlyWhatReadEventsGives() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            let data = Mutex<[Int64: JSONValue]>([:])
            let fixture = try SubscriberFixture(
                system, sources: ["registry"], trust: .wakeUpOnly,
                apply: { _, event in data.withLock { $0[event.seq] = event.data } })
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }

            // Forged events 1...3 with the source's epoch, for events the source does not have yet.
            let upcoming = (1...3).map {
                Event(
                    source: "registry", seq: Int64($0), type: "thing.happened", occurredAt: Date(), partnerId: "p-1",
                    data: .object([:]), epoch: source.script.epoch.withLock { $0 })
            }
            let reads = source.reads
            try await source.publish(Self.forgeries(of: upcoming), "a catch-up for the forged events") {
                source.reads > reads
            }
            #expect(try fixture.applied("registry") == [])
            #expect(fixture.status("registry")?.buffered == 0)

            // The genuine events, published, are read from the source: its data, never the forger's.
            let genuine = source.append(3)
            try await source.publish(genuine, "the genuine events applied") {
                try fixture.applied("registry") == [1, 2, 3]
            }
            try await source.publish(Self.forgeries(of: genuine), "forgeries of applied events ignored") { true }
            #expect(data.withLock { $0 } == Dictionary(uniqueKeysWithValues: genuine.map { ($0.seq, $0.data) }))
            await fixture.stop()
            await source.stop()
        }
    }

    @Test func aFloodOfForgedAnnouncementsCostsCatchUpsWithBackoffNotOneEach() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            let fixture = try SubscriberFixture(
                system, sources: ["registry"], trust: .wakeUpOnly,
                backoff: EventRetryBackoff(initial: .milliseconds(200), maximum: .seconds(5)))
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            let epoch = source.script.epoch.withLock { $0 }
            let reads = source.reads
            // Each announces a seq the source never had: every catch-up after one comes up short.
            for seq in 1...300 {
                try source.publisher.send([
                    Event(
                        source: "registry", seq: Int64(1000 + seq), type: "thing.happened", occurredAt: Date(),
                        partnerId: "p-1", data: .object([:]), epoch: epoch)
                ])
                try await Task.sleep(for: .milliseconds(2))
            }
            try await eventually("at least one catch-up for the announcements") { source.reads > reads }
            #expect(source.reads - reads < 100, "\(source.reads - reads) catch-ups for 300 announcements")
            #expect(try fixture.applied("registry") == [])

            // The source then has events of its own: they still arrive.
            let genuine = source.append(2)
            try await source.publish(genuine, "the genuine events applied") {
                try fixture.applied("registry") == [1, 2]
            }
            await fixture.stop()
            await source.stop()
        }
    }

    @Test func aCheckedPublisherEventWithoutAnEpochIsNotHeld() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            let fixture = try SubscriberFixture(system, sources: ["registry"], trust: .publisherChecked)
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            source.setMode(.fail)
            let genuine = source.append(3)
            let unnamed = Self.forgeries(of: genuine).map {
                Event(
                    source: $0.source, seq: $0.seq, type: $0.type, occurredAt: $0.occurredAt, partnerId: $0.partnerId,
                    data: $0.data, epoch: nil)
            }
            let reads = source.reads
            try await source.publish(unnamed, "a catch-up asked for by events without an epoch") {
                source.reads > reads
            }
            #expect(fixture.status("registry")?.buffered == 0)
            #expect(try fixture.applied("registry") == [])
            source.setMode(.serve(upTo: nil))
            fixture.subscriber.catchUpNow("registry")
            try await eventually("the genuine events applied") { try fixture.applied("registry") == [1, 2, 3] }
            await fixture.stop()
            await source.stop()
        }
    }

    @Test func theBufferHoldsNoMoreBytesThanItsCap() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await ScriptedSource(system, name: "registry")
            let fixture = try SubscriberFixture(
                system, sources: ["registry"], bufferBytes: 4096, trust: .publisherChecked,
                backoff: EventRetryBackoff(initial: .seconds(3600), maximum: .seconds(3600)))
            try await eventually("the registry source is current") { fixture.status("registry")?.state == .current }
            source.setMode(.fail)
            let events = source.append(60)
            let size = LengthPrefixedFrame.encode(try WireCoding.encode(events[1])).count
            try await source.publish(Array(events.dropFirst()), "the buffer full") {
                (fixture.status("registry")?.buffered ?? 0) >= 4096 / (size + 8)
            }
            let held = try #require(fixture.status("registry")?.buffered)
            #expect(held * size <= 4096 && held < 59, "\(held) events of \(size) bytes held")
            source.setMode(.serve(upTo: nil))
            fixture.subscriber.catchUpNow("registry")
            try await eventually("every event applied") { try fixture.applied("registry") == Array(1...60) }
            await fixture.stop()
            await source.stop()
        }
    }
}
