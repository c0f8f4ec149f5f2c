import Contracts
import Foundation
import GRDB

// A broadcast as the wire shows it (`Get`, `List`), assembled from its rows in one snapshot.

extension BroadcastQueries {
    /// The request's broadcast in full, or `NOT_FOUND` naming `field`.
    func detail(_ requestId: String, field: String = "body.requestId") throws -> BroadcastDetail {
        let (job, broadcast) = try jobAndBroadcast(requestId, field: field)
        let attempts = try attempts(onRequest: requestId)
        let slots = try slots(of: job)
        let ranking = try considered(requestId)
        let waves = try waves(onRequest: requestId)
        return BroadcastDetail(
            requestId: requestId, customerId: job.customerId, state: broadcast.state,
            waitingFor: broadcast.waitingFor, stopReason: broadcast.stopReason, lastError: broadcast.lastError,
            teamSize: job.teamSize, openings: slots.openings, pendingInterest: slots.pending,
            startsAt: job.request.startsAt, endsAt: job.request.endsAt, startedAt: broadcast.startedAt,
            updatedAt: broadcast.updatedAt, version: broadcast.version, currentWave: broadcast.currentWave,
            nextWaveAt: broadcast.nextWave(current: waves.last), rankedAt: ranking?.rankedAt, counts: ranking?.counts,
            overrides: broadcast.overrides,
            considered: ConsideredView.list(ranking, overrides: broadcast.overrides, attempts: attempts),
            waves: waves.map(\.wire), attempts: attempts.map(\.wire))
    }

    /// The tenant's broadcasts after `requestId` in request id order, optionally in one state.
    func summaries(state: BroadcastState?, after requestId: String?, limit: Int) throws -> [BroadcastSummary] {
        var query = BroadcastRow.all().inTenant(partnerId)
        if let state { query = query.inState(state) }
        return try query.after(requestId).limit(limit).fetchAll(db).compactMap { broadcast in
            guard let job = try job(broadcast.requestId) else { return nil }
            let slots = try slots(of: job)
            return BroadcastSummary(
                requestId: broadcast.requestId, customerId: job.customerId, state: broadcast.state,
                waitingFor: broadcast.waitingFor, currentWave: broadcast.currentWave,
                nextWaveAt: broadcast.nextWave(
                    current: try wave(broadcast.currentWave, onRequest: broadcast.requestId)),
                openings: slots.openings, pendingInterest: slots.pending, startsAt: job.startsAt,
                updatedAt: broadcast.updatedAt)
        }
    }
}

/// The considered list with the partner's overrides and each provider's attempts so far.
enum ConsideredView {
    /// Ranked providers in contact order (with their position), then the ranked ones the partner
    /// excluded, then those matching filtered out (with every reason).
    static func list(
        _ ranking: ConsideredListRow?, overrides: BroadcastOverrides, attempts: [AttemptRow]
    ) -> [ConsideredProvider] {
        guard let ranking else { return [] }
        let byProvider = Dictionary(grouping: attempts, by: \.providerId)
        let pinned = Set(overrides.pin)
        let excluded = Set(overrides.exclude)
        let ranked = Dictionary(ranking.ranked.map { ($0.providerId, $0) }, uniquingKeysWith: { first, _ in first })
        let order = WavePlanner.contactOrder(ranked: ranking.ranked.map(\.providerId), overrides: overrides)
        func entry(_ id: String, position: Int?) -> ConsideredProvider {
            let provider = ranked[id]
            let tried = byProvider[id] ?? []
            return ConsideredProvider(
                providerId: id, position: position, rank: provider?.rank, score: provider?.score,
                criteria: provider?.criteria ?? [], pinned: pinned.contains(id), excluded: excluded.contains(id),
                attempts: tried.count, lastDisposition: tried.last?.disposition,
                preferredQualificationsMet: provider?.preferredQualificationsMet)
        }
        var list = order.enumerated().map { entry($0.element, position: $0.offset + 1) }
        let placed = Set(order)
        list += ranking.ranked.map(\.providerId).filter { !placed.contains($0) }.map { entry($0, position: nil) }
        for filtered in ranking.filtered {
            var item = entry(filtered.providerId, position: nil)
            item.reasons = filtered.reasons
            item.wouldBeEligibleIf = filtered.wouldBeEligibleIf
            list.append(item)
        }
        return list
    }
}

extension BroadcastRow {
    /// When the next wave is due as far as is known: at once when due, when the current wave
    /// closes while it is out, when a wait ends; never while paused or over.
    func nextWave(current wave: WaveRow?) -> Date? {
        guard state == .running || state == .waiting else { return nil }
        if state == .running, waitingFor == nil, !waveDue, let wave, wave.isOut { return wave.closesAt }
        return nextWaveAt
    }
}
