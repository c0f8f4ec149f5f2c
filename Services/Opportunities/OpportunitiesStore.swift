import Contracts
import Foundation
import GRDB
import Store
import Wire

/// The opportunities service's queries and the one place transitions are written: state,
/// version, history row and event together, inside the caller's transaction.
struct OpportunitiesStore: Sendable {
    let outbox: Outbox

    static func request(_ db: Database, partner: String, id: String, field: String) throws -> RequestRecord {
        try RequestRecord.find(db, partner: partner, id: id, kind: "request", field: field)
    }

    static func opportunity(_ db: Database, partner: String, id: String, field: String) throws -> Opportunity {
        try Opportunity.find(db, partner: partner, id: id, kind: "opportunity", field: field)
    }

    static func opportunities(_ db: Database, partner: String, requestId: String) throws -> [Opportunity] {
        try Opportunity.filter(Opportunity.Columns.partnerId == partner && Opportunity.Columns.requestId == requestId)
            .order(Opportunity.Columns.createdAt, Column("id")).fetchAll(db)
    }

    /// The percent a customer or partner cancelling now would owe: the stricter of the
    /// customer's and the provider's policy.
    static func billablePercent(_ db: Database, request: RequestRecord, providerId: String, at now: Date) throws -> Int {
        let customer = try CancellationPolicy.fetchOne(db, key: ["partnerId": request.partnerId, "scope": "customer", "subjectId": request.customerId])
        let provider = try CancellationPolicy.fetchOne(db, key: ["partnerId": request.partnerId, "scope": "provider", "subjectId": providerId])
        let hours = request.startsAt.timeIntervalSince(now) / 3600
        return CancellationRules.billablePercent(hoursBeforeStart: hours, policies: [customer?.bands ?? [], provider?.bands ?? []])
    }

    /// Applies `action` to `opportunity` and records it; throws the state machine's error.
    func move(
        _ db: Database, _ opportunity: inout Opportunity, request: RequestRecord, action: OpportunityAction,
        actor: Actor, facts: TransitionFacts = TransitionFacts(), reason: String?, at now: Date
    ) throws {
        let next = try OpportunityStateMachine.next(opportunity.state, action, role: actor.role, facts: facts).get()
        let from = opportunity.state
        let seeker = opportunity.replacementSoughtBy
        opportunity.state = next
        opportunity.version += 1
        opportunity.updatedAt = now
        if next == .cancelledBillable { opportunity.billablePercent = facts.billablePercent }
        if next == .replacementSought { opportunity.replacementSoughtBy = actor.role.rawValue }
        if from == .replacementSought && next == .assigned { opportunity.replacementSoughtBy = nil }
        try opportunity.update(db)
        try record(db, opportunity, from: from, action: action, actor: actor, reason: reason, seeker: opportunity.replacementSoughtBy ?? seeker, request: request, at: now)
    }

    /// Writes the history row and the event of a transition (also the first, OFFERED).
    func record(
        _ db: Database, _ opportunity: Opportunity, from: OpportunityState?, action: OpportunityAction?, actor: Actor,
        reason: String?, seeker: String?, request: RequestRecord, at now: Date
    ) throws {
        let seq = (try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM transition WHERE partnerId = ? AND opportunityId = ?", arguments: [opportunity.partnerId, opportunity.id]) ?? 0) + 1
        let actionName = action?.rawValue ?? "offer"
        try TransitionRow(
            partnerId: opportunity.partnerId, opportunityId: opportunity.id, seq: seq, at: now, actorRole: actor.role.rawValue,
            actorId: actor.id, action: actionName, from: from, to: opportunity.state, reason: reason, replacementSoughtBy: seeker
        ).insert(db)
        let change = OpportunityChanged(
            opportunityId: opportunity.id, requestId: request.id, providerId: opportunity.providerId, customerId: request.customerId,
            from: from, to: opportunity.state, action: actionName, actorRole: actor.role.rawValue, startsAt: request.startsAt,
            endsAt: request.endsAt, billablePercent: opportunity.billablePercent, replacementSoughtBy: opportunity.replacementSoughtBy)
        try outbox.append(db, type: Opportunities.EventType.opportunityChanged, partnerId: opportunity.partnerId, occurredAt: now, data: change)
        if opportunity.state == .replacementSought && from != .replacementSought {
            try outbox.append(db, type: Opportunities.EventType.replacementSought, partnerId: opportunity.partnerId, occurredAt: now, data: change)
        }
    }

    /// Saves a request's new status and emits its event.
    func setStatus(_ db: Database, _ request: inout RequestRecord, _ status: RequestRecord.Status, event: String, at now: Date) throws {
        request.status = status
        request.version += 1
        request.updatedAt = now
        try request.update(db)
        try outbox.append(db, type: event, partnerId: request.partnerId, occurredAt: now, data: request)
    }

    /// Assigns an interested provider: CONTINGENT until the team is complete, then the whole
    /// team ASSIGNED at once; into a replacement's place when the team is full and someone
    /// seeks a replacement (the original then cancelled in the same transaction).
    func assign(_ db: Database, _ opportunity: inout Opportunity, request: inout RequestRecord, actor: Actor, reason: String?, at now: Date) throws {
        guard opportunity.state == .pending else {
            throw RPCError(.failedPrecondition, "cannot decideAssign an opportunity in \(opportunity.state.rawValue)")
        }
        var others = try Self.opportunities(db, partner: request.partnerId, requestId: request.id).filter { $0.id != opportunity.id }
        let held = others.filter { OpportunityStateMachine.holdsSlot.contains($0.state) }
        if held.count >= request.teamSize {
            guard var original = held.filter({ $0.state == .replacementSought }).min(by: { $0.updatedAt < $1.updatedAt }) else {
                throw RPCError(.failedPrecondition, "the team of \(request.teamSize) is complete: no open slot on request \(request.id)")
            }
            try move(db, &opportunity, request: request, action: .decideAssign, actor: actor, facts: TransitionFacts(completesTeam: true), reason: reason, at: now)
            // Not billable when the provider asked to be replaced; by the customer's policy when the customer did.
            let percent = original.replacementSoughtBy == "customer" ? try Self.billablePercent(db, request: request, providerId: original.providerId, at: now) : 0
            try move(db, &original, request: request, action: .replaceOriginal, actor: .system, facts: TransitionFacts(billablePercent: percent),
                     reason: "replaced by \(opportunity.providerId)", at: now)
            return
        }
        let completes = held.count + 1 == request.teamSize
        try move(db, &opportunity, request: request, action: .decideAssign, actor: actor, facts: TransitionFacts(completesTeam: completes), reason: reason, at: now)
        guard completes else { return }
        for index in others.indices where others[index].state == .contingent {
            try move(db, &others[index], request: request, action: .completeTeam, actor: .system, reason: "team complete", at: now)
        }
        try setStatus(db, &request, .filled, event: Opportunities.EventType.requestFilled, at: now)
    }

    /// After a member left: a complete team goes back to CONTINGENT and the request reopens.
    func reopenIfFilled(_ db: Database, request: inout RequestRecord, at now: Date) throws {
        guard request.status == .filled else { return }
        var members = try Self.opportunities(db, partner: request.partnerId, requestId: request.id)
        for index in members.indices where members[index].state == .assigned {
            try move(db, &members[index], request: request, action: .reopenTeam, actor: .system, reason: "a team member left", at: now)
        }
        try setStatus(db, &request, .open, event: Opportunities.EventType.requestReopened, at: now)
    }
}
