import Contracts
import Domain
import Foundation
import GRDB
import Store

// The baseline the ranking is measured and checked against: every provider of the partner read
// straight from the tables (no R*Tree, no per-provider lookups) and judged in Swift. It gives
// the same answer as `RankingEngine.rank`, only slower: the tests compare the two on generated
// partners, the benchmark times them in the same run.

extension RankingEngine {
    /// `rank`'s answer, computed the naive way.
    func rankNaively(_ body: RankRequest, partner: String) async throws -> RankResponse {
        let (input, query, after) = try Self.validate(body, partner: partner)
        let (limit, pageSize) = (body.limit ?? Self.defaultLimit, body.pageSize ?? Self.defaultPageSize)
        let (store, budget) = (store, maxMessageBytes - Self.replyReserve)
        return try await store.read(partner) { db in
            let context = try input.context(db, store: store, partner: partner)
            let judgements = try store.everyProviderFacts(db, partner: partner, context: context)
                .map { Ranker.judge($0, context, .everything) }
            let page = judgements.filter { !$0.passes && $0.providerId > (after ?? "") }.prefix(pageSize)
                .map {
                    FilteredProvider(
                        providerId: $0.providerId, reasons: $0.reasons, wouldBeEligibleIf: $0.wouldBeEligibleIf)
                }
            return try Self.reply(
                db, store: store, partner: partner, context: context, ranked: Ranker.order(judgements), page: page,
                window: ReplyWindow(query: query, after: after, limit: limit, budget: budget))
        }
    }
}

extension MatchingStore {
    /// The facts of every provider of the partner, by id, from whole-partner table reads.
    func everyProviderFacts(_ db: Database, partner: String, context: RankingContext) throws -> [ProviderFacts] {
        var facts = try allProviders(db, partner: partner).map(ProviderFacts.init(record:))
        let index = Dictionary(uniqueKeysWithValues: facts.enumerated().map { ($1.id, $0) })
        let job = context.job
        let qualifications = Set((job.required + job.preferred).map(\.id))
        for row in try Row.fetchAll(
            db, sql: "SELECT providerId, qualificationId FROM appliedQualification WHERE partnerId = ?",
            arguments: [partner])
        {
            if let at = index[row[0]], qualifications.contains(row[1]) { facts[at].applied.insert(row[1]) }
        }
        let types = context.documentTypeIds
        let documents =
            "SELECT providerId, documentTypeId, issuedAt, expiresAt, revokedAt FROM document WHERE partnerId = ?"
        for row in try Row.fetchAll(db, sql: documents, arguments: [partner]) where types.contains(row[1]) {
            guard let at = index[row[0]] else { continue }
            let (expiresAt, revokedAt): (Double?, Double?) = (row[3], row[4])
            facts[at].documents.append(
                QualificationRules.HeldDocument(
                    documentTypeId: row[1], issuedAt: Date(stored: row[2]),
                    expiresAt: expiresAt.map(Date.init(stored:)),
                    revokedAt: revokedAt.map(Date.init(stored:))))
        }
        let windows = #"SELECT providerId, "from", "to", status FROM availabilityWindow WHERE partnerId = ?"#
        for row in try Row.fetchAll(db, sql: windows, arguments: [partner]) {
            guard let at = index[row[0]], let status = AvailabilityWindow.Status(rawValue: row[3]) else { continue }
            let window = AvailabilityWindow(from: Date(stored: row[1]), to: Date(stored: row[2]), status: status)
            if window.overlaps(job) { facts[at].availability.append(window) }
        }
        let (from, to) = (
            job.startsAt.addingTimeInterval(-context.travelBuffer), job.endsAt.addingTimeInterval(context.travelBuffer)
        )
        let jobs = """
            SELECT j.providerId, j.requestId, j.state, j.startsAt, j.endsAt, COALESCE(r.remote, 0), j.customerId
            FROM providerJob j LEFT JOIN job r ON r.partnerId = j.partnerId AND r.requestId = j.requestId
            WHERE j.partnerId = ?
            """
        for row in try Row.fetchAll(db, sql: jobs, arguments: [partner]) {
            guard let at = index[row[0]] else { continue }
            let (state, startsAt, endsAt): (String, Date, Date) = (row[2], Date(stored: row[3]), Date(stored: row[4]))
            let held = ["CONTINGENT", "ASSIGNED", "REPLACEMENT_SOUGHT"].contains(state)
            if held, startsAt < to, endsAt > from || startsAt >= context.workloadFrom {
                facts[at].heldJobs.append(
                    HeldJob(requestId: row[1], state: state, startsAt: startsAt, endsAt: endsAt, remote: row[5]))
            }
            guard row[6] == job.customerId else { continue }
            if ["ASSIGNED", "REPLACEMENT_SOUGHT"].contains(state), endsAt <= job.startsAt {
                facts[at].history.jobsDone += 1
                facts[at].history.lastJobEndedAt = max(facts[at].history.lastJobEndedAt ?? endsAt, endsAt)
            }
            if state == "NO_SHOW" { facts[at].history.noShows += 1 }
        }
        return facts
    }
}

/// Ranking straight from a matching read model, without the bus, as a `Rank` call computes it,
/// and the naive baseline it is measured against: for the benchmark and tools.
public struct ReadModelRanking: Sendable {
    let engine: RankingEngine

    /// Ranks from the read model in `database` (a matching database, or a copy).
    public init(database: ServiceDatabase, maxMessageBytes: Int = 1 << 20) {
        engine = RankingEngine(store: MatchingStore(database), maxMessageBytes: maxMessageBytes)
    }

    /// What `matching.Rank` answers.
    public func rank(_ request: RankRequest, partner: String) async throws -> RankResponse {
        try await engine.rank(request, partner: partner)
    }

    /// The same answer, every provider judged from whole-table reads.
    public func rankNaively(_ request: RankRequest, partner: String) async throws -> RankResponse {
        try await engine.rankNaively(request, partner: partner)
    }
}
