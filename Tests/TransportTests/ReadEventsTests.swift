import Contracts
import Foundation
import GRDB
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Testing
import Transport
import Wire

@Suite("ReadEvents: epochs, a partner's own lastSeq, pages by size", .serialized)
struct ReadEventsTests {
    static let partner = Actor(role: .partner, partnerId: "p-1")

    @Test func everyEventAndReplyCarriesTheOutboxEpochWhichOnlyANewDatabaseChanges() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source())
            let client = try system.client("registry")
            defer { client.close() }
            _ = try await client.call(
                TestMethods.emit("registry"), EmitRequest(count: 2, label: "e"), actor: Self.partner)
            let epoch = source.environment.database.outbox.epoch
            #expect(!epoch.isEmpty)
            let page = try await client.readEvents("registry", afterSeq: 0)
            #expect(page.epoch == epoch)
            #expect(page.events.map(\.epoch) == [epoch, epoch])

            // The same file keeps its epoch across a restart; another file has its own.
            try await system.stop(source)
            let restarted = try await system.start(TestServices.source())
            #expect(restarted.environment.database.outbox.epoch == epoch)
            let other = try ServiceDatabase(
                path: (system.dataDirectory as NSString).appendingPathComponent("other.sqlite"), source: "registry",
                durability: .normal)
            #expect(other.outbox.epoch != epoch)
        }
    }

    @Test func eventsAndRepliesWithoutAnEpochStillDecode() throws {
        let event = try WireCoding.decode(
            Event.self,
            from: Array(
                #"""
                {"source":"registry","seq":3,"type":"thing.happened","occurredAt":"2026-11-22T19:00:00Z","data":{}}
                """#.utf8))
        #expect(event.epoch == nil && event.seq == 3)
        let reply = try WireCoding.decode(ReadEventsResponse.self, from: Array(#"{"events":[],"lastSeq":0}"#.utf8))
        #expect(reply.epoch == nil)
    }

    @Test func aPartnerReadsItsOwnLastSeq() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            let a = Actor(role: .partner, partnerId: "p-a")
            let b = Actor(role: .partner, partnerId: "p-b")
            _ = try await client.call(TestMethods.emit("registry"), EmitRequest(count: 2, label: "a"), actor: a)
            _ = try await client.call(TestMethods.emit("registry"), EmitRequest(count: 1, label: "b"), actor: b)
            _ = try await client.call(TestMethods.emit("registry"), EmitRequest(count: 2, label: "a"), actor: a)
            let mine = try await client.readEvents("registry", afterSeq: 0, actor: b)
            #expect(mine.events.map(\.seq) == [3])
            #expect(mine.lastSeq == 3)
            #expect(try await client.readEvents("registry", afterSeq: 0, actor: a).lastSeq == 5)
            let none = try await client.readEvents(
                "registry", afterSeq: 0, actor: Actor(role: .partner, partnerId: "p-c"))
            #expect(none.events.isEmpty && none.lastSeq == 0)
            #expect(try await client.readEvents("registry", afterSeq: 0).lastSeq == 5)
        }
    }

    @Test func aPartnersEventsAreFoundThroughTheOutboxIndex() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            let source = try await system.start(TestServices.source())
            let plans = try await source.environment.database.pool.read { db in
                try [
                    "SELECT * FROM outbox WHERE seq > 0 AND partnerId = 'p-1' ORDER BY seq LIMIT 500",
                    "SELECT MAX(seq) FROM outbox WHERE partnerId = 'p-1'",
                ].map { sql in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)").map { $0["detail"] as String } }
            }
            for plan in plans {
                #expect(plan.contains { $0.contains("outbox_partnerId_seq") }, "\(plan)")
            }
        }
    }

    @Test func aPageStopsBeforeTheReplyWouldOutgrowAMessage() async throws {
        let fixture = try await SourceFixture.start()
        try await tearingDown(teardown: fixture.stop) {
            let client = fixture.client
            // Five events of about 400 KB: two fit in a 1 MiB reply, three do not.
            for index in 0..<5 {
                let label = String(repeating: "\(index)", count: 400_000)
                _ = try await client.call(
                    TestMethods.emit("registry"), EmitRequest(count: 1, label: label), actor: Self.partner,
                    options: .patient())
            }
            var pages: [[Int64]] = []
            var after: Int64 = 0
            while after < 5 {
                let page = try await client.readEvents("registry", afterSeq: after, limit: 100)
                #expect(page.lastSeq == 5)
                #expect(try WireCoding.encode(page).count <= LengthPrefixedFrame.defaultMaxMessageBytes)
                guard let last = page.events.last else { break }
                pages.append(page.events.map(\.seq))
                after = last.seq
            }
            #expect(pages == [[1, 2], [3, 4], [5]])
        }
    }
}
