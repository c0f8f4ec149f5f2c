import Contracts
import Foundation
import Transport
import Wire

/// What a request's decision policy does with an interest, worked out before the transaction
/// that records it (the registry, and later matching, are asked first).
enum AutomaticDecision: Sendable, Equatable {
    /// The decider decides: a manual policy, or a hybrid one for someone neither preferred nor
    /// meeting every preferred qualification.
    case manual
    /// Assign now, if a slot is open and no other job of the provider overlaps.
    case assign
    /// The policy would assign, but a filter says no: the decider decides, with the reasons.
    case hold([String])
}

extension OpportunityHandlers {
    /// `automatic` assigns the first interested provider who passes every filter; `hybrid` does
    /// so for a provider on the customer's preferred list or meeting every preferred
    /// qualification, and is manual when the request has neither; `manual` never assigns.
    func automaticDecision(
        _ request: RequestRecord, providerId: String, context: CallerContext
    ) async -> AutomaticDecision {
        switch request.decision.mode {
        case .manual:
            return .manual
        case .automatic:
            break
        case .hybrid:
            guard !request.preferredProviderIds.contains(providerId) else { break }
            guard !request.preferredQualificationIds.isEmpty else { return .manual }
            do {
                let registry = try environment.registry(onBehalfOf: context)
                let meets = try await registry.meetsEvery(
                    request.preferredQualificationIds, providerId: providerId, for: request)
                if !meets { return .manual }
            } catch {
                return unchecked(error, context: context)
            }
        }
        do {
            let verdict = try await eligibility.check(request, providerId: providerId, for: context)
            return verdict.passes ? .assign : .hold(verdict.reasons)
        } catch {
            return unchecked(error, context: context)
        }
    }

    /// Without an answer the decider decides: never assign on a guess.
    private func unchecked(_ error: any Error, context: CallerContext) -> AutomaticDecision {
        context.logger.warning("an automatic decision fell back to the decider", metadata: ["error": "\(error)"])
        let code = (error as? RPCError)?.code.name ?? "\(type(of: error))"
        return .hold(["the filters could not be checked (\(code)): left to the decider"])
    }
}
