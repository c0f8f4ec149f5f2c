import Contracts
import Foundation
import GRDB
import ServiceKit
import Transport
import Wire

/// Contacts across requests (docs/design.md, "Contacts across requests"): the partner's attempts
/// found by disposition, customer, provider, request and period, and every match of one filter
/// recycled or blocked at once. The rules are `BulkActions`; the filter is `AttemptQuery`.
struct ContactHandlers: BroadcastContactHandling {
    let store: BroadcastStore
    let clock: any ServiceClock
    let maxReplyBytes: Int

    /// One page of the matching attempts, in plan order; a page ends early when the next attempt
    /// would not fit in the reply.
    func searchAttempts(_ request: SearchAttemptsRequest, _ context: CallerContext) async throws
        -> SearchAttemptsResponse
    {
        try Paging.validate(pageSize: request.pageSize)
        var validator = Validator()
        let query = AttemptQuery(
            dispositions: request.dispositions, customerId: request.customerId, providerId: request.providerId,
            requestId: request.requestId, from: request.from, to: request.to, validator: &validator)
        try validator.check()
        let fingerprint = "attempts|\(context.partnerId)|\(query.fingerprint)"
        let after = try Paging.after(token: request.pageToken, query: fingerprint).map { key throws(RPCError) in
            try AttemptPlace(key: key)
        }
        let size = request.pageSize ?? Paging.maxPageSize
        let (found, catalogue) = try await store.read(context.partnerId) { reader in
            let catalogue = try reader.catalogue()
            try reader.requireKnown(query, in: catalogue)
            // One more than the page, to know whether another follows.
            return (try reader.attempts(matching: query, after: after, limit: size + 1), catalogue)
        }
        let summaries = found.prefix(size).map { $0.summary(catalogue) }
        let page = Array(summaries.prefix(try Paging.fitting(summaries, maxBytes: maxReplyBytes)))
        guard page.count < found.count, let last = page.last else { return SearchAttemptsResponse(attempts: page) }
        let place = AttemptPlace(plannedAt: last.plannedAt, id: last.id)
        return SearchAttemptsResponse(attempts: page, nextPageToken: Paging.token(after: place.key, query: fingerprint))
    }

    /// Every provider whose latest attempt on a request matches is back in rotation there now,
    /// where the request still broadcasts; one transaction, so the counts are what happened.
    func bulkRecycle(_ request: BulkRecycleRequest, _ context: CallerContext) async throws -> BulkRecycleResponse {
        var validator = Validator()
        let query = AttemptQuery(
            dispositions: request.dispositions, customerId: request.customerId, providerId: request.providerId,
            requestId: request.requestId, from: request.from, to: request.to, validator: &validator)
        Self.requireFilter(query, &validator)
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            let catalogue = try writer.catalogue()
            try writer.requireKnown(query, in: catalogue)
            let matches = try writer.attempts(matching: query)
            var latest: [String: Set<String>] = [:]
            var broadcasts: [String: BroadcastRow?] = [:]
            var skipped: [BulkSkipReason] = []
            var recycledIn: Set<String> = []
            for match in matches {
                let requestId = match.attempt.requestId
                if latest[requestId] == nil {
                    let attempts = try writer.attempts(onRequest: requestId)
                    latest[requestId] = Set(
                        Dictionary(grouping: attempts, by: \.providerId).compactMap(\.value.last?.id))
                    broadcasts[requestId] = try writer.existingBroadcast(requestId)
                }
                let broadcast = broadcasts[requestId] ?? nil
                let verdict = BulkActions.recycle(
                    match.attempt.wire, isLatest: latest[requestId]!.contains(match.attempt.id),
                    broadcast: broadcast?.state, named: query.dispositions, catalogue: catalogue)
                switch (verdict, broadcast) {
                case (.recycle, let broadcast?):
                    var attempt = match.attempt
                    try writer.recycle(&attempt, of: broadcast, at: now)
                    recycledIn.insert(requestId)
                case (.skip(let reason), _):
                    skipped.append(reason)
                case (.recycle, nil):
                    // Only a broadcast that still runs takes anyone back.
                    skipped.append(.broadcastEnded)
                }
            }
            return BulkRecycleResponse(
                matched: matches.count, recycled: matches.count - skipped.count, broadcasts: recycledIn.count,
                skipped: BulkActions.counts(skipped))
        }
    }

    /// Blocks the providers of every matching attempt, for the customer of its request (or every
    /// customer), with the reason given; an entry already there keeps its own reason.
    func bulkBlock(_ request: BulkBlockRequest, _ context: CallerContext) async throws -> BulkBlockResponse {
        var validator = Validator()
        let query = AttemptQuery(
            dispositions: request.dispositions, customerId: request.customerId, providerId: request.providerId,
            requestId: request.requestId, from: request.from, to: request.to, validator: &validator)
        Self.requireFilter(query, &validator)
        let reason = validator.text(request.reason, field: "body.reason").trimmingCharacters(
            in: .whitespacesAndNewlines)
        validator.require(!reason.isEmpty, "body.reason", "must not be empty")
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            try writer.requireKnown(query, in: try writer.catalogue())
            let matches = try writer.attempts(matching: query)
            let targets = BulkActions.blockTargets(
                matches.map { ($0.attempt.providerId, $0.customerId) }, allCustomers: request.blockAllCustomers == true)
            var existing = Set(
                try BlockRow.all().inTenant(writer.partnerId).fetchAll(writer.db).map {
                    BulkActions.BlockTarget(
                        providerId: $0.providerId, customerId: $0.customerId.isEmpty ? nil : $0.customerId)
                })
            var skipped: [BulkSkipReason] = []
            for target in targets {
                guard !BulkActions.isBlocked(target, existing: existing) else {
                    skipped.append(.alreadyBlocked)
                    continue
                }
                try writer.block(target.providerId, customerId: target.customerId, reason: reason, at: now)
                existing.insert(target)
            }
            return BulkBlockResponse(
                matched: matches.count, providers: Set(matches.map(\.attempt.providerId)).count,
                blocked: targets.count - skipped.count, skipped: BulkActions.counts(skipped))
        }
    }

    /// A bulk action needs at least one filter field: an empty filter would act on every
    /// attempt the partner ever made, which is never meant by accident.
    static func requireFilter(_ query: AttemptQuery, _ validator: inout Validator) {
        validator.require(
            !query.isEmpty, "body",
            "needs at least one filter field: dispositions, customerId, providerId, requestId, from or to")
    }
}
