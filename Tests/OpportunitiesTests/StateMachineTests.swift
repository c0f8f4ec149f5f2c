import Contracts
import Testing
import Wire

@testable import OpportunitiesService

/// The state machine against an expectation written out separately: every state × every callable
/// action × every role (docs/design.md, "Opportunity states").
@Suite("Opportunity state machine")
struct StateMachineTests {
    typealias S = OpportunityState

    /// docs/design.md, transcribed: from → action → to (as the partner, with no billing, before the start).
    static let allowed: [S: [OpportunityAction: S]] = [
        .offered: [.respondInterested: .pending, .respondDeclined: .declined, .withdrawOffer: .declined],
        .pending: [.decideAssign: .contingent, .decideDecline: .declined, .withdrawOffer: .declined],
        .contingent: [.cancel: .cancelled],
        .assigned: [.cancel: .cancelled, .markNoShow: .noShow, .seekReplacement: .replacementSought],
        // Still assigned and still expected to work: a no-show after the start is possible.
        .replacementSought: [.cancel: .cancelled, .withdrawReplacement: .assigned, .markNoShow: .noShow],
    ]

    /// Who may ask for each callable action.
    static let permitted: [OpportunityAction: Set<Actor.Role>] = [
        .respondInterested: [.provider, .partner, .service], .respondDeclined: [.provider, .partner, .service],
        .withdrawOffer: [.partner, .service],
        .decideAssign: [.partner, .customer, .service], .decideDecline: [.partner, .customer, .service],
        .cancel: [.partner, .customer, .provider, .service], .markNoShow: [.partner, .service],
        .seekReplacement: [.provider, .customer], .withdrawReplacement: [.provider, .customer, .partner],
    ]

    struct Row: Sendable, CustomTestStringConvertible {
        var state: S
        var action: OpportunityAction
        var role: Actor.Role
        var testDescription: String { "\(state.rawValue) × \(action.rawValue) × \(role.rawValue)" }
    }

    static let rows: [Row] = S.allCases.flatMap { state in
        OpportunityAction.callable.flatMap { action in
            Actor.Role.allCases.map { Row(state: state, action: action, role: $0) }
        }
    }

    @Test(arguments: rows)
    func everyStateActionAndRole(_ row: Row) {
        // After the start, so NO_SHOW is possible; no billing, no team completion.
        let result = OpportunityStateMachine.next(
            row.state, row.action, role: row.role, facts: TransitionFacts(started: true))
        if !(Self.permitted[row.action] ?? []).contains(row.role) {
            #expect(result == .failure(.roleNotPermitted(role: row.role, action: row.action)))
        } else if let expected = Self.allowed[row.state]?[row.action] {
            #expect(result == .success(expected))
        } else {
            #expect(result == .failure(.notAllowedInState(state: row.state, action: row.action)))
        }
    }

    /// The service's re-offer (broadcast recycling a provider): DECLINED → OFFERED, the service
    /// only, from no other state.
    @Test(arguments: S.allCases)
    func onlyTheServiceReoffersAndOnlyADeclinedOne(_ state: S) {
        for role in Actor.Role.allCases {
            let result = OpportunityStateMachine.next(state, .reoffer, role: role)
            if role != .service {
                #expect(result == .failure(.roleNotPermitted(role: role, action: .reoffer)))
            } else if state == .declined {
                #expect(result == .success(.offered))
            } else {
                #expect(result == .failure(.notAllowedInState(state: state, action: .reoffer)))
            }
        }
    }

