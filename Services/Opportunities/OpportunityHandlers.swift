import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Each provider's opportunity on a request, through the state machine: offered, answered,
/// decided, cancelled, replaced. The reads (`GetOpportunity`, `ListOpportunities`, `History`)
/// are in `OpportunityQueries.swift`.
struct OpportunityHandlers: OpportunitiesOpportunityHandling {
    let store: OpportunitiesStore
    let environment: ServiceEnvironment

    private var now: Date { environment.clock.now }

    /// Offers the request to a provider of its type; idempotent per (request, provider).
    func offer(_ request: OfferRequest, _ context: CallerContext) async throws -> OpportunityReply {
        if let replay = try await store.storedReply(context, request: request, as: OpportunityReply.self) {
            return replay
        }
        var validator = Validator()
        validator.require(!request.requestId.isEmpty, "body.requestId", "must not be empty")
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        try validator.check()
        let existing = try await store.read(context) { reader in
            _ = try reader.request(request.requestId, field: "body.requestId")
            return try reader.opportunity(onRequest: request.requestId, providerId: request.providerId)
        }
        if let existing { return OpportunityReply(opportunity: existing) }
        let registry = try environment.registry(onBehalfOf: context)
        let provider = try await registry.provider(request.providerId, field: "body.providerId")
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            let record = try writer.request(request.requestId, field: "body.requestId")
            if let raced = try writer.opportunity(onRequest: record.id, providerId: provider.id) {
                return OpportunityReply(opportunity: raced)
            }
            // A filled request takes offers only while someone on it seeks a replacement.
            let seeking = try writer.opportunities(onRequest: record.id).contains { $0.state == .replacementSought }
            guard record.status == .open || (record.status == .filled && seeking) else {
                throw RequestTakesNoOffers(requestId: record.id, status: record.status)
            }
            guard provider.providerType == record.providerType else {
                throw ProviderTypeMismatch(
                    providerId: provider.id, providerType: provider.providerType, neededType: record.providerType)
            }
            let opportunity = Opportunity(
                partnerId: context.partnerId, id: Identifier.make("op"), requestId: record.id,
                providerId: provider.id, state: .offered, version: 1, createdAt: now, updatedAt: now)
            try writer.offer(opportunity, on: record, by: context.actor, at: now)
            return OpportunityReply(opportunity: opportunity)
        }
    }

    /// The offered provider's answer; an interest is assigned at once when the request's
    /// decision policy says so and a slot is open.
    func respond(_ request: RespondRequest, _ context: CallerContext) async throws -> OpportunityReply {
        if let replay = try await store.storedReply(context, request: request, as: OpportunityReply.self) {
            return replay
        }
        // Whether an interest is assigned at once depends on the request's decision policy; a
        // hybrid policy may need the registry's word on preferred qualifications first.
        let (opportunity, record) = try await store.read(context) { reader in
            try reader.opportunityAndRequest(request.opportunityId, field: "body.opportunityId")
        }
        try context.requireOwn(opportunity, on: record, field: "body.opportunityId")
        let automatic =
            request.interested
            ? await decidesAutomatically(record, providerId: opportunity.providerId, context: context) : false
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var (opportunity, record) = try writer.opportunityAndRequest(
                request.opportunityId, field: "body.opportunityId")
            try opportunity.requireVersion(request.expectedVersion)
            if request.interested { opportunity.quote = request.quote }
            try writer.move(
                &opportunity, on: record, action: request.interested ? .respondInterested : .respondDeclined,
                by: context.actor, reason: nil, at: now)
            if automatic, record.status == .open {
                do {
                    try writer.assign(
                        &opportunity, on: &record, by: .system,
                        reason: "automatic decision (\(record.decision.mode.rawValue))", at: now)
                } catch is TeamComplete {
                    // No open slot (a replacement is not sought): the interest waits for the decider.
                }
            }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: context.role))
        }
    }

    /// `automatic` assigns the first interested provider; `hybrid` does so for a provider on the
    /// customer's preferred list or meeting every preferred qualification; `manual` never.
    private func decidesAutomatically(
        _ request: RequestRecord, providerId: String, context: CallerContext
    ) async -> Bool {
        switch request.decision.mode {
        case .manual: return false
        case .automatic: return true
        case .hybrid:
            if request.preferredProviderIds.contains(providerId) { return true }
            guard !request.preferredQualificationIds.isEmpty else { return false }
            do {
                let registry = try environment.registry(onBehalfOf: context)
                return try await registry.meetsEvery(
                    request.preferredQualificationIds, providerId: providerId, for: request)
            } catch {
                // Without the registry's answer the decider decides: never assign on a guess.
                context.logger.warning("hybrid decision fell back to manual", metadata: ["error": "\(error)"])
                return false
            }
        }
    }

    /// The decider assigns an interested provider or turns them down.
    func decide(_ request: DecideRequest, _ context: CallerContext) async throws -> OpportunityReply {
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var (opportunity, record) = try writer.opportunityAndRequest(
                request.opportunityId, field: "body.opportunityId")
            try context.requireOwn(opportunity, on: record, field: "body.opportunityId")
            if context.role == .customer, record.decision.decider != .customer {
                throw NotTheDecider(requestId: record.id)
            }
            try opportunity.requireVersion(request.expectedVersion)
            if request.assign {
                // The role's refusal first, as for any other action, before the team is looked at.
                _ = try OpportunityStateMachine.next(opportunity.state, .decideAssign, role: context.role).get()
                try writer.assign(&opportunity, on: &record, by: context.actor, reason: request.reason, at: now)
            } else {
                try writer.move(
                    &opportunity, on: record, action: .decideDecline, by: context.actor, reason: request.reason,
                    at: now)
            }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: context.role))
        }
    }

    /// Cancels an assignment: billable by the policies unless the provider cancels; a member
    /// leaving a complete team reopens the request.
    func cancel(_ request: CancelRequestBody, _ context: CallerContext) async throws -> OpportunityReply {
        var validator = Validator()
        _ = validator.name(request.reason, field: "body.reason")
        try validator.check()
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var (opportunity, record) = try writer.opportunityAndRequest(
                request.opportunityId, field: "body.opportunityId")
            try context.requireOwn(opportunity, on: record, field: "body.opportunityId")
            try opportunity.requireVersion(request.expectedVersion)
            let percent =
                context.role == .provider
                ? 0 : try writer.billablePercent(request: record, providerId: opportunity.providerId, at: now)
            let heldSlot = OpportunityStateMachine.holdsSlot.contains(opportunity.state)
            try writer.move(
                &opportunity, on: record, action: .cancel, by: context.actor,
                facts: TransitionFacts(billablePercent: percent), reason: request.reason, at: now)
            if heldSlot { try writer.reopenIfFilled(&record, at: now) }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: context.role))
        }
    }

    /// Records that an assigned provider did not appear (after the start only).
    func markNoShow(_ request: OpportunityActionRequest, _ context: CallerContext) async throws -> OpportunityReply {
        try await simpleAction(.markNoShow, request, context)
    }

    /// The assigned provider or the customer asks for a replacement.
    func seekReplacement(
        _ request: OpportunityActionRequest, _ context: CallerContext
    ) async throws -> OpportunityReply {
        try await simpleAction(.seekReplacement, request, context)
    }

    /// Takes a replacement request back; only whoever asked (or the partner) may.
    func withdrawReplacement(
        _ request: OpportunityActionRequest, _ context: CallerContext
    ) async throws -> OpportunityReply {
        try await simpleAction(.withdrawReplacement, request, context) { opportunity in
            if opportunity.state == .replacementSought, context.role != .partner,
                context.role.rawValue != opportunity.replacementSoughtBy
            {
                throw NotTheSeeker(role: context.role)
            }
        }
    }

    /// An action with no side effects beyond the transition itself.
    private func simpleAction(
        _ action: OpportunityAction, _ request: OpportunityActionRequest, _ context: CallerContext,
        check: @escaping @Sendable (Opportunity) throws -> Void = { _ in }
    ) async throws -> OpportunityReply {
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            let (current, record) = try writer.opportunityAndRequest(request.opportunityId, field: "body.opportunityId")
            var opportunity = current
            try context.requireOwn(opportunity, on: record, field: "body.opportunityId")
            try opportunity.requireVersion(request.expectedVersion)
            try check(opportunity)
            let facts = TransitionFacts(started: now >= record.startsAt)
            // A masked REPLACEMENT_SOUGHT looks ASSIGNED to the other party, and so must act like it.
            let visible = OpportunityMasking.mask(opportunity, for: context.role)
            if visible.state != opportunity.state {
                _ = try OpportunityStateMachine.next(visible.state, action, role: context.role, facts: facts).get()
                throw NotAvailableNow(action: action)
            }
            try writer.move(
                &opportunity, on: record, action: action, by: context.actor, facts: facts, reason: request.reason,
                at: now)
            if action == .withdrawReplacement, record.status == .open {
                // The team lost a member meanwhile: back among the contingent until it is whole again.
                try writer.move(
                    &opportunity, on: record, action: .reopenTeam, by: .system, reason: "the team is not complete",
                    at: now)
            }
            return OpportunityReply(opportunity: OpportunityMasking.mask(opportunity, for: context.role))
        }
    }
}

extension CallerContext {
    /// The one "only yourself" rule for an opportunity: a provider's own, or one on a customer's
    /// own request; anyone else gets `NOT_FOUND`, as for an unknown id.
    func requireOwn(_ opportunity: Opportunity, on request: RequestRecord, field: String) throws(RPCError) {
        try requireOwn(
            providerId: opportunity.providerId, customerId: request.customerId, kind: "opportunity",
            id: opportunity.id, field: field)
    }
}

extension Opportunity {
    /// Throws `StaleVersion` when the caller expected another version (someone changed it first).
    func requireVersion(_ expected: Int?) throws(StaleVersion) {
        try StaleVersion.check(expected, actual: version, kind: "opportunity", id: id)
    }
}
