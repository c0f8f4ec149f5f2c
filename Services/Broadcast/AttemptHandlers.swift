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
    /// blocks adds the provider to the block list, for the request's customer or every customer;
    /// `WRONG_CONTACT_DETAILS` marks the channel the attempt went out on invalid in the registry.
    /// What it says of the provider's opportunity goes to opportunities first, as the partner's
    /// (`Dispositions.effect`): an answer recorded, or an open offer withdrawn; nothing is written
    /// here when opportunities refuses. The broadcast then advances as the rules say (the wave may
    /// now be fully answered).
    func setDisposition(_ request: SetDispositionRequest, _ context: CallerContext) async throws -> AttemptReply {
        if let replay = try await store.storedReply(context, request: request, as: AttemptReply.self) {
            return replay
        }
        var validator = Validator()
        validator.require(!request.attemptId.isEmpty, "body.attemptId", "must not be empty")
        validator.require(!request.code.isEmpty, "body.code", "must not be empty")
        let note = request.note.map { validator.text($0, field: "body.note") }
        if let via = request.recordedVia {
            validator.require(
                [Dispositions.interested, Dispositions.declined].contains(request.code), "body.recordedVia",
                "is only for INTERESTED or DECLINED")
            validator.require(
                !via.isEmpty && via.count <= 50 && !Validator.hasControlCharacters(via), "body.recordedVia",
                "must be 1 to 50 characters")
        }
        try validator.check()
        let (sent, definition) = try await store.read(context.partnerId) { reader in
            let attempt = try reader.attempt(request.attemptId, field: "body.attemptId")
            guard attempt.status == .sent else { throw BroadcastError.attemptNotSent(attemptId: attempt.id) }
            return (attempt, try Dispositions.settable(request.code, in: try reader.catalogue()))
        }
        if let opportunityId = sent.opportunityId {
            try await applyToOpportunity(
                definition, opportunityId: opportunityId, attemptId: sent.id, recordedVia: request.recordedVia,
                context)
        }
        if request.code == Dispositions.wrongContactDetails {
            try await markChannelInvalid(request.attemptId, note: note, context)
        }
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

    /// Tells opportunities what the partner's disposition says of the provider's opportunity,
    /// on the partner's behalf: `INTERESTED` or `DECLINED` is the provider's answer, recorded by
    /// the partner (an answer opportunities already has stands when it says the same); a final
    /// disposition withdraws the offer while it is open (nothing to withdraw otherwise).
    private func applyToOpportunity(
        _ definition: DispositionDefinition, opportunityId: String, attemptId: String, recordedVia: String?,
        _ context: CallerContext
    ) async throws {
        let effect = Dispositions.effect(of: definition)
        guard effect != .none else { return }
        let opportunities = OpportunitiesClient(try environment.client(Opportunities.service), onBehalfOf: context)
        switch effect {
        case .none:
            return
        case .answer(let interested):
            do {
                _ = try await opportunities.respond(
                    RespondRequest(
                        opportunityId: opportunityId, interested: interested, attemptId: attemptId,
                        recordedVia: recordedVia))
            } catch  where error.code == .failedPrecondition {
                let state = try await opportunities.getOpportunity(IdRequest(id: opportunityId)).opportunity.state
                guard Dispositions.agrees(definition.code, with: state) else { throw error }
            }
        case .withdrawOffer:
            do {
                _ = try await opportunities.withdrawOffer(
                    WithdrawOfferRequest(opportunityId: opportunityId, reason: definition.code, attemptId: attemptId))
            } catch  where error.code == .failedPrecondition {
                // Not open any more (assigned, say): there is no offer to withdraw.
            }
        }
    }

    /// Marks the channel the attempt went out on invalid on the provider, before the disposition
    /// is recorded: when the registry cannot be reached nothing is written here, and marking is
    /// idempotent, so a retry does both. The address is sent along, so a channel the partner has
    /// changed since is left alone.
    private func markChannelInvalid(_ attemptId: String, note: String?, _ context: CallerContext) async throws {
        let attempt = try await store.read(context.partnerId) { try $0.attempt(attemptId, field: "body.attemptId") }
        // An attempt not sent is refused when the disposition is set.
        guard attempt.status == .sent, let channel = attempt.channel else { return }
        let registry = RegistryClient(try environment.client(Registry.service), onBehalfOf: context)
        _ = try await registry.markChannelInvalid(
            MarkChannelInvalidRequest(
                providerId: attempt.providerId, channel: channel.kind == .email ? .email : .phone,
                address: channel.address,
                reason: Dispositions.wrongContactDetails + (note.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""),
                attemptId: attempt.id))
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
