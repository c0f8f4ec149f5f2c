import Contracts
import Wire

/// What a viewer may see of an opportunity: a replacement sought is visible only to whoever
/// sought it and to the partner; anyone else keeps seeing ASSIGNED until it is resolved.
public enum OpportunityMasking {
    /// Whether `viewer` may know that a replacement is sought (by `soughtBy`).
    public static func canSeeReplacement(viewer: Actor.Role, soughtBy: String?) -> Bool {
        viewer == .partner || viewer == .service || viewer.rawValue == soughtBy
    }

    /// The opportunity as `viewer` sees it: ASSIGNED, with no seeker, while a hidden replacement is sought.
    public static func mask(_ opportunity: Opportunity, for viewer: Actor.Role) -> Opportunity {
        guard opportunity.state == .replacementSought,
            !canSeeReplacement(viewer: viewer, soughtBy: opportunity.replacementSoughtBy)
        else {
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
        let hidden = opportunities.filter {
            $0.state == .replacementSought && !canSeeReplacement(viewer: viewer, soughtBy: $0.replacementSoughtBy)
        }
        guard let since = hidden.map(\.updatedAt).min() else { return opportunities.map { mask($0, for: viewer) } }
        return
            opportunities
            .filter { !([.offered, .pending, .declined].contains($0.state) && $0.createdAt >= since) }
            .map { mask($0, for: viewer) }
    }

    /// The history a viewer may see: the replacement's transitions hidden from the other party.
    public static func mask(_ transitions: [Transition], soughtBy: [String?], for viewer: Actor.Role) -> [Transition] {
        zip(transitions, soughtBy).compactMap { transition, seeker in
            let involvesReplacement =
                transition.to == .replacementSought
                || (transition.from == .replacementSought
                    && transition.action == OpportunityAction.withdrawReplacement.rawValue)
            if involvesReplacement && !canSeeReplacement(viewer: viewer, soughtBy: seeker) { return nil }
            var shown = transition
            if shown.from == .replacementSought && !canSeeReplacement(viewer: viewer, soughtBy: seeker) {
                shown.from = .assigned
            }
            return shown
        }
    }
}
