import Contracts
import Wire

/// What can happen to an opportunity: the callable actions and the system's own.
public enum OpportunityAction: String, Sendable, CaseIterable {
    case respondInterested, respondDeclined, decideAssign, decideDecline, cancel, markNoShow, seekReplacement, withdrawReplacement
    /// The system's: a silent provider's offer lapses; the request is cancelled; the team fills,
    /// loses a member, or a replacement is assigned in this one's place.
    case expire, withdrawForRequest, completeTeam, reopenTeam, replaceOriginal

    /// The actions a caller can ask for (the rest happen as consequences).
    public static let callable: [OpportunityAction] = [.respondInterested, .respondDeclined, .decideAssign, .decideDecline, .cancel, .markNoShow, .seekReplacement, .withdrawReplacement]
}

/// The facts a transition depends on besides the state.
public struct TransitionFacts: Sendable, Equatable {
    /// Percent billable if a customer or partner cancels now (from the cancellation policies).
    public var billablePercent: Int
    /// Whether the job has started.
    public var started: Bool
    /// Whether assigning this opportunity completes the team.
    public var completesTeam: Bool

    public init(billablePercent: Int = 0, started: Bool = false, completesTeam: Bool = false) {
        self.billablePercent = billablePercent
        self.started = started
        self.completesTeam = completesTeam
    }
}

/// DESIGN §2's opportunity state machine as one table: state × action → next state, plus who
/// may act. Used by the service, by `Describe`'s summaries and by the tests.
public enum OpportunityStateMachine {
    /// Roles allowed to ask for each action (identity, e.g. "the provider it was offered to", is
    /// checked by the service on top).
    public static func roles(_ action: OpportunityAction) -> Set<Actor.Role> {
        switch action {
        case .respondInterested, .respondDeclined: [.provider, .service]
        case .decideAssign, .decideDecline: [.partner, .customer, .service]
        case .cancel: [.partner, .customer, .provider, .service]
        case .markNoShow: [.partner, .service]
        case .seekReplacement: [.provider, .customer]
        case .withdrawReplacement: [.provider, .customer, .partner]
        case .expire, .withdrawForRequest, .completeTeam, .reopenTeam, .replaceOriginal: [.service]
        }
    }

    /// The table: where `action` leads from `state`, before facts refine it (nil: not allowed).
    public static let table: [OpportunityState: [OpportunityAction: OpportunityState]] = [
        .offered: [.respondInterested: .pending, .respondDeclined: .declined, .expire: .declined, .withdrawForRequest: .declined],
        .pending: [.decideAssign: .contingent, .decideDecline: .declined, .withdrawForRequest: .declined],
        .contingent: [.cancel: .cancelled, .completeTeam: .assigned, .withdrawForRequest: .cancelled],
        .assigned: [.cancel: .cancelled, .markNoShow: .noShow, .seekReplacement: .replacementSought, .reopenTeam: .contingent, .withdrawForRequest: .cancelled],
        .replacementSought: [.cancel: .cancelled, .withdrawReplacement: .assigned, .replaceOriginal: .cancelled, .withdrawForRequest: .cancelled],
        .declined: [:], .cancelled: [:], .cancelledBillable: [:], .noShow: [:],
    ]

    /// The next state, or the error the caller gets: `PERMISSION_DENIED` for a role that may not
    /// act, `FAILED_PRECONDITION` (naming state and action) for a transition the state forbids.
    public static func next(_ state: OpportunityState, _ action: OpportunityAction, role: Actor.Role, facts: TransitionFacts = TransitionFacts()) -> Result<OpportunityState, RPCError> {
        guard roles(action).contains(role) else {
            return .failure(RPCError(.permissionDenied, "role \(role.rawValue) may not \(action.rawValue)"))
        }
        guard let target = table[state]?[action] else {
            return .failure(RPCError(.failedPrecondition, "cannot \(action.rawValue) an opportunity in \(state.rawValue)"))
        }
        switch action {
        case .markNoShow where !facts.started:
            return .failure(RPCError(.failedPrecondition, "cannot markNoShow before the job starts"))
        case .decideAssign where facts.completesTeam:
            return .success(.assigned)
        case .cancel, .withdrawForRequest, .replaceOriginal:
            // A provider's own cancellation is never billable; for the system's actions the service
            // passes the percent its initiator would owe (0 when a provider started it).
            let billable = target == .cancelled && role != .provider && facts.billablePercent > 0
            return .success(billable ? .cancelledBillable : target)
        default:
            return .success(target)
        }
    }

    /// States that hold a slot of the team.
    public static let holdsSlot: Set<OpportunityState> = [.contingent, .assigned, .replacementSought]
    /// States from which nothing more happens.
    public static let terminal: Set<OpportunityState> = [.declined, .cancelled, .cancelledBillable, .noShow]
}

/// Cancellation bands: cancelling at most `hoursBeforeStart` hours before the start (the edge
/// included, and any time after it) bills that band's percent; the highest applicable band of
/// each policy counts, and the stricter of the customer's and the provider's policy applies.
public enum CancellationRules {
    public static func billablePercent(hoursBeforeStart: Double, policies: [[CancellationBand]]) -> Int {
        policies.map { bands in
            bands.filter { hoursBeforeStart <= $0.hoursBeforeStart }.map(\.billablePercent).max() ?? 0
        }.max() ?? 0
    }
}

/// What a viewer may see of an opportunity: a replacement sought is visible only to whoever
/// sought it and to the partner; anyone else keeps seeing ASSIGNED until it is resolved.
public enum OpportunityMasking {
    public static func canSeeReplacement(viewer: Actor.Role, soughtBy: String?) -> Bool {
        viewer == .partner || viewer == .service || viewer.rawValue == soughtBy
    }

    public static func mask(_ opportunity: Opportunity, for viewer: Actor.Role) -> Opportunity {
        guard opportunity.state == .replacementSought, !canSeeReplacement(viewer: viewer, soughtBy: opportunity.replacementSoughtBy) else {
            return opportunity
        }
        var masked = opportunity
        masked.state = .assigned
        masked.replacementSoughtBy = nil
        return masked
    }

    /// A request's opportunities as a viewer may see them: masked, and without the offers made
    /// to find a replacement the viewer is not to know about.
    public static func visible(_ opportunities: [Opportunity], for viewer: Actor.Role) -> [Opportunity] {
        let hidden = opportunities.filter { $0.state == .replacementSought && !canSeeReplacement(viewer: viewer, soughtBy: $0.replacementSoughtBy) }
        guard let since = hidden.map(\.updatedAt).min() else { return opportunities.map { mask($0, for: viewer) } }
        return opportunities
            .filter { !([.offered, .pending, .declined].contains($0.state) && $0.createdAt >= since) }
            .map { mask($0, for: viewer) }
    }

    /// The history a viewer may see: the replacement's transitions hidden from the other party.
    public static func mask(_ transitions: [Transition], soughtBy: [String?], for viewer: Actor.Role) -> [Transition] {
        zip(transitions, soughtBy).compactMap { transition, seeker in
            let involvesReplacement = transition.to == .replacementSought || (transition.from == .replacementSought && transition.action == OpportunityAction.withdrawReplacement.rawValue)
            if involvesReplacement && !canSeeReplacement(viewer: viewer, soughtBy: seeker) { return nil }
            var shown = transition
            if shown.from == .replacementSought && !canSeeReplacement(viewer: viewer, soughtBy: seeker) { shown.from = .assigned }
            return shown
        }
    }
}
