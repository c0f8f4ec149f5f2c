import Contracts
import Foundation
import Logging
import ServiceKit
import Synchronization
import Transport
import Wire

// The wave sender's calls to other services (as the service, in the broadcast's tenant, within
// a fixed budget), and its bookkeeping of failures.

extension WaveSender {
    func options(_ deadline: ContinuousClock.Instant, idempotencyKey: String? = nil) -> CallOptions {
        let left = deadline - ContinuousClock.now
        return CallOptions(
            timeout: max(min(Self.callBudget, left), .milliseconds(50)), idempotencyKey: idempotencyKey)
    }

    func actor(_ key: BroadcastKey) -> Actor {
        Actor(role: .service, partnerId: key.partnerId, id: BroadcastService.name)
    }

    func matching(_ key: BroadcastKey, _ deadline: ContinuousClock.Instant) throws -> MatchingClient {
        MatchingClient(try environment.client(Matching.service), actor: actor(key), options: options(deadline))
    }

    func registry(_ key: BroadcastKey, _ deadline: ContinuousClock.Instant) throws -> RegistryClient {
        RegistryClient(try environment.client(Registry.service), actor: actor(key), options: options(deadline))
    }

    func opportunities(
        _ key: BroadcastKey, _ deadline: ContinuousClock.Instant, idempotencyKey: String
    ) throws -> OpportunitiesClient {
        OpportunitiesClient(
            try environment.client(Opportunities.service), actor: actor(key),
            options: options(deadline, idempotencyKey: idempotencyKey))
    }

    func backingOff(_ key: BroadcastKey) -> Bool {
        failures.withLock { $0[key].map { $0.retryAt > .now } ?? false }
    }

    func succeeded(_ key: BroadcastKey) async throws {
        guard failures.withLock({ $0.removeValue(forKey: key) }) != nil else { return }
        try await store.write(key.partnerId) { try $0.note(error: nil, on: key.requestId) }
    }

    /// Logs the failure, notes it on the broadcast, and backs off (0.5 s doubling to 30 s).
    func failed(_ key: BroadcastKey, _ error: any Error) async {
        let count = failures.withLock { failures in
            let count = (failures[key]?.count ?? 0) + 1
            let wait = Duration.milliseconds(min(500 * (1 << min(count - 1, 6)), 30_000))
            failures[key] = (count, .now + wait)
            return count
        }
        let text = (error as? RPCError).map { "\($0.code.name): \($0.message)" } ?? "\(error)"
        logger.warning(
            "broadcast work failed; retrying",
            metadata: [
                "request.id": "\(key.requestId)", "partner": "\(key.partnerId)", "failures": "\(count)",
                "error": "\(text)",
            ])
        _ = try? await store.write(key.partnerId) { try $0.note(error: text, on: key.requestId) }
    }
}
