import Contracts
import Wire

/// What can happen to an opportunity: the callable actions and the system's own.
public enum OpportunityAction: String, Sendable, CaseIterable {
    case respondInterested, respondDeclined, decideAssign, decideDecline, cancel, markNoShow, seekReplacement
    case withdrawReplacement
    /// The partner withdraws an open offer (a final disposition in broadcast: `DO_NOT_CONTACT`).
    case withdrawOffer
    /// The system's: a silent provider's offer lapses; the request is cancelled; the team fills,
    /// loses a member, or a replacement is assigned in this one's place.
    case expire, withdrawForRequest, completeTeam, reopenTeam, replaceOriginal
    /// The service's `Offer` on a declined opportunity (broadcast recycling a provider): offered again.
    case reoffer

    /// The actions a caller can ask for (the rest happen as consequences).
    public static let callable: [OpportunityAction] = [
        .respondInterested, .respondDeclined, .decideAssign, .decideDecline, .cancel, .markNoShow, .seekReplacement,
        .withdrawReplacement, .withdrawOffer,
    ]
}

/// The facts a transition depends on besides the state.
public struct TransitionFacts: Sendable, Equatable {
    /// Percent billable if a customer or partner cancels now (from the cancellation policies).
    public var billablePercent: Int
    /// Whether the job has started.
    public var started: Bool
    /// Whether assigning this opportunity completes the team.
    public var completesTeam: Bool
    /// Whether the job is over.
    public var ended: Bool
    /// Whether the team is incomplete (the request open): a member who stops seeking a
    /// replacement is then contingent, like the rest of the team.
    public var teamOpen: Bool

    public init(
        billablePercent: Int = 0, started: Bool = false, completesTeam: Bool = false, ended: Bool = false,
        teamOpen: Bool = false
    ) {
        self.billablePercent = billablePercent
        self.started = started
        self.completesTeam = completesTeam
        self.ended = ended
        self.teamOpen = teamOpen
    }
}

/// Why the state machine refuses an action: a value the tests compare, sent by the router as
/// the status it stands for.
public enum TransitionError: RPCErrorConvertible, Equatable, Sendable {
    /// The role may never ask for the action (`PERMISSION_DENIED`).
    case roleNotPermitted(role: Actor.Role, action: OpportunityAction)
    /// The state does not allow the action (`FAILED_PRECONDITION`, naming both).
    case notAllowedInState(state: OpportunityState, action: OpportunityAction)
    /// The action waits for the job to start, as a no-show does (`FAILED_PRECONDITION`).
    case jobNotStarted(action: OpportunityAction)
    /// The job is over: nothing is cancelled after the end (`FAILED_PRECONDITION`).
    case jobEnded(action: OpportunityAction)

    public var rpcError: RPCError {
        switch self {
        case .roleNotPermitted(let role, let action):
            RPCError(.permissionDenied, "a \(role.rawValue) may not \(action.words)")
        case .notAllowedInState(let state, let action):
            RPCError(
                .failedPrecondition, "cannot \(action.words) (\(action.rawValue)): \(state.words) (\(state.rawValue))")
        case .jobNotStarted(let action):
            RPCError(.failedPrecondition, "cannot \(action.words) before the job starts")
        case .jobEnded(let action):
            RPCError(.failedPrecondition, "cannot \(action.words) after the job ended")
        }
    }
}

extension OpportunityAction {
    /// The action as a person would say it, for error messages.
    var words: String {
        switch self {
        case .respondInterested: "answer the offer with interest"
        case .respondDeclined: "decline the offer"
        case .decideAssign: "assign the provider"
        case .decideDecline: "turn the provider down"
        case .cancel: "cancel the provider's place"
        case .markNoShow: "mark the provider as a no-show"
        case .seekReplacement: "seek a replacement"
        case .withdrawReplacement: "withdraw the replacement search"
        case .withdrawOffer: "withdraw the offer"
        case .expire: "let the offer lapse"
        case .withdrawForRequest: "withdraw the offer for the request"
        case .completeTeam: "close the offer for a complete team"
        case .reopenTeam: "reopen the offer"
        case .replaceOriginal: "replace the original provider"
        case .reoffer: "offer again"
        }
    }
}

