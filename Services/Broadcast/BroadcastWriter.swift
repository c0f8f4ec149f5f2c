import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Wire

// The store's writes, each inside the caller's transaction with the events it announces. The
// wave rules applied to them (settling, closing and planning waves, the timers) are in
// `Scheduler.swift`.

extension BroadcastWriter {
    // MARK: What opportunities announced

    /// Keeps the request as announced by event `seq` (a later announcement of it wins).
    @discardableResult
    func record(job request: RequestRecord, seq: Int64, at now: Date) throws -> JobRow {
        touch(request.id, at: now)
        if let existing = try job(request.id), existing.request.version > request.version {
            return existing
        }
        let row = JobRow(request, seq: max(seq, try job(request.id)?.lastSeq ?? 0), at: now)
        try row.save(db)
        return row
    }

    /// Keeps a provider's opportunity state, and that the request's events reached `seq`.
    func record(offer change: OpportunityChange, seq: Int64, at now: Date) throws {
        touch(change.requestId, at: now)
        try OfferStateRow(
            partnerId: partnerId, requestId: change.requestId, providerId: change.providerId,
            opportunityId: change.opportunityId, state: change.to, updatedAt: now
        ).save(db)
        if var job = try job(change.requestId) {
            job.lastSeq = max(job.lastSeq, seq)
            try job.update(db)
        }
    }

    // MARK: Broadcasts

    /// A new running broadcast of `job`, its next wave due at once.
    func create(for job: JobRow, at now: Date) throws -> BroadcastRow {
        touch(job.requestId, at: now)
        let broadcast = BroadcastRow(
            partnerId: partnerId, requestId: job.requestId, state: .running, waitingFor: nil, stopReason: nil,
            lastError: nil, currentWave: 0, waveDue: true, nextWaveAt: now, overrides: BroadcastOverrides(),
            startedAt: now, firstInterestAt: nil, filledAt: nil, version: 1, updatedAt: now)
        try broadcast.insert(db)
        try emit(
            Broadcast.EventType.stateChanged,
            BroadcastStateChanged(
                requestId: job.requestId, from: nil, to: .running, waitingFor: nil, reason: "started", currentWave: 0),
            at: now)
        return broadcast
    }

    /// Moves a broadcast to `state` (and what it waits for), announcing a change of either.
    func transition(
        _ broadcast: inout BroadcastRow, to state: BroadcastState, waitingFor: BroadcastWait? = nil,
        reason: String? = nil, at now: Date
    ) throws {
        let from = broadcast.state
        let changed = from != state || broadcast.waitingFor != waitingFor
        broadcast.state = state
        broadcast.waitingFor = waitingFor
        if state == .stopped { broadcast.stopReason = reason }
        if state != .stopped { broadcast.stopReason = nil }
        try save(&broadcast, at: now)
        guard changed else { return }
        try emit(
            Broadcast.EventType.stateChanged,
            BroadcastStateChanged(
                requestId: broadcast.requestId, from: from, to: state, waitingFor: waitingFor, reason: reason,
                currentWave: broadcast.currentWave),
            at: now)
    }

    /// Saves a changed broadcast as its next version.
    func save(_ broadcast: inout BroadcastRow, at now: Date) throws {
        broadcast.version += 1
        broadcast.updatedAt = now
        try broadcast.update(db)
    }

    /// Records why the background work on a broadcast failed (nil: it succeeded again).
    func note(error: String?, on requestId: String) throws {
        guard var broadcast = try existingBroadcast(requestId), broadcast.lastError != error else { return }
        broadcast.lastError = error
        try broadcast.update(db)
    }

    // MARK: Attempts

