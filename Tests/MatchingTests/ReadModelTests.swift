import Contracts
import Foundation
import GRDB
import Testing
import Wire

@testable import MatchingService

/// The read model fed events directly on an in-memory database: what each event leaves, the
/// R*Tree's candidates, paging of the filtered list, and a rebuild that equals the original.
@Suite("Read model: events in, ranking out")
struct ReadModelTests {
    typealias F = RankerFixture

    static func job(
        _ customer: String = "c-1", location: GeoPoint? = F.chicago, required: [String] = []
    ) -> JobDescription {
        JobDescription(
            customerId: customer, providerType: "asl", startsAt: F.start, endsAt: F.end, remote: location == nil,
            location: location, zone: "IL", requiredQualificationIds: required)
    }

    /// Providers around Chicago and beyond, a customer with lists, jobs and history.
    static func world() -> EventLog {
        var log = EventLog()
        log.append(
            Registry.service, Registry.EventType.documentTypeCreated,
            DocumentType(
                partnerId: "p-1", id: "dt-cert", name: "cert", description: "", createdAt: log.now))
        log.qualification("q-cert", name: "ASL certified", documents: ["dt-cert"])
        log.provider("pr-ada")
        log.provider("pr-ben", at: F.evanston, radius: 5)
        log.provider("pr-cy", at: GeoPoint(lat: 40.7128, lon: -74.0060), radius: 100)
        log.provider("pr-di", at: nil, radius: nil)
        log.provider("pr-ed", type: "cart")
        log.provider("pr-fay", active: false)
        log.provider("pr-gus", at: GeoPoint(lat: 43.0, lon: -88.0), radius: nil, zones: [])
        for id in ["pr-ada", "pr-ben"] { log.apply("q-cert", to: id) }
        log.append(
            Registry.service, Registry.EventType.documentAdded,
            Document(
                partnerId: "p-1", id: "d-1", providerId: "pr-ada", documentTypeId: "dt-cert",
                issuedAt: F.start.addingTimeInterval(-100 * F.day), expiresAt: F.start.addingTimeInterval(365 * F.day),
                revokedAt: nil))
        log.customer("c-1", lists: [CustomerListEntry(providerId: "pr-gus", kind: .lastResort)])
        log.job("r-old", provider: "pr-ada", state: .assigned, from: -24 * 20, to: -24 * 20 + 2)
        log.job("r-busy", provider: "pr-di", state: .contingent, from: 1, to: 3)
        return log
    }

    @Test func candidatesComeFromTheReachIndex() async throws {
        let model = try ReadModelFixture()
        try model.apply(Self.world().events)
        let job = F.job()
        let ids = try await model.store.read("p-1") { db in
            try model.store.candidates(db, partner: "p-1", job: job).map(\.id).sorted()
        }
        // Ben's 5 km do not reach the job and Cy is in New
        // York; Ed is of another type; Fay inactive. Di has no location and Gus no radius: both kept.
        #expect(ids == ["pr-ada", "pr-di", "pr-gus"])
    }

