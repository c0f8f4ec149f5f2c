import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Cancellation policies: a customer's or a provider's bands (hours before start → percent
/// billable), for subjects the registry knows, and read back.
struct PolicyHandlers: OpportunitiesPolicyHandling {
    let store: OpportunitiesStore
    let environment: ServiceEnvironment

    /// Sets the subject's bands, replacing any before, strictest (furthest from the start) first.
    func setCancellationPolicy(
        _ request: SetCancellationPolicyRequest, _ context: CallerContext
    ) async throws -> CancellationPolicy {
        if let replay = try await store.storedReply(context, request: request, as: CancellationPolicy.self) {
            return replay
        }
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
        // The subject must exist: a policy for a mistyped id would never apply.
        let registry = try environment.registry(onBehalfOf: context)
        switch request.scope {
        case .customer: _ = try await registry.customer(request.subjectId, field: "body.subjectId")
        case .provider: _ = try await registry.provider(request.subjectId, field: "body.subjectId")
        }
        let now = environment.clock.now
        return try await store.mutate(context, request, at: now) { writer in
            let policy = CancellationPolicy(
                partnerId: context.partnerId, scope: request.scope, subjectId: request.subjectId,
                bands: request.bands.sorted { $0.hoursBeforeStart > $1.hoursBeforeStart }, updatedAt: now)
            try writer.save(policy)
            return policy
        }
    }

    /// The subject's policy; a customer or provider reads its own only. `NOT_FOUND` when none is set.
    func getCancellationPolicy(
        _ request: GetCancellationPolicyRequest, _ context: CallerContext
    ) async throws -> CancellationPolicy {
        try context.requireOwn(
            providerId: request.scope == .provider ? request.subjectId : nil,
            customerId: request.scope == .customer ? request.subjectId : nil, kind: "cancellation policy",
            id: request.subjectId, field: "body.subjectId")
        let policy = try await store.read(context) { try $0.policy(request.scope, request.subjectId) }
        guard let policy else {
            throw OpportunitiesError.notFound(
                kind: "cancellation policy", id: request.subjectId, field: "body.subjectId")
        }
        return policy
    }
}
