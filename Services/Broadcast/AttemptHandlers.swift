import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Contact attempts: the partner qualifies them (default and custom dispositions), and whatever
/// delivers their messages reports how it went.
struct AttemptHandlers: BroadcastAttemptHandling {
    let store: BroadcastStore
    let environment: ServiceEnvironment
    let sender: WaveSender

    private var now: Date { environment.clock.now }

    /// Sets a default or custom disposition on a sent attempt (replacing the one it had); one that
    /// blocks adds the provider to the block list, for the request's customer or every customer.
    /// The broadcast then advances as the rules say (the wave may now be fully answered).
    func setDisposition(_ request: SetDispositionRequest, _ context: CallerContext) async throws -> AttemptReply {
        var validator = Validator()
        validator.require(!request.attemptId.isEmpty, "body.attemptId", "must not be empty")
        validator.require(!request.code.isEmpty, "body.code", "must not be empty")
        let note = request.note.map { validator.text($0, field: "body.note") }
        try validator.check()
        let now = self.now
        let reply = try await store.mutate(context, request, at: now) { writer in
            var attempt = try writer.attempt(request.attemptId, field: "body.attemptId")
            guard attempt.status == .sent else { throw BroadcastError.attemptNotSent(attemptId: attempt.id) }
            let definition = try Dispositions.settable(request.code, in: try writer.catalogue())
            if attempt.disposition != definition.code || note != nil {
                try writer.setDisposition(&attempt, definition.code, by: "partner", reason: note, at: now)
            }
            if definition.blocks, let job = try writer.job(attempt.requestId) {
                try writer.block(
                    attempt.providerId, customerId: request.blockAllCustomers == true ? nil : job.customerId,
                    reason: "disposition \(definition.code)", attemptId: attempt.id, at: now)
            }
            try writer.settle(attempt.requestId, at: now)
            return AttemptReply(attempt: attempt.wire)
        }
        sender.wakeup.signal()
        return reply
    }

    /// Records whether the message reached the provider: a failure sets `DELIVERY_FAILED` on an
    /// attempt not answered yet (or only `NO_RESPONSE`), and counts as its answer.
    func reportDelivery(_ request: ReportDeliveryRequest, _ context: CallerContext) async throws -> AttemptReply {
        var validator = Validator()
        validator.require(!request.attemptId.isEmpty, "body.attemptId", "must not be empty")
        let error = request.error.map { validator.text($0, field: "body.error") }
        try validator.check()
        let now = self.now
        let reply = try await store.mutate(context, request, at: now) { writer in
            var attempt = try writer.attempt(request.attemptId, field: "body.attemptId")
            guard attempt.status == .sent else { throw BroadcastError.attemptNotSent(attemptId: attempt.id) }
            if request.delivered {
                attempt.deliveredAt = now
                attempt.deliveryError = nil
                try attempt.update(writer.db)
            } else {
                attempt.deliveryError = error ?? "delivery failed"
                if attempt.disposition == nil || attempt.disposition == Dispositions.noResponse {
                    try writer.setDisposition(
                        &attempt, Dispositions.deliveryFailed, by: "system", reason: attempt.deliveryError, at: now)
                } else {
                    try attempt.update(writer.db)
                }
                try writer.settle(attempt.requestId, at: now)
            }
            return AttemptReply(attempt: attempt.wire)
        }
        sender.wakeup.signal()
        return reply
    }
}