    @Test func ranksFromTheEvents() async throws {
        let model = try ReadModelFixture()
        try model.apply(Self.world().events)
        let reply = try await model.engine.rank(RankRequest(job: Self.job(required: [])), partner: "p-1")
        #expect(reply.ranked.map(\.providerId) == ["pr-ada", "pr-gus"])
        #expect(reply.counts == RankCounts(considered: 7, ranked: 2, filtered: 5))
        let reasons = Dictionary(
            uniqueKeysWithValues: reply.filtered.map { ($0.providerId, $0.reasons.map(\.criterion)) })
        #expect(
            reasons == [
                "pr-ben": ["travelRadius"], "pr-cy": ["travelRadius"], "pr-di": ["conflict"], "pr-ed": ["providerType"],
                "pr-fay": ["inactive"],
            ])
        let ada = reply.ranked[0].criteria.first { $0.name == "jobsWithCustomer" }
        #expect(ada?.value == .integer(1))
        #expect(reply.positions.map(\.appliedSeq) == [13, 4])
        #expect(reply.settings == RankingSettings(partnerId: "p-1"))
    }

    @Test func theCustomersDefaultsAreMergedUnlessOverridden() async throws {
        let model = try ReadModelFixture()
        var log = Self.world()
        log.customer("c-strict", required: ["q-cert"])
        try model.apply(log.events)
        let merged = try await model.engine.rank(RankRequest(job: Self.job("c-strict")), partner: "p-1")
        #expect(merged.ranked.map(\.providerId) == ["pr-ada"])
        var override = Self.job("c-strict")
        override.overrideDefaults = true
        let given = try await model.engine.rank(RankRequest(job: override), partner: "p-1")
        #expect(given.ranked.map(\.providerId) == ["pr-ada", "pr-gus"])
    }

    @Test func theFilteredListPagesByIdWithEveryProviderOnce() async throws {
        let model = try ReadModelFixture()
        var log = Self.world()
        for index in 0..<250 { log.provider(String(format: "pr-x%03d", index), type: index % 5 == 0 ? "asl" : "cart") }
        try model.apply(log.events)
        var seen: [String] = []
        var token: String?
        var pages = 0
        var ranked: [String] = []
        repeat {
            let reply = try await model.engine.rank(
                RankRequest(job: Self.job(), pageSize: 40, pageToken: token), partner: "p-1")
            #expect(reply.counts.considered == 257)
            #expect(reply.counts.considered == reply.counts.ranked + reply.counts.filtered)
            seen += reply.filtered.map(\.providerId)
            ranked = reply.ranked.map(\.providerId)
            token = reply.nextPageToken
            pages += 1
        } while token != nil && pages < 20
        #expect(seen == seen.sorted())
        #expect(Set(seen).count == seen.count)
        #expect(seen.count + ranked.count == 257)
        #expect(pages == 6)
        let other = RankRequest(
            job: Self.job("c-2"),
            pageToken: try await model.engine.rank(
                RankRequest(job: Self.job(), pageSize: 1), partner: "p-1"
            ).nextPageToken)
        await #expect(throws: RPCError.self) { _ = try await model.engine.rank(other, partner: "p-1") }
    }

    @Test func aRebuildEqualsTheIncrementalModel() async throws {
        let model = try ReadModelFixture()
        var log = Self.world()
        // Later changes overwrite earlier ones: the rebuild must land on the same last state.
        log.provider("pr-ada", at: F.evanston, radius: 60, zones: ["IL", "WI"])
        log.append(
            Registry.service, Registry.EventType.qualificationRemoved,
            AppliedQualification(
                partnerId: "p-1", providerId: "pr-ben", qualificationId: "q-cert", appliedAt: log.now))
        log.job("r-busy", provider: "pr-di", state: .cancelled, from: 1, to: 3)
        for event in log.events { try model.apply([event]) }
        let incremental = try model.dump()
        let rankedBefore = try await model.engine.rank(RankRequest(job: Self.job()), partner: "p-1")
        try await model.store.writeAcrossTenants { db in
            for source in Matching.sources { try ReadModelWriter.reset(db, source: source, reason: "test", at: Date()) }
        }
        #expect(try model.dump().isEmpty)
        try model.apply(log.events)
        #expect(try model.dump() == incremental)
        // Applying every event again (at least once on the wire) changes nothing either.
        try model.apply(log.events)
        #expect(try model.dump() == incremental)
        let rankedAfter = try await model.engine.rank(RankRequest(job: Self.job()), partner: "p-1")
        #expect(rankedAfter == rankedBefore)
        let resets = try await model.store.readAcrossTenants { try model.store.resets($0) }
        #expect(resets["registry"]?.count == 1)
    }

    @Test func anotherPartnersDataIsNotSeen() async throws {
        let model = try ReadModelFixture()
        var log = Self.world()
        log.partner = "p-2"
        log.provider("pr-zed")
        log.customer("c-2")
        try model.apply(log.events)
        let reply = try await model.engine.rank(RankRequest(job: Self.job()), partner: "p-1")
        #expect(
            !reply.ranked.contains { $0.providerId == "pr-zed" }
                && !reply.filtered.contains { $0.providerId == "pr-zed" })
        await #expect(throws: MatchingError.notFound(kind: "customer", id: "c-2", field: "body.request.customerId")) {
            _ = try await model.engine.rank(RankRequest(job: Self.job("c-2")), partner: "p-1")
        }
    }

    @Test func settingsKeepTheChangeThatSupersedes() async throws {
        let model = try ReadModelFixture()
        let store = model.store
        var first = RankingSettings(
            partnerId: "p-1", travelBufferMinutes: 10, version: 1, updatedAt: F.start, updatedBy: "a")
        var second = first
        second.travelBufferMinutes = 20
        second.updatedBy = "b"
        // Whatever the order, "b" wins the tie on version and time.
        for order in [[first, second], [second, first]] {
            try await store.writeAcrossTenants { db in try db.execute(sql: "DELETE FROM rankingSettings") }
            for settings in order { _ = try await store.write("p-1") { db in try store.merge(db, settings) } }
            #expect(try await store.read("p-1") { try store.settings($0, partner: "p-1") } == second)
        }
        first.version = 2
        let newer = first
        #expect(try await store.write("p-1") { db in try store.merge(db, newer) })
        #expect(try await store.read("p-1") { try store.settings($0, partner: "p-1") }.travelBufferMinutes == 10)
    }
}
