import Contracts
import Foundation
import GRDB
import OctooTesting
import ServiceKit
import Testing
import Wire

@testable import MatchingService

/// The indexed ranking against the naive baseline (every provider judged from whole-table reads)
/// on generated partners: the same answer, page for page.
@Suite("Ranking equals the naive baseline on generated partners")
struct NaiveBaselineTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    /// A read model fed every event of a synthetic partner.
    static func model(providers: Int, seed: UInt64) throws -> (ReadModelFixture, SyntheticPartner) {
        let model = try ReadModelFixture()
        let partner = SyntheticPartner(providers: providers, seed: seed, now: now)
        var seqs: [String: Int64] = [:]
        var batch: [Event] = []
        try partner.generate { source, type, data in
            let seq = (seqs[source] ?? 0) + 1
            seqs[source] = seq
            let json = try WireCoding.decode(JSONValue.self, from: try WireCoding.encode(data))
            batch.append(
                Event(source: source, seq: seq, type: type, occurredAt: now, partnerId: partner.partnerId, data: json))
            if batch.count == 1000 {
                try model.apply(batch)
                batch.removeAll()
            }
        }
        try model.apply(batch)
        return (model, partner)
    }

    /// The reply with its page token read back: a token's bytes need not repeat, its place does.
    static func comparable(_ reply: RankResponse, _ body: RankRequest, _ partner: String) throws -> RankResponse {
        var reply = reply
        let (_, query, _) = try RankingEngine.validate(body, partner: partner)
        reply.nextPageToken = try Paging.after(token: reply.nextPageToken, query: query)
        return reply
    }

    /// Filtered providers per page: small enough that every job has a second page, since some
    /// two fifths of a synthetic partner's providers or more are of another type than the job's
    /// (80 of 200 at the least), and filtered for it.
    static let pageSize = 20

    @Test(arguments: [(providers: 200, seed: 1 as UInt64), (providers: 400, seed: 2)])
    func theIndexedRankingEqualsTheNaiveOne(providers: Int, seed: UInt64) async throws {
        let (model, partner) = try Self.model(providers: providers, seed: seed)
        var ranked = 0
        var secondPages = 0
        for job in partner.jobs(count: 40, seed: seed) {
            let body = RankRequest(job: job, limit: 1000, pageSize: Self.pageSize)
            let indexed = try await model.engine.rank(body, partner: partner.partnerId)
            let naive = try await model.engine.rankNaively(body, partner: partner.partnerId)
            #expect(
                try Self.comparable(indexed, body, partner.partnerId) == Self.comparable(naive, body, partner.partnerId)
            )
            #expect(indexed.counts.considered == providers)
            ranked += indexed.counts.ranked
            #expect(indexed.counts.filtered > Self.pageSize, "too few filtered for a second page: \(indexed.counts)")
            let token = try #require(indexed.nextPageToken, "no second page with \(indexed.counts.filtered) filtered")
            var next = body
            next.pageToken = token
            let indexedNext = try await model.engine.rank(next, partner: partner.partnerId)
            let naiveNext = try await model.engine.rankNaively(next, partner: partner.partnerId)
            #expect(!indexedNext.filtered.isEmpty)
            #expect(
                try Self.comparable(indexedNext, next, partner.partnerId)
                    == Self.comparable(naiveNext, next, partner.partnerId))
            secondPages += 1
        }
        #expect(ranked > 0, "the generated requests rank someone")
        #expect(secondPages == 40)
    }
}
