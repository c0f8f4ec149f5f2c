import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// The partner's wave policy: bands by lead time (wave size, interval) and the start window.
struct PolicyHandlers: BroadcastPolicyHandling {
    let store: BroadcastStore
    let environment: ServiceEnvironment
    let sender: WaveSender

    /// Replaces the bands (widest lead time first), and the start window and auto-start when
    /// given; broadcasts waiting for their start window are judged again by the new one.
    func setPolicy(_ request: SetPolicyRequest, _ context: CallerContext) async throws -> PolicyReply {
        var validator = Validator()
        for (field, problem) in BroadcastPolicy.violations(
            bands: request.bands, startWindowDays: request.startWindowDays ?? BroadcastPolicy.standard.startWindowDays)
        {
            validator.require(false, field, problem)
        }
        try validator.check()
        let now = environment.clock.now
        let reply = try await store.mutate(context, request, at: now) { writer in
            let current = try writer.policy()
            try StaleVersion.check(
                request.expectedVersion, actual: current.version, kind: "policy", id: context.partnerId)
            let policy = BroadcastPolicy(
                bands: request.bands.sorted { $0.minLeadHours > $1.minLeadHours },
                startWindowDays: request.startWindowDays ?? current.startWindowDays,
                autoStart: request.autoStart ?? current.autoStart, version: current.version + 1, updatedAt: now)
            try writer.save(policy, at: now)
            for waiting in try writer.summaries(state: .waiting, after: nil, limit: Int.max)
            where waiting.waitingFor == .startWindow {
                try writer.settle(waiting.requestId, at: now)
            }
            return PolicyReply(policy: policy)
        }
        sender.wakeup.signal()
        return reply
    }

    func getPolicy(_ request: GetPolicyRequest, _ context: CallerContext) async throws -> PolicyReply {
        PolicyReply(policy: try await store.read(context.partnerId) { try $0.policy() })
    }
}
