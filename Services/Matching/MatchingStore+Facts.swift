import Contracts
import Domain
import Foundation
import GRDB

// Everything ranking needs about a set of providers, read in one query per table. Each query
// starts from the ids (a JSON array read with `json_each`, whose `key` is the position in the
// array, so rows come back already placed) and seeks each provider's rows by index, so its cost
// follows the number of providers asked about, not the partner's size. The
// join order (CROSS JOIN) and the index (INDEXED BY) are spelled out: without statistics SQLite
// may otherwise scan the partner's rows once per id.

extension MatchingStore {
    /// The facts of these providers for the context's job, in their order.
    func facts(
        _ db: Database, partner: String, providers: [ProviderRecord], context: RankingContext
    ) throws -> [ProviderFacts] {
        try indexedFacts(db, partner: partner, providers: providers, context: context).facts
    }

    /// The facts of these providers in their order, and where each provider id is among them.
    func indexedFacts(
        _ db: Database, partner: String, providers: [ProviderRecord], context: RankingContext
    ) throws -> (facts: [ProviderFacts], index: [String: Int]) {
        guard !providers.isEmpty else { return ([], [:]) }
        var facts = providers.map(ProviderFacts.init(record:))
        var index: [String: Int] = [:]
        index.reserveCapacity(providers.count)
        // By position, not by element: iterating the facts themselves would copy each one.
        for position in providers.indices { index[providers[position].id] = position }
        let ids = JSONList.of(providers.lazy.map(\.id))
        let job = context.job
        let qualificationIds = (job.required + job.preferred).map(\.id)
        if !qualificationIds.isEmpty {
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT ids.key, a.qualificationId FROM json_each(?2) ids CROSS JOIN appliedQualification a
                    WHERE a.partnerId = ?1 AND a.providerId = ids.value
                      AND a.qualificationId IN (SELECT value FROM json_each(?3))
                    """, arguments: [partner, ids, JSONList.of(qualificationIds)])
            while let row = try rows.next() { facts[row[0] as Int].applied.insert(row[1]) }
        }
        let documentTypes = context.documentTypeIds
        if !documentTypes.isEmpty {
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT ids.key, d.documentTypeId, d.issuedAt, d.expiresAt, d.revokedAt
                    FROM json_each(?2) ids CROSS JOIN document d INDEXED BY documentByProvider
                    WHERE d.partnerId = ?1 AND d.providerId = ids.value
                      AND d.documentTypeId IN (SELECT value FROM json_each(?3))
                    """, arguments: [partner, ids, JSONList.of(documentTypes)])
            while let row = try rows.next() {
                let at: Int = row[0]
                let (expiresAt, revokedAt): (Double?, Double?) = (row[3], row[4])
                facts[at].documents.append(
                    QualificationRules.HeldDocument(
                        documentTypeId: row[1], issuedAt: Date(stored: row[2]),
                        expiresAt: expiresAt.map(Date.init(stored:)),
                        revokedAt: revokedAt.map(Date.init(stored:))))
            }
        }
        let windows = try Row.fetchCursor(
            db,
            sql: """
                SELECT ids.key, w."from", w."to", w.status
                FROM json_each(?2) ids CROSS JOIN availabilityWindow w INDEXED BY availabilityByProvider
                WHERE w.partnerId = ?1 AND w.providerId = ids.value AND w."from" < ?4 AND w."to" > ?3
                """, arguments: [partner, ids, job.startsAt.stored, job.endsAt.stored])
        while let row = try windows.next() {
            guard let status = AvailabilityWindow.Status(rawValue: row[3]) else { continue }
            facts[row[0] as Int].availability.append(
                AvailabilityWindow(from: Date(stored: row[1]), to: Date(stored: row[2]), status: status))
        }
        try loadJobs(db, partner: partner, ids: ids, context: context, into: &facts)
        return (facts, index)
    }

    /// Held jobs near the window or in the workload window, and shared history with the customer.
    private func loadJobs(
        _ db: Database, partner: String, ids: String, context: RankingContext, into facts: inout [ProviderFacts]
    ) throws {
        let job = context.job
        let held = try Row.fetchCursor(
            db,
            sql: """
                SELECT ids.key, j.requestId, j.state, j.startsAt, j.endsAt, COALESCE(r.remote, 0)
                FROM json_each(?2) ids CROSS JOIN providerJob j INDEXED BY providerJobByProvider
                LEFT JOIN job r ON r.partnerId = j.partnerId AND r.requestId = j.requestId
                WHERE j.partnerId = ?1 AND j.providerId = ids.value
                  AND j.state IN ('CONTINGENT', 'ASSIGNED', 'REPLACEMENT_SOUGHT')
                  AND j.startsAt < ?4 AND (j.endsAt > ?3 OR j.startsAt >= ?5)
                """,
            arguments: [
                partner, ids, job.startsAt.addingTimeInterval(-context.travelBuffer).stored,
                job.endsAt.addingTimeInterval(context.travelBuffer).stored, context.workloadFrom.stored,
            ])
        while let row = try held.next() {
            facts[row[0] as Int].heldJobs.append(
                HeldJob(
                    requestId: row[1], state: row[2], startsAt: Date(stored: row[3]), endsAt: Date(stored: row[4]),
                    remote: row[5]))
        }
        // Jobs done are those assigned and ended before this job starts: the same answer on every
        // replica whatever its clock.
        let history = try Row.fetchCursor(
            db,
            sql: """
                SELECT ids.key,
                       SUM(j.state IN ('ASSIGNED', 'REPLACEMENT_SOUGHT') AND j.endsAt <= ?4),
                       MAX(CASE WHEN j.state IN ('ASSIGNED', 'REPLACEMENT_SOUGHT') AND j.endsAt <= ?4
                           THEN j.endsAt END),
                       SUM(j.state = 'NO_SHOW')
                FROM json_each(?2) ids CROSS JOIN providerJob j INDEXED BY providerJobByCustomer
                WHERE j.partnerId = ?1 AND j.customerId = ?3 AND j.providerId = ids.value
                GROUP BY ids.key
                """, arguments: [partner, ids, job.customerId, job.startsAt.stored])
        while let row = try history.next() {
            let last: Double? = row[2]
            facts[row[0] as Int].history = SharedHistory(
                jobsDone: row[1], lastJobEndedAt: last.map(Date.init(stored:)), noShows: row[3])
        }
    }
}
