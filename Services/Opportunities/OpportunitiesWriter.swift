import Contracts
import Foundation
import GRDB
import Wire

// The store's writes. Every change of an opportunity goes through `move`: the state machine's
// verdict, the new state and version, the history row and the events together, inside the
// caller's transaction.

extension OpportunitiesWriter {
    /// Saves a new request and its `request.created` event, with its timers: the job's start,
    /// and the partner's warning when slots are still open close to it (given at once for a
    /// request made inside that lead time).
    func create(_ request: inout RequestRecord, at now: Date) throws {
        try request.insert(db)
        try JobStart.schedule(db, request)
        try outbox.append(
            db, type: Opportunities.EventType.requestCreated, partnerId: partnerId, occurredAt: now,
            data: RequestChanged(request: request, slotsHeld: 0, slotsOpen: request.teamSize))
        try armUnfilledWarning(&request, at: now)
    }

    /// Saves a new opportunity (OFFERED) with its first history row and event, naming the
    /// contact attempt it belongs to when there is one.
    func offer(
        _ opportunity: Opportunity, on request: RequestRecord, by actor: Actor, attemptId: String? = nil,
        at now: Date
    ) throws {
        try opportunity.insert(db)
        try record(
            opportunity, from: nil, action: nil, by: actor, reason: nil, seekers: [], on: request,
            attemptId: attemptId, at: now)
    }

    /// Declines every open offer and pending interest on the request (OFFERED or PENDING) with
    /// `reason`: the request filled or was cancelled, or the job started.
    func closeOpenOffers(on request: RequestRecord, reason: String, at now: Date) throws {
        var open = try opportunities(onRequest: request.id).filter { [.offered, .pending].contains($0.state) }
        for index in open.indices {
            try move(&open[index], on: request, action: .withdrawForRequest, by: .system, reason: reason, at: now)
        }
    }

    /// Saves a cancellation policy, replacing the subject's previous one.
    func save(_ policy: CancellationPolicy) throws {
        try policy.save(db)
    }

    /// Applies `action` to `opportunity` and records it; throws the state machine's refusal.
    func move(
        _ opportunity: inout Opportunity, on request: RequestRecord, action: OpportunityAction, by actor: Actor,
        facts: TransitionFacts = TransitionFacts(), reason: String?, attemptId: String? = nil,
        answer: AnswerDetails = AnswerDetails(), at now: Date
    ) throws {
        let next = try OpportunityStateMachine.next(opportunity.state, action, role: actor.role, facts: facts).get()
        let from = opportunity.state
        let seekers = OpportunityMasking.seekers(of: opportunity)
        opportunity.state = next
        opportunity.version += 1
        opportunity.updatedAt = now
        if next == .cancelledBillable { opportunity.billablePercent = facts.billablePercent }
        if action == .reoffer { opportunity.quote = nil }
        if from == .pending && next != .pending { opportunity.decisionReasons = nil }
        if next == .replacementSought && from != .replacementSought {
            opportunity.replacementSoughtBy = actor.role.rawValue
            opportunity.replacementSeekers = [actor.role.rawValue]
        }
        if from == .replacementSought && [.assigned, .contingent].contains(next) {
            opportunity.replacementSoughtBy = nil
            opportunity.replacementSeekers = nil
        }
        try opportunity.update(db)
        // A row names the seekers after it, or (leaving the search) those it ended.
        let rowSeekers = next == .replacementSought ? OpportunityMasking.seekers(of: opportunity) : seekers
        try record(
            opportunity, from: from, action: action, by: actor, reason: reason, seekers: rowSeekers, on: request,
            attemptId: attemptId, answer: answer, at: now)
    }

    /// One party joins or leaves the search for a replacement the other party already seeks:
    /// the state stays REPLACEMENT_SOUGHT, the seekers change, and the transition is recorded
    /// (seen only by whoever it concerns; `OpportunityMasking`).
    func changeSeekers(
        _ opportunity: inout Opportunity, on request: RequestRecord, action: OpportunityAction, by actor: Actor,
        reason: String?, at now: Date
    ) throws {
        guard opportunity.state == .replacementSought, [.seekReplacement, .withdrawReplacement].contains(action) else {
            throw TransitionError.notAllowedInState(state: opportunity.state, action: action)
        }
        var seekers = OpportunityMasking.seekers(of: opportunity).filter { $0 != actor.role.rawValue }
        if action == .seekReplacement { seekers.append(actor.role.rawValue) }
        opportunity.replacementSeekers = seekers
        opportunity.replacementSoughtBy = seekers.first
        opportunity.version += 1
        opportunity.updatedAt = now
        try opportunity.update(db)
        try record(
            opportunity, from: .replacementSought, action: action, by: actor, reason: reason, seekers: seekers,
            on: request, at: now)
    }

