import Contracts
import Foundation
import GRDB

// The changes callers make to a broadcast and its attempts, each marking the broadcast for the
// advance rule where the change can move it (`SettleOnCommit`).

extension BroadcastWriter {
    /// Starts the job's broadcast: a new one, or a stopped one again with its next wave due (a
    /// running or paused one stays as it is); the overrides given replace the broadcast's.
    func start(_ job: JobRow, pin: [String]?, exclude: [String]?, order: [String]?, at now: Date) throws {
        if var broadcast = try existingBroadcast(job.requestId) {
            if broadcast.state == .stopped {
                broadcast.waveDue = true
                try transition(&broadcast, to: .running, reason: "started again", at: now)
            }
        } else {
            _ = try create(for: job, at: now)
        }
        if pin != nil || exclude != nil || order != nil {
            var broadcast = try broadcast(job.requestId, field: "body.requestId")
            broadcast.overrides.replace(pin: pin, exclude: exclude, order: order)
            try save(&broadcast, at: now)
        }
        touch(job.requestId, at: now)
    }

    /// Holds the broadcast: no new wave until resumed (the current one still closes on time).
    func pause(_ broadcast: inout BroadcastRow, reason: String?, at now: Date) throws {
        try transition(&broadcast, to: .paused, reason: reason, at: now)
        touch(broadcast.requestId, at: now)
    }

    /// Runs a paused broadcast again, where the advance rule puts it.
    func resume(_ broadcast: inout BroadcastRow, reason: String?, at now: Date) throws {
        try transition(&broadcast, to: .running, reason: reason, at: now)
        touch(broadcast.requestId, at: now)
    }

    /// Replaces each override list given. Only an exhausted broadcast can move for them (someone
    /// may be contactable now); the others take them from their next wave.
    func override(
        _ broadcast: inout BroadcastRow, pin: [String]?, exclude: [String]?, order: [String]?, at now: Date
    ) throws {
        broadcast.overrides.replace(pin: pin, exclude: exclude, order: order)
        try save(&broadcast, at: now)
        if broadcast.state == .exhausted { touch(broadcast.requestId, at: now) }
    }

    /// Puts an attempt's provider back in rotation now: a running, waiting or exhausted
    /// broadcast may advance for it.
    func recycle(_ attempt: inout AttemptRow, of broadcast: BroadcastRow, at now: Date) throws {
        attempt.recycledAt = now
        try attempt.update(db)
        if [.exhausted, .running, .waiting].contains(broadcast.state) { touch(attempt.requestId, at: now) }
    }

    /// The partner qualifies a sent attempt with `definition` (replacing its disposition); one
    /// that blocks adds the provider to the block list, for the request's customer or every
    /// customer. The broadcast may advance (the wave may now be fully answered).
    func qualify(
        _ attempt: inout AttemptRow, as definition: DispositionDefinition, note: String?, blockAllCustomers: Bool,
        at now: Date
    ) throws {
        if attempt.disposition != definition.code || note != nil {
            try setDisposition(&attempt, definition.code, by: "partner", reason: note, at: now)
        }
        if definition.blocks, let job = try job(attempt.requestId) {
            try block(
                attempt.providerId, customerId: blockAllCustomers ? nil : job.customerId,
                reason: "disposition \(definition.code)", attemptId: attempt.id, at: now)
        }
        touch(attempt.requestId, at: now)
    }

    /// Records whether an attempt's message reached the provider: a failure sets `DELIVERY_FAILED`
    /// on an attempt not answered yet (or only `NO_RESPONSE`), and counts as its answer.
    func reportDelivery(_ attempt: inout AttemptRow, delivered: Bool, error: String?, at now: Date) throws {
        if delivered {
            attempt.deliveredAt = now
            attempt.deliveryError = nil
            try attempt.update(db)
            return
        }
        attempt.deliveryError = error ?? "delivery failed"
        if attempt.disposition == nil || attempt.disposition == Dispositions.noResponse {
            try setDisposition(
                &attempt, Dispositions.deliveryFailed, by: "system", reason: attempt.deliveryError, at: now)
        } else {
            try attempt.update(db)
        }
        touch(attempt.requestId, at: now)
    }
}
