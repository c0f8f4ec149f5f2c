import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Each provider's opportunity on a request, through the state machine: offered, answered,
/// decided, cancelled. Seeking and withdrawing replacements and no-shows are in
/// `OpportunityActions.swift`; the reads (`GetOpportunity`, `ListOpportunities`, `History`) in
/// `OpportunityQueries.swift`. Every reply is the opportunity as the caller sees it
/// (`OpportunityViews`).
struct OpportunityHandlers: OpportunitiesOpportunityHandling {
    let store: OpportunitiesStore
    let environment: ServiceEnvironment
    /// Whether a provider passes every filter, for automatic and hybrid decisions.
    let eligibility: any EligibilityCheck

    var now: Date { environment.clock.now }

    /// Offers the request to a provider of its type; idempotent per (request, provider), saying
    /// whether this call created the opportunity. The service re-offers a declined one (broadcast
    /// recycling the provider). Refused for an inactive provider, a started job, and a filled or
    /// cancelled request (but a filled one where someone seeks a replacement).
    func offer(_ request: OfferRequest, _ context: CallerContext) async throws -> OpportunityReply {
        if let replay = try await store.storedReply(context, request: request, as: OpportunityReply.self) {
            return replay
        }
        var validator = Validator()
        validator.require(!request.requestId.isEmpty, "body.requestId", "must not be empty")
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        if let attemptId = request.attemptId {
            validator.require(!attemptId.isEmpty, "body.attemptId", "must not be empty when given")
        }
        try validator.check()
        try await closeOffersIfStarted(request.requestId, context)
        let existing = try await store.read(context) { reader in
            _ = try reader.request(request.requestId, field: "body.requestId")
            return try reader.opportunity(onRequest: request.requestId, providerId: request.providerId)
        }
        if let existing, !Self.reoffers(existing, context) {
            return OpportunityReply(opportunity: existing, created: false)
        }
        let registry = try environment.registry(onBehalfOf: context)
        let provider = try await registry.provider(request.providerId, field: "body.providerId")
        guard provider.active else { throw OpportunitiesError.providerInactive(providerId: provider.id) }
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            let record = try writer.request(request.requestId, field: "body.requestId")
            let raced = try writer.opportunity(onRequest: record.id, providerId: provider.id)
            if let raced, !Self.reoffers(raced, context) { return OpportunityReply(opportunity: raced, created: false) }
            guard now < record.startsAt else { throw OpportunitiesError.jobStarted(requestId: record.id) }
            // A filled request takes offers only while someone on it seeks a replacement.
            let seeking = try writer.opportunities(onRequest: record.id).contains { $0.state == .replacementSought }
            let forReplacement = record.status == .filled && seeking
            guard record.status == .open || forReplacement else {
                throw OpportunitiesError.requestTakesNoOffers(requestId: record.id, status: record.status)
            }
            guard provider.providerType == record.providerType else {
                throw OpportunitiesError.providerTypeMismatch(
                    providerId: provider.id, providerType: provider.providerType, neededType: record.providerType)
            }
            if var declined = raced {
                declined.offeredForReplacement = forReplacement ? true : nil
                try writer.move(
                    &declined, on: record, action: .reoffer, by: context.actor, reason: "offered again",
                    attemptId: request.attemptId, at: now)
                return OpportunityReply(opportunity: declined, created: false)
            }
            let opportunity = Opportunity(
                partnerId: context.partnerId, id: Identifier.make("op"), requestId: record.id,
                providerId: provider.id, state: .offered, version: 1,
                offeredForReplacement: forReplacement ? true : nil,
                createdAt: now, updatedAt: now)
            try writer.offer(opportunity, on: record, by: context.actor, attemptId: request.attemptId, at: now)
            return OpportunityReply(opportunity: opportunity, created: true)
        }
    }

    /// Whether `Offer` offers an existing opportunity again: a declined one, by the service.
    static func reoffers(_ opportunity: Opportunity, _ context: CallerContext) -> Bool {
        opportunity.state == .declined && context.role == .service
    }

    /// Declines the request's open offers once its job has started (on the service's clock), in a
    /// transaction of its own, before the caller's call is judged.
    func closeOffersIfStarted(_ requestId: String, _ context: CallerContext) async throws {
        let now = self.now
        try await store.write(context.partnerId) { try $0.closeIfStarted(requestId, at: now) }
    }

    /// The offered provider's answer, or the partner's record of it (who recorded it and how go
    /// into the history); an interest is assigned at once when the request's decision policy
    /// says so, the provider passes every filter and a slot is open; otherwise it waits for the
    /// decider, with the reasons. An offer the partner withdrew takes no answer.
    func respond(_ request: RespondRequest, _ context: CallerContext) async throws -> OpportunityReply {
        if let replay = try await store.storedReply(context, request: request, as: OpportunityReply.self) {
            return replay
        }
        try Self.validate(request, context)
        let recordedBy = context.role == .partner || context.onBehalfOf == .partner ? "partner" : nil
        let answer = AnswerDetails(
            quote: request.interested ? request.quote : nil, doNotContact: request.doNotContact,
            recordedBy: recordedBy, recordedVia: request.recordedVia)
        let seen = try await store.read(context) { reader in
            try reader.seen(request.opportunityId, by: context, field: "body.opportunityId")
        }
        try await closeOffersIfStarted(seen.request.id, context)
        let decision =
            request.interested
            ? await automaticDecision(seen.request, providerId: seen.opportunity.providerId, context: context)
            : .manual
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var (opportunity, record) = try writer.opportunityAndRequest(
                request.opportunityId, field: "body.opportunityId")
            try opportunity.requireVersion(request.expectedVersion)
            if now >= record.startsAt { throw OpportunitiesError.jobStarted(requestId: record.id) }
            try writer.requireNotWithdrawn(opportunity)
            if request.interested { opportunity.quote = request.quote }
            var decided = decision
            // Checked here, in the transaction that would assign: no double booking by a race.
            if case .assign = decided, try writer.hasConflict(providerId: opportunity.providerId, with: record) {
                decided = .hold(["has another job at the same time"])
            }
            if case .hold(let reasons) = decided { opportunity.decisionReasons = reasons }
            try writer.move(
                &opportunity, on: record, action: request.interested ? .respondInterested : .respondDeclined,
                by: context.actor, reason: nil, attemptId: request.attemptId, answer: answer, at: now)
            if case .assign = decided, record.status == .open {
                do {
                    try writer.assign(
                        &opportunity, on: &record, by: .system,
                        reason: "automatic decision (\(record.decision.mode.rawValue))", at: now)
                } catch OpportunitiesError.teamComplete {
                    // No open slot (a replacement is not sought): the interest waits for the decider.
                }
            }
            return OpportunityReply(opportunity: try writer.view(opportunity, on: record, for: context.role))
        }
    }

    /// What `Respond` refuses before anything is read: a quote or a wish not to be contacted
    /// with the wrong answer, a malformed quote, and `recordedVia` from anyone but whoever records
    /// the answer for the provider.
    static func validate(_ request: RespondRequest, _ context: CallerContext) throws(RPCError) {
        var validator = Validator()
        if request.doNotContact != nil {
            validator.require(!request.interested, "body.doNotContact", "is only for a refusal")
        }
        if let quote = request.quote {
            validator.require(request.interested, "body.quote", "is only for an interest")
            validator.require(quote.amount >= 0 && quote.amount.isFinite, "body.quote.amount", "must be 0 or more")
            validator.require(
                Quote.isCurrencyCode(quote.currency), "body.quote.currency",
                "must be an ISO 4217 code: three capital letters")
            validator.require(
                (quote.note ?? "").count <= Quote.maxNoteLength, "body.quote.note",
                "must be at most \(Quote.maxNoteLength) characters")
        }
        if let via = request.recordedVia {
            validator.require(context.role != .provider, "body.recordedVia", "is for the partner recording the answer")
            validator.require(
                !via.isEmpty && via.count <= 50 && !Validator.hasControlCharacters(via), "body.recordedVia",
                "must be 1 to 50 characters")
        }
        try validator.check()
    }

    /// The partner withdraws an open offer (OFFERED, or PENDING interest): DECLINED with its
    /// reason (broadcast gives a final disposition's code); a later answer is refused.
    func withdrawOffer(_ request: WithdrawOfferRequest, _ context: CallerContext) async throws -> OpportunityReply {
        var validator = Validator()
        let reason = validator.name(request.reason, field: "body.reason")
        validator.optionalId(request.attemptId, field: "body.attemptId")
        try validator.check()
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            var (opportunity, record) = try writer.opportunityAndRequest(
                request.opportunityId, field: "body.opportunityId")
            try opportunity.requireVersion(request.expectedVersion)
            try writer.move(
                &opportunity, on: record, action: .withdrawOffer, by: context.actor, reason: reason,
                attemptId: request.attemptId, at: now)
            return OpportunityReply(opportunity: opportunity)
        }
    }

    /// The decider assigns an interested provider (in the place of a member seeking a
    /// replacement, when it names one) or turns them down.
    func decide(_ request: DecideRequest, _ context: CallerContext) async throws -> OpportunityReply {
        if request.replacesOpportunityId != nil && !request.assign {
            throw OpportunitiesError.invalidField("body.replacesOpportunityId", "is only for an assignment")
        }
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            let seen = try writer.seen(request.opportunityId, by: context, field: "body.opportunityId")
            var (opportunity, record) = (seen.opportunity, seen.request)
            if context.role == .customer, record.decision.decider != .customer {
                throw OpportunitiesError.notTheDecider(requestId: record.id)
            }
            try seen.requireVersion(request.expectedVersion)
            if request.assign {
                // The role's refusal first, as for any other action, before the team is looked at.
                _ = try OpportunityStateMachine.next(opportunity.state, .decideAssign, role: context.role).get()
                let replacing = try request.replacesOpportunityId.map {
                    try writer.seen($0, by: context, field: "body.replacesOpportunityId")
                }
                try writer.assign(
                    &opportunity, on: &record, by: context.actor, reason: request.reason, replacing: replacing, at: now)
            } else {
                try writer.move(
                    &opportunity, on: record, action: .decideDecline, by: context.actor, reason: request.reason,
                    at: now)
            }
            return OpportunityReply(opportunity: try writer.view(opportunity, on: record, for: context.role))
        }
    }

    /// Cancels an assignment: billable by the policies unless the provider cancels, never after
    /// the job ended; a member leaving a complete team reopens the request.
    func cancel(_ request: CancelRequestBody, _ context: CallerContext) async throws -> OpportunityReply {
        var validator = Validator()
        _ = validator.name(request.reason, field: "body.reason")
        try validator.check()
        let now = self.now
        return try await store.mutate(context, request, at: now) { writer in
            let seen = try writer.seen(request.opportunityId, by: context, field: "body.opportunityId")
            var (opportunity, record) = (seen.opportunity, seen.request)
            try seen.requireVersion(request.expectedVersion)
            let percent =
                context.role == .provider
                ? 0 : try writer.billablePercent(request: record, providerId: opportunity.providerId, at: now)
            let facts = TransitionFacts(billablePercent: percent, ended: now >= record.endsAt)
            // The caller's view answers first, so a hidden state never shows in a refusal.
            _ = try OpportunityStateMachine.next(seen.view.state, .cancel, role: context.role, facts: facts).get()
            let heldSlot = OpportunityStateMachine.holdsSlot.contains(opportunity.state)
            try writer.move(
                &opportunity, on: record, action: .cancel, by: context.actor, facts: facts, reason: request.reason,
                at: now)
            if heldSlot {
                try writer.reopenIfFilled(
                    &record, reason: "cancelled by \(context.role.rawValue)", providerId: opportunity.providerId,
                    at: now)
            }
            return OpportunityReply(opportunity: try writer.view(opportunity, on: record, for: context.role))
        }
    }
}