    /// Assigns an interested provider: CONTINGENT until the team is complete, then the whole
    /// team ASSIGNED at once; into a replacement's place when the team is full and someone
    /// seeks a replacement (the original then cancelled in the same transaction).
    /// - Parameter replacing: the member seeking a replacement this one replaces, as the decider
    ///   chose (its view of the member decides, so a hidden search answers like none).
    func assign(
        _ opportunity: inout Opportunity, on request: inout RequestRecord, by actor: Actor, reason: String?,
        replacing: SeenOpportunity? = nil, at now: Date
    ) throws {
        guard opportunity.state == .pending else {
            throw TransitionError.notAllowedInState(state: opportunity.state, action: .decideAssign)
        }
        var others = try opportunities(onRequest: request.id).filter { $0.id != opportunity.id }
        let held = others.filter { OpportunityStateMachine.holdsSlot.contains($0.state) }
        let full = held.count >= request.teamSize
        if let replacing {
            guard replacing.view.state == .replacementSought, replacing.request.id == request.id else {
                throw OpportunitiesError.notSeekingReplacement(opportunityId: replacing.opportunity.id)
            }
            try replace(
                replacing.opportunity, with: &opportunity, on: request, by: actor, full: full, reason: reason, at: now)
            return
        }
        if full {
            let seeking = held.filter { $0.state == .replacementSought }
            guard let original = seeking.min(by: { $0.updatedAt < $1.updatedAt }) else {
                throw OpportunitiesError.teamComplete(requestId: request.id, teamSize: request.teamSize)
            }
            try replace(original, with: &opportunity, on: request, by: actor, full: true, reason: reason, at: now)
            // The last search ended: the team is complete again, and no open offer stays open.
            if request.status == .filled, !seeking.contains(where: { $0.id != original.id }) {
                try closeOpenOffers(on: request, reason: OfferClosing.filled, at: now)
            }
            return
        }
        let completes = held.count + 1 == request.teamSize
        try move(
            &opportunity, on: request, action: .decideAssign, by: actor,
            facts: TransitionFacts(completesTeam: completes), reason: reason, at: now)
        guard completes else { return }
        for index in others.indices where [.contingent, .replacementSought].contains(others[index].state) {
            try move(&others[index], on: request, action: .completeTeam, by: .system, reason: "team complete", at: now)
        }
        // In the same transaction as the fill: the open offers and pending interest are declined.
        try closeOpenOffers(on: request, reason: OfferClosing.filled, at: now)
        try setStatus(&request, .filled, event: Opportunities.EventType.requestFilled, at: now)
    }

    /// Assigns `replacement` in `original`'s place, cancelling the original in the same
    /// transaction: not billable when the provider asked to be replaced, by the policies when
    /// only the customer did. The team stays as complete (`full`) or incomplete as it was.
    private func replace(
        _ original: Opportunity, with replacement: inout Opportunity, on request: RequestRecord, by actor: Actor,
        full: Bool, reason: String?, at now: Date
    ) throws {
        var original = original
        try move(
            &replacement, on: request, action: .decideAssign, by: actor, facts: TransitionFacts(completesTeam: full),
            reason: reason, at: now)
        let providerAsked = OpportunityMasking.seekers(of: original).contains(Actor.Role.provider.rawValue)
        let percent =
            providerAsked ? 0 : try billablePercent(request: request, providerId: original.providerId, at: now)
        try move(
            &original, on: request, action: .replaceOriginal, by: .system,
            facts: TransitionFacts(billablePercent: percent), reason: "replaced by \(replacement.providerId)", at: now)
    }

