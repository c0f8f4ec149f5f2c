import Contracts
import Foundation
import GRDB
import ServiceKit
import Wire

/// `Rank` and `Check` from the read model: the body checked, the read model awaited up to
/// `minSeq`, everything read in one snapshot, judged by the pure `Ranker`, and a reply that fits
/// in one message.
///
/// Only the candidates (active, of the job's type, whose reach holds the job's place or who
/// work in its zone) are judged in full; everyone else fails one of those filters, so is counted
/// as filtered and judged in full only when a page of the filtered list shows them.
struct RankingEngine: Sendable {
    let store: MatchingStore
    let maxMessageBytes: Int
    /// How long a call waits for the read model to reach its `minSeq` before `UNAVAILABLE`.
    var catchUpWait: Duration = .seconds(1)

    static let defaultLimit = 100
    static let maxLimit = 1000
    static let defaultPageSize = 100
    /// Room in a reply for everything but the two lists (envelope, counts, positions, settings, token).
    static let replyReserve = 8192

    /// `matching.Rank`.
    func rank(
        _ body: RankRequest, partner: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> RankResponse {
        let (input, query, after) = try Self.validate(body, partner: partner)
        try await waitUntilApplied(input.minSeq, deadline: deadline)
        let (limit, pageSize) = (body.limit ?? Self.defaultLimit, body.pageSize ?? Self.defaultPageSize)
        let (store, budget) = (store, maxMessageBytes - Self.replyReserve)
        return try await store.read(partner) { db in
            let context = try input.context(db, store: store, partner: partner)
            let candidates = try store.candidates(db, partner: partner, job: context.job)
            let (facts, index) = try store.indexedFacts(db, partner: partner, providers: candidates, context: context)
            let judgements = facts.map { Ranker.judge($0, context, .verdict) }
            var judged = Judged(facts: facts, judgements: judgements, index: index)
            let page = try Self.filteredPage(
                db, store: store, partner: partner, context: context, after: after, size: pageSize, judged: &judged)
            return try Self.reply(
                db, store: store, partner: partner, context: context, ranked: Ranker.order(judgements), page: page,
                window: ReplyWindow(query: query, after: after, limit: limit, budget: budget))
        }
    }

    /// The providers judged so far in one ranking: the candidates (with their facts, so a verdict
    /// can be worked out in full when a page shows it without reading it again), then the others
    /// a page showed.
    struct Judged {
        let facts: [ProviderFacts]
        var candidates: [Ranker.Judgement]
        /// Where each candidate is in `facts` and `candidates`.
        let index: [String: Int]
        var others: [String: Ranker.Judgement] = [:]

        init(facts: [ProviderFacts], judgements: [Ranker.Judgement], index: [String: Int]) {
            self.facts = facts
            candidates = judgements
            self.index = index
        }

        /// The judgement of `id` with every reason, when it was judged.
        mutating func complete(_ id: String, _ context: RankingContext) -> Ranker.Judgement? {
            guard let position = index[id] else { return others[id] }
            if !candidates[position].complete {
                candidates[position] = Ranker.judge(facts[position], context, .reasons)
            }
            return candidates[position]
        }

        func knows(_ id: String) -> Bool { index[id] != nil || others[id] != nil }
    }

    /// Where a reply's lists start and end.
    struct ReplyWindow: Sendable {
        var query: String
        var after: String?
        var limit: Int
        var budget: Int
    }

    /// The reply: the top `limit` ranked and the page of filtered, as many as fit in the budget,
    /// with a token while filtered providers remain after the page.
    static func reply(
        _ db: Database, store: MatchingStore, partner: String, context: RankingContext, ranked: [RankedProvider],
        page: [FilteredProvider], window: ReplyWindow
    ) throws -> RankResponse {
        let top = Array(ranked.prefix(window.limit))
        let rankedFit = ReplyBudget.fitting(top, budget: window.budget, bytes: ReplyBudget.estimate)
        let filteredFit = ReplyBudget.fitting(
            page, budget: window.budget - rankedFit.bytes, bytes: ReplyBudget.estimate)
        let shown = Array(page.prefix(filteredFit.count))
        let considered = try store.providerCount(db, partner: partner)
        var nextPageToken: String?
        if let last = shown.last?.providerId {
            let passingAfter = ranked.count(where: { $0.providerId > last })
            if try store.providerCount(db, partner: partner, after: last) > passingAfter {
                nextPageToken = Paging.token(after: last, query: window.query)
            }
        } else if !page.isEmpty {
            // Not one filtered provider fitted beside the ranked ones: the same place again
            // (a smaller `limit` leaves them room).
            nextPageToken = Paging.token(after: window.after ?? "", query: window.query)
        }
        return RankResponse(
            ranked: Array(top.prefix(rankedFit.count)), filtered: shown,
            counts: RankCounts(considered: considered, ranked: ranked.count, filtered: considered - ranked.count),
            positions: try store.positions(db), settings: context.settings, nextPageToken: nextPageToken,
            defaultsSkipped: context.defaultsSkipped.isEmpty ? nil : context.defaultsSkipped)
    }

    /// Checks a `Rank` body; returns it resolved, the query its page tokens belong to, and where
    /// the filtered page starts.
    static func validate(_ body: RankRequest, partner: String) throws -> (RankInput, String, String?) {
        var validator = Validator()
        let input = RankInput(
            body.job, requestId: body.requestId, excluded: body.excludeProviderIds, minSeq: body.minSeq,
            validator: &validator)
        if let limit = body.limit {
            validator.require((0...maxLimit).contains(limit), "body.limit", "must be from 0 to \(maxLimit)")
        }
        if let pageSize = body.pageSize {
            validator.require(
                (1...Paging.maxPageSize).contains(pageSize), "body.pageSize",
                "must be from 1 to \(Paging.maxPageSize)")
        }
        try validator.check()
        let query = input.fingerprint(partner: partner)
        return (input, query, try Paging.after(token: body.pageToken, query: query))
    }

    /// `matching.Check`.
    func check(
        _ body: CheckRequest, partner: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> CheckResponse {
        var validator = Validator()
        let input = RankInput(
            body.job, requestId: body.requestId, excluded: body.excludeProviderIds, minSeq: body.minSeq,
            validator: &validator)
        validator.require(!body.providerId.isEmpty, "body.providerId", "must not be empty")
        try validator.check()
        try await waitUntilApplied(input.minSeq, deadline: deadline)
        let store = store
        return try await store.read(partner) { db in
            let context = try input.context(db, store: store, partner: partner)
            let provider = try store.provider(db, partner: partner, id: body.providerId, field: "body.providerId")
            let facts = try store.facts(db, partner: partner, providers: [provider], context: context)
            let judgement = Ranker.judge(facts[0], context)
            return CheckResponse(
                providerId: provider.id, passes: judgement.passes, reasons: judgement.reasons,
                criteria: judgement.criteria, score: judgement.score, positions: try store.positions(db),
                settings: context.settings,
                defaultsSkipped: context.defaultsSkipped.isEmpty ? nil : context.defaultsSkipped,
                preferredQualificationsMet: judgement.preferredMet?.map(\.named),
                wouldBeEligibleIf: judgement.wouldBeEligibleIf)
        }
    }

    /// Up to `size` filtered providers after `after`, by id, each with every reason.
    static func filteredPage(
        _ db: Database, store: MatchingStore, partner: String, context: RankingContext, after: String?, size: Int,
        judged: inout Judged
    ) throws -> [FilteredProvider] {
        var page: [FilteredProvider] = []
        var cursor = after
        while page.count < size {
            let ids = try store.providerIds(db, partner: partner, after: cursor, limit: size - page.count + 32)
            guard let lastId = ids.last else { break }
            let unjudged = ids.filter { !judged.knows($0) }
            let providers = try store.providers(db, partner: partner, ids: unjudged)
            for facts in try store.facts(db, partner: partner, providers: providers, context: context) {
                judged.others[facts.id] = Ranker.judge(facts, context, .reasons)
            }
            for id in ids {
                guard let judgement = judged.complete(id, context), !judgement.passes else { continue }
                page.append(
                    FilteredProvider(
                        providerId: id, reasons: judgement.reasons, wouldBeEligibleIf: judgement.wouldBeEligibleIf))
                if page.count == size { break }
            }
            cursor = lastId
        }
        return page
    }

    /// Waits, up to `catchUpWait` and the caller's deadline, until the read model has applied
    /// each source up to its `minSeq`; `UNAVAILABLE` (nothing done, retry) otherwise.
    func waitUntilApplied(_ minSeq: [String: Int64], deadline: ContinuousClock.Instant?) async throws {
        guard !minSeq.isEmpty else { return }
        let store = store
        let limit = min(ContinuousClock.now + catchUpWait, deadline ?? .now + catchUpWait)
        while true {
            let positions = try await store.readAcrossTenants { try store.positions($0) }
            let applied = Dictionary(
                positions.map { ($0.source, $0.appliedSeq) }, uniquingKeysWith: { first, _ in first })
            let behind = minSeq.filter { applied[$0.key, default: 0] < $0.value }.sorted { $0.key < $1.key }
            guard !behind.isEmpty else { return }
            guard ContinuousClock.now < limit else {
                let details = behind.map { source, seq in
                    FieldViolation(
                        field: "body.minSeq.\(source)",
                        description: "applied up to \(applied[source, default: 0]), not yet \(seq)")
                }
                throw MatchingError.notCaughtUp(details)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// How much of a list fits in what is left of a reply.
enum ReplyBudget {
    /// How many of `items`, from the first, fit in `budget` bytes, and the bytes they take. The
    /// cheap upper bound `bytes` decides when it can; items are encoded only when it cannot.
    static func fitting<Item: Encodable>(_ items: [Item], budget: Int, bytes: (Item) -> Int) -> (count: Int, bytes: Int)
    {
        let bound = items.reduce(0) { $0 + bytes($1) + 1 }
        if bound <= budget { return (items.count, bound) }
        var used = 0
        for (index, item) in items.enumerated() {
            let size = ((try? WireCoding.encode(item))?.count ?? budget) + 1
            if used + size > budget { return (index, used) }
            used += size
        }
        return (items.count, used)
    }

    /// At least the encoded size of a ranked provider: text may grow up to six times escaped.
    static func estimate(_ ranked: RankedProvider) -> Int {
        120 + ranked.providerId.utf8.count * 6
            + ranked.criteria.reduce(0) { $0 + 90 + $1.name.utf8.count * 6 + valueBytes($1.value) }
            + (ranked.preferredQualificationsMet ?? []).reduce(0) {
                $0 + 30 + ($1.id.utf8.count + $1.name.utf8.count) * 6
            }
    }

    /// At least the encoded size of a filtered provider.
    static func estimate(_ filtered: FilteredProvider) -> Int {
        70 + filtered.providerId.utf8.count * 6 + (filtered.wouldBeEligibleIf?.utf8.count ?? 0) * 6
            + filtered.reasons.reduce(0) { $0 + 40 + ($1.criterion.utf8.count + $1.detail.utf8.count) * 6 }
    }

    private static func valueBytes(_ value: JSONValue) -> Int {
        if case .string(let text) = value { return 2 + text.utf8.count * 6 }
        return 32
    }
}
