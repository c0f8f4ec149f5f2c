import Contracts
import Foundation
import Wire

/// What a viewer may see of requests and opportunities, as pure functions.
///
/// A replacement sought is visible only to whoever sought it and to the partner; anyone else sees
/// what it would see had nothing been sought: ASSIGNED (CONTINGENT while the team is incomplete),
/// a history without the hidden transitions, numbered without gaps, and a `version` and
/// `updatedAt` that count only what it saw. A provider sees nothing of billing, of the customer's
/// lists or of other providers.
public enum OpportunityMasking {
    /// Whether `viewer` may know that a replacement is sought (by `soughtBy`).
    public static func canSeeReplacement(viewer: Actor.Role, soughtBy: String?) -> Bool {
        viewer == .partner || viewer == .service || viewer.rawValue == soughtBy
    }

    /// Whether `viewer` may know that a replacement is sought by `seekers`.
    static func canSeeReplacement(viewer: Actor.Role, seekers: [String]) -> Bool {
        viewer == .partner || viewer == .service || seekers.contains(viewer.rawValue)
    }

    /// Everyone seeking `opportunity`'s replacement.
    static func seekers(of opportunity: Opportunity) -> [String] {
        opportunity.replacementSeekers ?? opportunity.replacementSoughtBy.map { [$0] } ?? []
    }

    /// The state alone as `viewer` sees it: ASSIGNED, with no seeker, while a hidden
    /// replacement is sought (the masking matrix; replies use `view`, which also knows the history).
    public static func mask(_ opportunity: Opportunity, for viewer: Actor.Role) -> Opportunity {
        guard opportunity.state == .replacementSought,
            !canSeeReplacement(viewer: viewer, seekers: seekers(of: opportunity))
        else {
            return opportunity
        }
        var masked = opportunity
        masked.state = .assigned
        masked.replacementSoughtBy = nil
        masked.replacementSeekers = nil
        return masked
    }

    /// The history `viewer` may see. The partner sees every transition; the customer or provider
    /// sees them replayed as it would have seen them: a transition of a replacement it may not
    /// know about is left out when it changes nothing it can see, and the `seq`s count what is left.
    static func history(_ rows: [TransitionRow], for viewer: Actor.Role) -> [Transition] {
        guard viewer == .customer || viewer == .provider else { return rows.map(\.transition) }
        var shown: [Transition] = []
        var seen: OpportunityState?
        // What a hidden REPLACEMENT_SOUGHT looks like: ASSIGNED, or CONTINGENT while the team is open.
        var looksLike = OpportunityState.assigned
        for row in rows {
            let seekersAfter = row.to == .replacementSought ? seekerList(row.replacementSoughtBy) : []
            if row.to == .replacementSought {
                if row.from != .replacementSought {
                    looksLike = row.from == .contingent ? .contingent : .assigned
                } else if row.action == OpportunityAction.reopenTeam.rawValue {
                    looksLike = .contingent
                } else if row.action == OpportunityAction.completeTeam.rawValue {
                    looksLike = .assigned
                }
            }
            let hidden = row.to == .replacementSought && !seekersAfter.contains(viewer.rawValue)
            let after = hidden ? looksLike : row.to
            let touchesReplacement = row.from == .replacementSought || row.to == .replacementSought
            if touchesReplacement && after == seen { continue }
            var transition = row.transition
            transition.seq = shown.count + 1
            transition.from = seen
            transition.to = after
            shown.append(transition)
            seen = after
        }
        return shown
    }

    /// `opportunity` as `viewer` sees it, from its history (`rows`, in order): state, version and
    /// `updatedAt` as replayed for the viewer, only the viewer itself as a seeker, decision
    /// reasons for the partner (and the customer when it decides), billing never for a provider.
    static func view(
        _ opportunity: Opportunity, history rows: [TransitionRow], decider: DecisionPolicy.Decider,
        for viewer: Actor.Role
    ) -> Opportunity {
        guard viewer == .customer || viewer == .provider else { return opportunity }
        var view = opportunity
        let shown = history(rows, for: viewer)
        if let last = shown.last {
            view.state = last.to
            view.version = shown.count
            view.updatedAt = last.at
        }
        view.replacementSoughtBy = seekers(of: opportunity).contains(viewer.rawValue) ? viewer.rawValue : nil
        view.replacementSeekers = nil
        view.offeredForReplacement = nil
        if !(viewer == .customer && decider == .customer) { view.decisionReasons = nil }
        if viewer == .provider { view.billablePercent = nil }
        return view
    }

    /// Which of a request's opportunities `viewer` may see at all: a customer does not see the
    /// offers made to replace a member it does not know is being replaced (offers for a slot
    /// that is simply open are ordinary offers, and shown). A customer that decides on the
    /// request still sees the candidates it decides on: the interest awaiting its decision, and
    /// those it turned down (`decided`); the member being replaced stays masked (`view`).
    static func visible(
        _ opportunities: [Opportunity], for viewer: Actor.Role, decider: DecisionPolicy.Decider = .partner,
        decided: Set<String> = []
    ) -> [Opportunity] {
        guard viewer == .customer else { return opportunities }
        let searches = opportunities.filter { $0.state == .replacementSought }
        let hiddenSearch = searches.contains { !canSeeReplacement(viewer: viewer, seekers: seekers(of: $0)) }
        let knownSearch = searches.contains { canSeeReplacement(viewer: viewer, seekers: seekers(of: $0)) }
        guard hiddenSearch && !knownSearch else { return opportunities }
        return opportunities.filter {
            guard $0.offeredForReplacement == true && [.offered, .pending, .declined].contains($0.state) else {
                return true
            }
            return decider == .customer && ($0.state == .pending || decided.contains($0.id))
        }
    }

    /// The request as `viewer` sees it: a provider does not see the customer's lists.
    public static func request(_ request: RequestRecord, for viewer: Actor.Role) -> RequestRecord {
        guard viewer == .provider else { return request }
        var view = request
        view.preferredProviderIds = []
        return view
    }

    /// The seekers a history row recorded (`provider`, `customer`, or both, comma-separated).
    static func seekerList(_ stored: String?) -> [String] {
        stored?.split(separator: ",").map(String.init) ?? []
    }
}
