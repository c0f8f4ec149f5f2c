import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Wire

// A contact's steps, each its own transaction, so a crash between two of them is resumed from
// the last one committed: planned → (checked at send time) sending → (offered) sent, or SKIPPED.
// An attempt in `sending` passed the check: after a restart it is offered again without another
// check, and `opportunities.Offer` is idempotent per (request, provider), so nobody is offered
// twice; the `contact.sent` event commits with `sent`, so no contact is announced twice.

extension BroadcastQueries {
    /// An attempt still to be sent, with its job, while its broadcast runs.
    func sendable(_ attemptId: String) throws -> (AttemptRow, JobRow)? {
        guard let attempt = try? attempt(attemptId, field: "attemptId"), attempt.isUnsent,
            let broadcast = try existingBroadcast(attempt.requestId), broadcast.state == .running,
            let job = try job(attempt.requestId)
        else { return nil }
        return (attempt, job)
    }
}

extension BroadcastWriter {
    /// The attempt is not sent: `SKIPPED` with the reason found at send time.
    func skip(_ attemptId: String, reason: String, at now: Date) throws {
        guard var attempt = try? attempt(attemptId, field: "attemptId"), attempt.isUnsent else { return }
        attempt.status = .notSent
        try setDisposition(&attempt, Dispositions.skipped, by: "system", reason: reason, at: now)
        try waveProgress(attempt, at: now)
    }

    /// The attempt passed the send-time check: it is offered next, on `channel`.
    func markSending(_ attemptId: String, channel: ContactChannel) throws -> Bool {
        guard let (found, _) = try sendable(attemptId), found.status == .planned else { return false }
        var attempt = found
        attempt.status = .sending
        attempt.channel = channel
        try attempt.update(db)
        return true
    }

    /// The offer was made: the attempt is sent, announced for a notifier with what to say.
    func markSent(
        _ attemptId: String, opportunityId: String, message: ContactMessage, at now: Date
    ) throws -> Bool {
        // The provider may have answered already (the offer's event can beat this commit).
        guard var attempt = try? attempt(attemptId, field: "attemptId"), attempt.status == .sending,
            attempt.disposition == nil || attempt.dispositionBy == "provider", let channel = attempt.channel
        else { return false }
        attempt.status = .sent
        attempt.sentAt = now
        attempt.opportunityId = opportunityId
        try attempt.update(db)
        try emit(
            Broadcast.EventType.contactSent,
            ContactSent(
                attemptId: attempt.id, requestId: attempt.requestId, providerId: attempt.providerId,
                opportunityId: opportunityId, wave: attempt.wave, channel: channel, message: message, sentAt: now),
            at: now)
        try waveProgress(attempt, at: now)
        return true
    }

    /// After one of its contacts went out or was skipped: a wave with none left to send is sent
    /// (its closing time set by the band of the lead time now), and the advance rule applies.
    func waveProgress(_ attempt: AttemptRow, at now: Date) throws {
        if var wave = try wave(attempt.wave, onRequest: attempt.requestId), wave.sentAt == nil,
            let job = try job(attempt.requestId)
        {
            let rest = try attempts(onRequest: attempt.requestId).filter { $0.wave == wave.number && $0.isUnsent }
            if rest.isEmpty {
                wave.sentAt = now
                wave.closesAt = WavePlanner.closesAt(sentAt: now, startsAt: job.startsAt, policy: try policy())
                try wave.update(db)
                try emit(Broadcast.EventType.waveSent, WaveSent(requestId: wave.requestId, wave: wave.wire), at: now)
            }
        }
        touch(attempt.requestId, at: now)
    }

    // MARK: Answers

    /// A provider answered an offer (or the partner recorded its answer): the attempt it answers
    /// (named by the event, else their latest contact on the request) gets the answer as its
    /// disposition, marked late after a system one (`NO_RESPONSE`, `WITHDRAWN`…); `DO_NOT_CONTACT`
    /// also blocks them for the customer. A provider's own answer never replaces a disposition
    /// the partner set: the attempt (and the statistics) keep the partner's.
    func recordAnswer(_ change: OpportunityChange, customerId: String, at now: Date) throws {
        guard let code = change.answer else { return }
        let named = change.attemptId.flatMap { try? attempt($0, field: "attemptId") }
        guard var found = try named ?? latestContact(of: change.providerId, onRequest: change.requestId),
            found.disposition != code
        else { return }
        if change.answeredBy == "provider", found.dispositionBy == "partner" {
            if code == Dispositions.interested { try noteFirstInterest(found.requestId, at: now) }
            if code == Dispositions.doNotContact {
                try blockAsAsked(change, customerId: customerId, attempt: found, at: now)
            }
            touch(found.requestId, at: now)
            return
        }
        // An answer to an attempt still `sending` means the offer went out, but the sender has
        // not recorded it (it may be mid-call, or was killed after the offer). Record it sent
        // and announced now: with the answer on it the sender would never take it up again, and
        // its wave would never be marked sent nor close.
        if found.status == .sending, found.disposition == nil, let job = try job(found.requestId) {
            let message = ContactWording.message(for: job, opportunityId: change.opportunityId)
            if try markSent(found.id, opportunityId: change.opportunityId, message: message, at: now) {
                found = try attempt(found.id, field: "attemptId")
            }
        }
        try setDisposition(
            &found, code, by: change.answeredBy, late: Dispositions.isSystem(found.disposition), at: now)
        if code == Dispositions.doNotContact {
            try blockAsAsked(change, customerId: customerId, attempt: found, at: now)
        }
    }

    /// The provider asked not to be contacted again: blocked for the request's customer.
    private func blockAsAsked(
        _ change: OpportunityChange, customerId: String, attempt: AttemptRow, at now: Date
    ) throws {
        try block(
            change.providerId, customerId: customerId, reason: "the provider asked not to be contacted",
            attemptId: attempt.id, at: now)
    }
}

/// What a contact says: the job, and how to answer.
enum ContactWording {
    static func message(for job: JobRow, opportunityId: String) -> ContactMessage {
        let request = job.request
        let place = request.remote ? "remote" : "on site" + (request.zone.map { " (\($0))" } ?? "")
        let hours = request.endsAt.timeIntervalSince(request.startsAt) / 3600
        let length = hours == hours.rounded() ? "\(Int(hours)) h" : String(format: "%.1f h", hours)
        let starts = Timestamp.format(request.startsAt)
        return ContactMessage(
            subject: "Job offer: \(request.providerType), \(starts)",
            text: "A \(request.providerType) job starting \(starts) for \(length), \(place). "
                + "Answer through opportunity \(opportunityId): interested or not.")
    }
}
