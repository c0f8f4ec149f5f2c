import Contracts
import Foundation
import GRDB
import ServiceKit
import Wire

/// The filter `SearchAttempts`, `BulkRecycle` and `BulkBlock` share (docs/design.md, "Contacts
/// across requests"): every field given narrows the partner's attempts; the period is when they
/// were planned, `[from, to)`, as `Stats` counts a period, so the two agree.
struct AttemptQuery: Sendable, Equatable {
    var dispositions: [String]?
    var customerId: String?
    var providerId: String?
    var requestId: String?
    var from: Date?
    var to: Date?

    /// The filter as sent, each faulty field recorded in `validator`.
    init(
        dispositions: [String]?, customerId: String?, providerId: String?, requestId: String?, from: Date?, to: Date?,
        validator: inout Validator
    ) {
        if let dispositions {
            // An empty list would match nothing: almost certainly not what was meant.
            validator.require(
                !dispositions.isEmpty, "body.dispositions", "must name a code; leave it out for every one")
            let codes = validator.codes(dispositions, field: "body.dispositions")
            for (index, code) in codes.enumerated() where !code.isEmpty {
                validator.require(
                    Dispositions.isValidCode(code), "body.dispositions[\(index)]", "is not a disposition code")
            }
            self.dispositions = codes
        }
        validator.optionalId(customerId, field: "body.customerId")
        validator.optionalId(providerId, field: "body.providerId")
        validator.optionalId(requestId, field: "body.requestId")
        if let from, let to { validator.require(from < to, "body.to", "must be after from") }
        (self.customerId, self.providerId, self.requestId, self.from, self.to) = (
            customerId, providerId, requestId, from, to
        )
    }

    /// Whether nothing narrows it: every attempt matches.
    var isEmpty: Bool {
        dispositions == nil && customerId == nil && providerId == nil && requestId == nil && from == nil && to == nil
    }

    /// The filter as one string, which page tokens are bound to.
    var fingerprint: String {
        [
            dispositions?.joined(separator: ",") ?? "-", customerId ?? "-", providerId ?? "-", requestId ?? "-",
            from.map(Timestamp.format) ?? "-", to.map(Timestamp.format) ?? "-",
        ].joined(separator: "|")
    }
}

/// Where a page of attempts ended, in plan order: the last one's planning time and id.
struct AttemptPlace: Equatable {
    var plannedAt: Date
    var id: String

    /// The place as a page token names it: milliseconds since 1970, then the id.
    var key: String { "\(Int64((plannedAt.timeIntervalSince1970 * 1000).rounded()))|\(id)" }

    init(plannedAt: Date, id: String) {
        self.plannedAt = plannedAt
        self.id = id
    }

    /// The place a token's key names; `INVALID_ARGUMENT` naming `body.pageToken` for another kind of key.
    init(key: String) throws(RPCError) {
        let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, let milliseconds = Int64(parts[0]) else {
            throw .invalidArgument(field: "body.pageToken", "is not a page token of this list")
        }
        self.init(plannedAt: Date(timeIntervalSince1970: Double(milliseconds) / 1000), id: parts[1])
    }
}

/// An attempt that matched, with its request's customer.
struct FoundAttempt {
    var attempt: AttemptRow
    var customerId: String

    /// The attempt as `SearchAttempts` and the export show it.
    func summary(_ catalogue: [String: DispositionDefinition]) -> AttemptSummary {
        let row = attempt
        return AttemptSummary(
            id: row.id, requestId: row.requestId, customerId: customerId, providerId: row.providerId, wave: row.wave,
            attemptNumber: row.attemptNumber, status: row.status, plannedAt: row.plannedAt, sentAt: row.sentAt,
            opportunityId: row.opportunityId, disposition: row.disposition,
            dispositionLabel: row.disposition.map { catalogue[$0]?.label ?? $0 }, dispositionBy: row.dispositionBy,
            dispositionAt: row.dispositionAt, late: row.late, reason: row.reason, recycledAt: row.recycledAt)
    }
}

extension BroadcastQueries {
    /// `NOT_FOUND` naming `body.dispositions[i]` for a code the partner does not have (archived
    /// ones it has): a mistyped code would otherwise match nothing, silently.
    func requireKnown(_ query: AttemptQuery, in catalogue: [String: DispositionDefinition]) throws {
        for (index, code) in (query.dispositions ?? []).enumerated() where catalogue[code] == nil {
            throw BroadcastError.notFound(kind: "disposition", id: code, field: "body.dispositions[\(index)]")
        }
    }

    /// The tenant's attempts matching `query` in plan order (then by id), after `place`, at most
    /// `limit` (nil: all).
    func attempts(matching query: AttemptQuery, after place: AttemptPlace? = nil, limit: Int? = nil) throws
        -> [FoundAttempt]
    {
        var sql = """
            SELECT a.*, j.customerId AS jobCustomerId FROM contactAttempt a
            JOIN job j ON j.partnerId = a.partnerId AND j.requestId = a.requestId
            WHERE a.partnerId = ?
            """
        var arguments: StatementArguments = [partnerId]
        if let codes = query.dispositions {
            sql += " AND a.disposition IN (\(Array(repeating: "?", count: codes.count).joined(separator: ", ")))"
            arguments += StatementArguments(codes)
        }
        if let customerId = query.customerId {
            sql += " AND j.customerId = ?"
            arguments += [customerId]
        }
        if let providerId = query.providerId {
            sql += " AND a.providerId = ?"
            arguments += [providerId]
        }
        if let requestId = query.requestId {
            sql += " AND a.requestId = ?"
            arguments += [requestId]
        }
        if let from = query.from {
            sql += " AND a.plannedAt >= ?"
            arguments += [from]
        }
        if let to = query.to {
            sql += " AND a.plannedAt < ?"
            arguments += [to]
        }
        if let place {
            sql += " AND (a.plannedAt > ? OR (a.plannedAt = ? AND a.id > ?))"
            arguments += [place.plannedAt, place.plannedAt, place.id]
        }
        sql += " ORDER BY a.plannedAt, a.id"
        if let limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            FoundAttempt(attempt: try AttemptRow(row: row), customerId: row["jobCustomerId"])
        }
    }
}
