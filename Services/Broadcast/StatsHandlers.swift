import Contracts
import Foundation
import GRDB
import ServiceKit
import Transport
import Wire

/// Statistics of one request's broadcast, or of the partner's over a period. Attempts keep their
/// disposition's code, and labels come from the catalogue with archived codes in it, so archiving
/// a custom disposition changes no figure.
struct StatsHandlers: BroadcastStatsHandling {
    let store: BroadcastStore

    func stats(_ request: StatsRequest, _ context: CallerContext) async throws -> StatsResponse {
        var validator = Validator()
        if let requestId = request.requestId {
            validator.require(!requestId.isEmpty, "body.requestId", "must not be empty")
            validator.require(request.from == nil && request.to == nil, "body.from", "is not taken with requestId")
        } else {
            validator.require(request.from != nil, "body.from", "is required without requestId")
            validator.require(request.to != nil, "body.to", "is required without requestId")
            if let from = request.from, let to = request.to {
                validator.require(from < to, "body.to", "must be after from")
            }
        }
        try validator.check()
        return try await store.read(context.partnerId) { reader in
            let catalogue = try reader.catalogue()
            if let requestId = request.requestId {
                let (job, broadcast) = try reader.jobAndBroadcast(requestId, field: "body.requestId")
                let slots = try reader.slots(of: job)
                let attempts = try reader.attempts(onRequest: requestId)
                var stats = Self.figures(attempts, [broadcast], catalogue: catalogue)
                stats.requestId = requestId
                stats.fillRate = min(max(Double(job.teamSize - slots.openings) / Double(job.teamSize), 0), 1)
                return stats
            }
            let (from, to) = (request.from!, request.to!)
            let broadcasts = try BroadcastRow.all().inTenant(reader.partnerId).started(from: from, to: to)
                .fetchAll(reader.db)
            let attempts = try AttemptRow.all().inTenant(reader.partnerId).planned(from: from, to: to)
                .fetchAll(reader.db)
            var stats = Self.figures(attempts, broadcasts, catalogue: catalogue)
            (stats.from, stats.to) = (from, to)
            stats.fillRate = broadcasts.isEmpty ? nil : Double(stats.filled) / Double(broadcasts.count)
            return stats
        }
    }

    /// Attempts by disposition (most frequent first) and the mean times over `broadcasts`.
    static func figures(
        _ attempts: [AttemptRow], _ broadcasts: [BroadcastRow], catalogue: [String: DispositionDefinition]
    ) -> StatsResponse {
        let counts = Dictionary(grouping: attempts.compactMap(\.disposition), by: { $0 }).mapValues(\.count)
        let byDisposition = counts.map { code, count in
            DispositionCount(code: code, label: catalogue[code]?.label ?? code, count: count)
        }.sorted { ($1.count, $0.code) < ($0.count, $1.code) }
        func mean(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        return StatsResponse(
            broadcasts: broadcasts.count, filled: broadcasts.filter { $0.filledAt != nil }.count,
            attempts: attempts.count, open: attempts.filter { $0.disposition == nil }.count,
            byDisposition: byDisposition,
            timeToFirstInterestSeconds: mean(
                broadcasts.compactMap { $0.firstInterestAt?.timeIntervalSince($0.startedAt) }),
            timeToFillSeconds: mean(broadcasts.compactMap { $0.filledAt?.timeIntervalSince($0.startedAt) }))
    }
}