    /// After a member left: a complete team goes back to CONTINGENT (a member seeking a
    /// replacement keeps its slot and its search) and the request reopens.
    /// - Parameters:
    ///   - reason: why the slot reopened, carried by `request.reopened`.
    ///   - providerId: the member who left.
    func reopenIfFilled(
        _ request: inout RequestRecord, reason: String = "a team member left", providerId: String? = nil,
        at now: Date
    ) throws {
        guard request.status == .filled else { return }
        var members = try opportunities(onRequest: request.id)
        for index in members.indices where [.assigned, .replacementSought].contains(members[index].state) {
            try move(
                &members[index], on: request, action: .reopenTeam, by: .system, reason: "a team member left", at: now)
        }
        try setStatus(
            &request, .open, event: Opportunities.EventType.requestReopened, reopenReason: reason,
            reopenedByProviderId: providerId, at: now)
        // Reopened inside the partner's lead time, and not warned yet: warned now.
        try armUnfilledWarning(&request, at: now)
    }

    /// Saves a request's new status and emits `event` with the request, its slots held and open
    /// and, for a reopening, why.
    func setStatus(
        _ request: inout RequestRecord, _ status: RequestRecord.Status, event: String, reopenReason: String? = nil,
        reopenedByProviderId: String? = nil, at now: Date
    ) throws {
        request.status = status
        request.version += 1
        request.updatedAt = now
        try request.update(db)
        try announce(
            request, event: event, reopenReason: reopenReason, reopenedByProviderId: reopenedByProviderId, at: now)
    }

    /// Emits `event` with the request, its slots held and open and, for a reopening, why.
    func announce(
        _ request: RequestRecord, event: String, reopenReason: String? = nil, reopenedByProviderId: String? = nil,
        at now: Date
    ) throws {
        let held = try Opportunity.all().inTenant(partnerId).ofRequest(request.id).holdingSlot().fetchCount(db)
        let data = RequestChanged(
            request: request, slotsHeld: held, slotsOpen: max(0, request.teamSize - held), reopenReason: reopenReason,
            reopenedByProviderId: reopenedByProviderId)
        try outbox.append(db, type: event, partnerId: request.partnerId, occurredAt: now, data: data)
    }

    /// Writes the history row and the events of a transition (also the first, OFFERED).
    private func record(
        _ opportunity: Opportunity, from: OpportunityState?, action: OpportunityAction?, by actor: Actor,
        reason: String?, seekers: [String], on request: RequestRecord, attemptId: String? = nil,
        answer: AnswerDetails = AnswerDetails(), at now: Date
    ) throws {
        let actionName = action?.rawValue ?? "offer"
        try TransitionRow(
            partnerId: opportunity.partnerId, opportunityId: opportunity.id, seq: try lastSeq(of: opportunity.id) + 1,
            at: now, actorRole: actor.role.rawValue, actorId: actor.id, action: actionName, from: from,
            to: opportunity.state, reason: reason,
            replacementSoughtBy: seekers.isEmpty ? nil : seekers.joined(separator: ","), attemptId: attemptId,
            quote: answer.quote, recordedBy: answer.recordedBy, recordedVia: answer.recordedVia
        ).insert(db)
        let change = OpportunityChanged(
            opportunityId: opportunity.id, requestId: request.id, providerId: opportunity.providerId,
            customerId: request.customerId, from: from, to: opportunity.state, action: actionName,
            actorRole: actor.role.rawValue, startsAt: request.startsAt, endsAt: request.endsAt,
            billablePercent: opportunity.billablePercent, replacementSoughtBy: opportunity.replacementSoughtBy,
            replacementSeekers: opportunity.replacementSeekers, attemptId: attemptId,
            doNotContact: answer.doNotContact,
            // The system's reasons, and the partner's for withdrawing an offer (a disposition's code).
            reason: actor.id == nil || action == .withdrawOffer ? reason : nil, quote: answer.quote,
            recordedBy: answer.recordedBy, recordedVia: answer.recordedVia)
        try outbox.append(
            db, type: Opportunities.EventType.opportunityChanged, partnerId: opportunity.partnerId, occurredAt: now,
            data: change)
        if opportunity.state == .replacementSought && from != .replacementSought {
            try outbox.append(
                db, type: Opportunities.EventType.replacementSought, partnerId: opportunity.partnerId,
                occurredAt: now, data: change)
        }
    }
}

/// What a transition records of an answer to an offer: an interest's quote, a refusal's wish not
/// to be contacted again, and, for an answer recorded for the provider, who recorded it and how.
struct AnswerDetails {
    var quote: Quote?
    var doNotContact: Bool?
    var recordedBy: String?
    var recordedVia: String?
}

/// Why the service declined the open offers of a request on its own.
enum OfferClosing {
    static let filled = "the request is filled"
    static let started = "the job has started"
}
