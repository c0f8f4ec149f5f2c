import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Whether a provider passes every filter for a request at this moment: what an automatic or
/// hybrid decision asks before it assigns anyone. The ranking's filters belong to matching, so the
/// check is `matching.Check`; the store still refuses a conflict in the transaction that assigns
/// (`OpportunitiesQueries.hasConflict`), since matching's read model lags by an event or two.
protocol EligibilityCheck: Sendable {
    /// Every reason `providerId` may not be assigned to `request` now (none: it passes).
    func check(_ request: RequestRecord, providerId: String, for caller: CallerContext) async throws -> Eligibility
}

/// A check's verdict: it passes when there is no reason against it.
struct Eligibility: Sendable, Equatable {
    var reasons: [String]
    var passes: Bool { reasons.isEmpty }
}

/// The check on `matching.Check`, with the partner's block list (from broadcast, which owns it)
/// passed as `excludeProviderIds`, and `minSeq` set so the read model has applied everything the
/// registry and this service had recorded when the question was asked: a qualification revoked
/// a moment ago is seen. Any failure (matching or broadcast not deployed, not caught up, out of
/// time) is thrown, and the caller leaves the interest to the decider: never assign on a guess.
struct MatchingEligibilityCheck: EligibilityCheck {
    let environment: ServiceEnvironment
    let store: OpportunitiesStore

    func check(_ request: RequestRecord, providerId: String, for caller: CallerContext) async throws -> Eligibility {
        // Half the caller's budget at most: a peer that never answers leaves time to record
        // the interest as PENDING.
        let until = caller.request.optionalDownstreamDeadline()
        func options() -> CallOptions { CallOptions(timeout: max(until - .now, .milliseconds(1))) }
        let reads = options()
        let registry = try environment.client(Registry.service)
        let broadcast = BroadcastClient(
            try environment.client(Broadcast.service), actor: caller.asService, options: reads)
        async let blocks = Self.blocks(of: providerId, customerId: request.customerId, broadcast)
        async let registrySeq = registry.readEvents(
            Registry.service, afterSeq: Int64.max - 1, limit: 1, actor: caller.asService, options: reads
        ).lastSeq
        let outbox = store.outbox
        let ownSeq = try await store.readAcrossTenants { try outbox.lastSeq($0) }
        let (blocked, seq) = (try await blocks, try await registrySeq)
        let matching = MatchingClient(
            try environment.client(Matching.service), actor: caller.asService, options: options())
        let verdict = try await matching.check(
            CheckRequest(
                job: request.job, providerId: providerId, requestId: request.id,
                excludeProviderIds: blocked,
                minSeq: [Registry.service: seq, Opportunities.service: ownSeq]))
        return Eligibility(reasons: verdict.reasons.map { "\($0.criterion): \($0.detail)" })
    }

    /// The provider's entries on the block list that apply to the customer's requests, as
    /// matching takes them (every page read: a provider has one entry per customer at most).
    static func blocks(of providerId: String, customerId: String, _ broadcast: BroadcastClient)
        async throws(RPCError) -> [ExcludedProvider]
    {
        var entries: [ExcludedProvider] = []
        var pageToken: String?
        repeat {
            let page = try await broadcast.listBlocks(ListBlocksRequest(providerId: providerId, pageToken: pageToken))
            for block in page.blocks where block.customerId == nil || block.customerId == customerId {
                let scope = block.customerId == nil ? "every customer" : "this customer"
                let reason = block.reason.map { "blocked for \(scope): \($0)" } ?? "blocked for \(scope)"
                entries.append(ExcludedProvider(providerId: providerId, reason: reason))
            }
            pageToken = page.nextPageToken
        } while pageToken != nil
        return entries
    }
}