    /// Gives an attempt its disposition (replacing any before) and announces it.
    func setDisposition(
        _ attempt: inout AttemptRow, _ code: String, by who: String, late: Bool = false, reason: String? = nil,
        at now: Date
    ) throws {
        touch(attempt.requestId, at: now)
        attempt.disposition = code
        attempt.dispositionAt = now
        attempt.dispositionBy = who
        attempt.late = attempt.late || late
        if let reason { attempt.reason = reason }
        if code == Dispositions.interested { try noteFirstInterest(attempt.requestId, at: now) }
        try attempt.update(db)
        try emit(Broadcast.EventType.attemptDispositioned, AttemptReply(attempt: attempt.wire), at: now)
    }

    /// Keeps when the broadcast heard of its first interest (for the statistics).
    func noteFirstInterest(_ requestId: String, at now: Date) throws {
        guard var broadcast = try existingBroadcast(requestId), broadcast.firstInterestAt == nil else { return }
        broadcast.firstInterestAt = now
        try broadcast.update(db)
    }

    /// The provider's latest attempt on a request that reached them (one sent, or being offered).
    func latestContact(of providerId: String, onRequest requestId: String) throws -> AttemptRow? {
        try AttemptRow.all().inTenant(partnerId).ofRequest(requestId).ofProvider(providerId)
            .filter(
                [ContactAttempt.Status.sent.rawValue, ContactAttempt.Status.sending.rawValue].contains(
                    AttemptRow.Columns.status)
            ).order(AttemptRow.Columns.wave.desc).fetchOne(db)
    }

    // MARK: The block list, dispositions, the policy

    /// Adds (or replaces) a block entry and announces it.
    @discardableResult
    func block(
        _ providerId: String, customerId: String?, reason: String?, attemptId: String? = nil, at now: Date
    ) throws -> BlockRow {
        let row = BlockRow(
            partnerId: partnerId, providerId: providerId, customerId: customerId ?? "", reason: reason,
            attemptId: attemptId, createdAt: now)
        try row.save(db)
        try emit(Broadcast.EventType.blockAdded, BlockReply(block: row.wire), at: now)
        return row
    }

    /// Removes a block entry, or `NOT_FOUND` when there is none.
    func unblock(_ providerId: String, customerId: String?, at now: Date) throws -> BlockRow {
        let key: [String: any DatabaseValueConvertible] = [
            "partnerId": partnerId, "providerId": providerId, "customerId": customerId ?? "",
        ]
        guard let row = try BlockRow.fetchOne(db, key: key) else {
            throw BroadcastError.notFound(kind: "block", id: providerId, field: "body.providerId")
        }
        try row.delete(db)
        try emit(Broadcast.EventType.blockRemoved, BlockReply(block: row.wire), at: now)
        return row
    }

    /// Stores a disposition (or a built-in one's rule) and announces it as `event`.
    func save(_ definition: DispositionDefinition, event: String, at now: Date) throws {
        try DispositionRow(partnerId: partnerId, definition).save(db)
        try emit(event, DispositionReply(disposition: definition), at: now)
    }

    /// Deletes a custom disposition.
    func delete(disposition code: String) throws {
        _ = try DispositionRow.deleteOne(db, key: ["partnerId": partnerId, "code": code])
    }

    /// Stores the partner's wave policy and announces it; broadcasts waiting for their start
    /// window are judged again by the new one (the others take it from their next wave).
    func save(_ policy: BroadcastPolicy, at now: Date) throws {
        try PolicyRow(
            partnerId: partnerId, bands: policy.bands, startWindowDays: policy.startWindowDays,
            autoStart: policy.autoStart, recycledInRankOrder: policy.recycledInRankOrder, version: policy.version,
            updatedAt: policy.updatedAt
        ).save(db)
        try emit(Broadcast.EventType.policySet, PolicyReply(policy: policy), at: now)
        for waiting in try summaries(state: .waiting, after: nil, limit: Int.max)
        where waiting.waitingFor == .startWindow {
            touch(waiting.requestId, at: now)
        }
    }

    /// Appends an event of the tenant to the outbox, committed with the change it reports.
    func emit<Data: Encodable>(_ type: String, _ data: Data, at now: Date) throws {
        try outbox.append(db, type: type, partnerId: partnerId, occurredAt: now, data: data)
    }
}
