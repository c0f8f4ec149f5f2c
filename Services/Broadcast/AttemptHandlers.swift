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
        return try await store.mutate(context, request, at: now) { writer in
            var attempt = try writer.attempt(request.attemptId, field: "body.attemptId")
            guard attempt.status == .sent else { throw BroadcastError.attemptNotSent(attemptId: attempt.id) }
            let definition = try Dispositions.settable(request.code, in: try writer.catalogue())
            try writer.qualify(
                &attempt, as: definition, note: note, blockAllCustomers: request.blockAllCustomers == true, at: now)
            return AttemptReply(attempt: attempt.wire)
        }
    }

    /// Records whether the message reached the provider: a failure sets `DELIVERY_FAILED` on an
    /// attempt not answered yet (or only `NO_RESPONSE`), and counts as its answer.
    func reportDelivery(_ request: ReportDeliveryRequest, _ context: CallerContext) async throws -> AttemptReply {
        var validator = Validator()
        validator.require(!request.attemptId.isEmpty, "body.attemptId", "must not be empty")
        let error = request.error.map { validator.text($0, field: "body.error") }
        try validator.check()
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var attempt = try writer.attempt(request.attemptId, field: "body.attemptId")
            guard attempt.status == .sent else { throw BroadcastError.attemptNotSent(attemptId: attempt.id) }
            try writer.reportDelivery(&attempt, delivered: request.delivered, error: error, at: now)
            return AttemptReply(attempt: attempt.wire)
        }
    }
}