extension OpportunityState {
    /// Where the opportunity stands, as a person would say it, for error messages.
    var words: String {
        switch self {
        case .offered: "the offer awaits the provider's answer"
        case .declined: "the offer was declined or withdrawn"
        case .pending: "the provider's interest awaits a decision"
        case .contingent: "the provider holds a place until the team is complete"
        case .assigned: "the provider is assigned"
        case .cancelled: "the provider's place was cancelled"
        case .cancelledBillable: "the provider's place was cancelled (billable)"
        case .noShow: "the provider did not show"
        case .replacementSought: "a replacement is being sought"
        }
    }
}

/// docs/design.md, "Opportunity states", as one table: state × action → next state, plus who
/// may act. Used by the service, by `Describe`'s summaries and by the tests.
public enum OpportunityStateMachine {
    /// Roles allowed to ask for each action (identity, e.g. "the provider it was offered to", is
    /// checked by the service on top).
    public static func roles(_ action: OpportunityAction) -> Set<Actor.Role> {
        switch action {
        // The partner records an answer the provider gave it (on the phone, say).
        case .respondInterested, .respondDeclined: [.provider, .partner, .service]
        case .withdrawOffer: [.partner, .service]
        case .decideAssign, .decideDecline: [.partner, .customer, .service]
        case .cancel: [.partner, .customer, .provider, .service]
        case .markNoShow: [.partner, .service]
        case .seekReplacement: [.provider, .customer]
        case .withdrawReplacement: [.provider, .customer, .partner]
        case .expire, .withdrawForRequest, .completeTeam, .reopenTeam, .replaceOriginal, .reoffer: [.service]
        }
    }

    /// The table: where `action` leads from `state`, before facts refine it (nil: not allowed).
    public static let table: [OpportunityState: [OpportunityAction: OpportunityState]] = [
        .offered: [
            .respondInterested: .pending, .respondDeclined: .declined, .expire: .declined,
            .withdrawForRequest: .declined, .withdrawOffer: .declined,
        ],
        .pending: [
            .decideAssign: .contingent, .decideDecline: .declined, .withdrawForRequest: .declined,
            .withdrawOffer: .declined,
        ],
        .contingent: [.cancel: .cancelled, .completeTeam: .assigned, .withdrawForRequest: .cancelled],
        .assigned: [
            .cancel: .cancelled, .markNoShow: .noShow, .seekReplacement: .replacementSought, .reopenTeam: .contingent,
            .withdrawForRequest: .cancelled,
        ],
        // Still assigned and still expected to work: a no-show is possible, and the member keeps
        // its slot (and its search) when the team reopens or completes again.
        .replacementSought: [
            .cancel: .cancelled, .withdrawReplacement: .assigned, .replaceOriginal: .cancelled,
            .withdrawForRequest: .cancelled, .markNoShow: .noShow, .reopenTeam: .replacementSought,
            .completeTeam: .replacementSought,
        ],
        // Only the service re-offers (recycling a provider who declined, or whose offer lapsed).
        .declined: [.reoffer: .offered], .cancelled: [:], .cancelledBillable: [:], .noShow: [:],
    ]

    /// The next state, or why not: a role that may not act, a state that forbids the action, or
    /// a fact that does (a no-show before the start).
    public static func next(
        _ state: OpportunityState, _ action: OpportunityAction, role: Actor.Role,
        facts: TransitionFacts = TransitionFacts()
    ) -> Result<OpportunityState, TransitionError> {
        guard roles(action).contains(role) else { return .failure(.roleNotPermitted(role: role, action: action)) }
        guard let target = table[state]?[action] else {
            return .failure(.notAllowedInState(state: state, action: action))
        }
        switch action {
        case .markNoShow where !facts.started:
            return .failure(.jobNotStarted(action: action))
        case .cancel where facts.ended:
            return .failure(.jobEnded(action: action))
        case .withdrawReplacement where facts.teamOpen:
            return .success(.contingent)
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
    /// States from which nothing more happens (but the service's re-offer of a declined one).
    public static let terminal: Set<OpportunityState> = [.declined, .cancelled, .cancelledBillable, .noShow]
}
