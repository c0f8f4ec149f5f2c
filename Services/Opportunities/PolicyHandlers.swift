import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Cancellation policies: a customer's or a provider's bands (hours before start → percent billable).
struct PolicyHandlers: OpportunitiesPolicyHandling {
    let store: OpportunitiesStore
    let clock: any ServiceClock

    /// Sets the subject's bands, replacing any before, strictest (furthest from the start) first.
    func setCancellationPolicy(
        _ request: SetCancellationPolicyRequest, _ context: CallerContext
    ) async throws -> CancellationPolicy {
        var validator = Validator()
        validator.require(!request.subjectId.isEmpty, "body.subjectId", "must not be empty")
        validator.require(request.bands.count <= 20, "body.bands", "must hold at most 20 bands")
        for (index, band) in request.bands.enumerated() {
            validator.require(
                band.hoursBeforeStart >= 0 && band.hoursBeforeStart.isFinite, "body.bands[\(index)].hoursBeforeStart",
                "must be 0 or more")
            validator.require(
                (0...100).contains(band.billablePercent), "body.bands[\(index)].billablePercent",
                "must be from 0 to 100")
        }
        validator.require(
            Set(request.bands.map(\.hoursBeforeStart)).count == request.bands.count, "body.bands",
            "must not repeat hoursBeforeStart")
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            let policy = CancellationPolicy(
                partnerId: context.partnerId, scope: request.scope, subjectId: request.subjectId,
                bands: request.bands.sorted { $0.hoursBeforeStart > $1.hoursBeforeStart }, updatedAt: now)
            try writer.save(policy)
            return policy
        }
    }
}