    @Test func factsRefineTheTable() throws {
        typealias Machine = OpportunityStateMachine
        let completing = TransitionFacts(completesTeam: true)
        #expect(try Machine.next(.pending, .decideAssign, role: .partner, facts: completing).get() == .assigned)
        #expect(throws: TransitionError.jobNotStarted(action: .markNoShow)) {
            try Machine.next(.assigned, .markNoShow, role: .partner, facts: TransitionFacts(started: false)).get()
        }
        let half = TransitionFacts(billablePercent: 50)
        #expect(try Machine.next(.assigned, .cancel, role: .customer, facts: half).get() == .cancelledBillable)
        #expect(try Machine.next(.assigned, .cancel, role: .partner, facts: half).get() == .cancelledBillable)
        let whole = TransitionFacts(billablePercent: 100)
        #expect(try Machine.next(.assigned, .cancel, role: .provider, facts: whole).get() == .cancelled)
        #expect(try Machine.next(.offered, .withdrawForRequest, role: .service, facts: whole).get() == .declined)
        #expect(try Machine.next(.contingent, .completeTeam, role: .service).get() == .assigned)
        // Nothing is cancelled after the end; a member that stops seeking while the team is open
        // is contingent like the rest, and keeps its search when the team reopens or completes.
        #expect(throws: TransitionError.jobEnded(action: .cancel)) {
            try Machine.next(.assigned, .cancel, role: .customer, facts: TransitionFacts(ended: true)).get()
        }
        let open = TransitionFacts(teamOpen: true)
        #expect(
            try Machine.next(.replacementSought, .withdrawReplacement, role: .provider, facts: open).get()
                == .contingent)
        #expect(try Machine.next(.replacementSought, .reopenTeam, role: .service).get() == .replacementSought)
        #expect(try Machine.next(.replacementSought, .completeTeam, role: .service).get() == .replacementSought)
        #expect(throws: TransitionError.roleNotPermitted(role: .partner, action: .completeTeam)) {
            try Machine.next(.contingent, .completeTeam, role: .partner).get()
        }
    }

    /// What the router sends for each refusal: the status, and a message naming state and action.
    @Test func refusalsOnTheWire() {
        let forbidden = TransitionError.notAllowedInState(state: .offered, action: .cancel).rpcError
        #expect(forbidden.code == .failedPrecondition)
        #expect(forbidden.message.contains(S.offered.rawValue) && forbidden.message.contains("cancel"))
        let role = TransitionError.roleNotPermitted(role: .customer, action: .markNoShow).rpcError
        #expect(role.code == .permissionDenied)
        #expect(TransitionError.jobNotStarted(action: .markNoShow).rpcError.code == .failedPrecondition)
        let stale = StaleVersion(kind: "opportunity", id: "op-1", expected: 1, actual: 3).rpcError
        #expect(stale.code == .aborted && stale.details.map(\.field) == ["body.expectedVersion"])
    }

    /// Bands at their edges: at most N hours before the start, the edge included.
    @Test(arguments: [
        (49.0, 0), (48.0, 50), (47.99, 50), (24.01, 50), (24.0, 100), (1.0, 100), (0.0, 100), (-2.0, 100),
    ])
    func billingBands(hours: Double, percent: Int) {
        let customer = [
            CancellationBand(hoursBeforeStart: 48, billablePercent: 50),
            CancellationBand(hoursBeforeStart: 24, billablePercent: 100),
        ]
        #expect(CancellationRules.billablePercent(hoursBeforeStart: hours, policies: [customer]) == percent)
    }

    @Test func theStricterPolicyApplies() {
        let customer = [CancellationBand(hoursBeforeStart: 24, billablePercent: 25)]
        let provider = [CancellationBand(hoursBeforeStart: 72, billablePercent: 50)]
        #expect(CancellationRules.billablePercent(hoursBeforeStart: 10, policies: [customer, provider]) == 50)
        #expect(CancellationRules.billablePercent(hoursBeforeStart: 48, policies: [customer, provider]) == 50)
        #expect(CancellationRules.billablePercent(hoursBeforeStart: 100, policies: [customer, provider]) == 0)
        #expect(CancellationRules.billablePercent(hoursBeforeStart: 10, policies: [[], []]) == 0)
    }

    /// Seeker × viewer: only the seeker and the partner see REPLACEMENT_SOUGHT.
    @Test(arguments: [
        ("provider", Actor.Role.provider, true), ("provider", .customer, false), ("provider", .partner, true),
        ("customer", .provider, false), ("customer", .customer, true), ("customer", .partner, true),
    ])
    func maskingMatrix(seeker: String, viewer: Actor.Role, sees: Bool) {
        let opportunity = Opportunity(
            partnerId: "p", id: "o", requestId: "r", providerId: "pr", state: .replacementSought, version: 3,
            replacementSoughtBy: seeker, createdAt: .distantPast, updatedAt: .distantPast)
        let masked = OpportunityMasking.mask(opportunity, for: viewer)
        #expect(masked.state == (sees ? .replacementSought : .assigned))
        #expect((masked.replacementSoughtBy == seeker) == sees)
    }

    @Test func aRefusedTransitionSaysWhatWasAskedAndWhereTheOpportunityStandsInDomainWords() {
        let late = TransitionError.notAllowedInState(state: .declined, action: .respondInterested).rpcError
        #expect(late.code == .failedPrecondition)
        #expect(
            late.message
                == "cannot answer the offer with interest (respondInterested): the offer was declined or withdrawn "
                + "(DECLINED)")
        for action in OpportunityAction.allCases { #expect(!action.words.isEmpty) }
        for state in OpportunityState.allCases { #expect(!state.words.isEmpty) }
    }
}
