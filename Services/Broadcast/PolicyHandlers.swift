import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// The partner's wave policy: bands by lead time (wave size, interval) and the start window.
struct PolicyHandlers: BroadcastPolicyHandling {
    let store: BroadcastStore
    let environment: ServiceEnvironment

    /// Replaces the bands (widest lead time first), and the start window, auto-start and where
    /// the recycled go (`recycledInRankOrder`) when given; broadcasts waiting for their start
    /// window are judged again by the new one.
    func setPolicy(_ request: SetPolicyRequest, _ context: CallerContext) async throws -> PolicyReply {
        var validator = Validator()
        for (field, problem) in BroadcastPolicy.violations(
            bands: request.bands, startWindowDays: request.startWindowDays ?? BroadcastPolicy.standard.startWindowDays)
        {
            validator.require(false, field, problem)
        }
        try validator.check()
        let now = environment.clock.now
        return try await store.mutate(context, request, at: now) { writer in
            let current = try writer.policy()
            try StaleVersion.check(
                request.expectedVersion, actual: current.version, kind: "policy", id: context.partnerId)
            let policy = BroadcastPolicy(
                bands: request.bands.sorted { $0.minLeadHours > $1.minLeadHours },
                startWindowDays: request.startWindowDays ?? current.startWindowDays,
                autoStart: request.autoStart ?? current.autoStart,
                recycledInRankOrder: request.recycledInRankOrder ?? current.recycledInRankOrder,
                version: current.version + 1, updatedAt: now)
            try writer.save(policy, at: now)
            return PolicyReply(policy: policy)
        }
    }

    func getPolicy(_ request: GetPolicyRequest, _ context: CallerContext) async throws -> PolicyReply {
        PolicyReply(policy: try await store.read(context.partnerId) { try $0.policy() })
    }
}
