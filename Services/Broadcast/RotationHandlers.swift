import Contracts
import Foundation
import GRDB
import ServiceKit
import Transport
import Wire

/// Who is contacted: the partner's overrides of the considered list (before and during the
/// broadcast), and recycling dispositioned providers back into rotation.
struct RotationHandlers: BroadcastRotationHandling {
    let store: BroadcastStore
    let environment: ServiceEnvironment
    let sender: WaveSender

    private var now: Date { environment.clock.now }

    /// Replaces each list given (pin, exclude, order); applied from the next wave on, and to
    /// contacts not sent yet (an excluded provider's is skipped).
    func override(_ request: OverrideRequest, _ context: CallerContext) async throws -> BroadcastDetail {
        let (pin, exclude, order) = try Self.validated(pin: request.pin, exclude: request.exclude, order: request.order)
        let now = self.now
        _ = try await store.mutate(context, request, at: now) { writer -> Empty in
            var broadcast = try writer.broadcast(request.requestId, field: "body.requestId")
            try StaleVersion.check(
                request.expectedVersion, actual: broadcast.version, kind: "broadcast", id: request.requestId)
            try writer.override(&broadcast, pin: pin, exclude: exclude, order: order, at: now)
            return Empty()
        }
        await sender.pass(
            only: BroadcastKey(context.partnerId, request.requestId), budget: BroadcastHandlers.budget(context))
        return try await store.read(context.partnerId) { try $0.detail(request.requestId) }
    }

    /// The override lists checked: ids without repeats, and nobody both pinned and excluded.
    static func validated(
        pin: [String]?, exclude: [String]?, order: [String]?
    ) throws(RPCError) -> (pin: [String]?, exclude: [String]?, order: [String]?) {
        var validator = Validator()
        let pin = pin.map { validator.codes($0, field: "body.pin") }
        let exclude = exclude.map { validator.codes($0, field: "body.exclude") }
        let order = order.map { validator.codes($0, field: "body.order") }
        if let pin, let exclude, let both = pin.first(where: exclude.contains) {
            validator.require(false, "body.exclude", "must not also pin \(both)")
        }
        try validator.check()
        return (pin, exclude, order)
    }

    /// Puts providers back in rotation now, whatever their recycle rule says: each provider's
    /// latest attempt whose disposition is one of `codes` (else any not final, not blocking, not
    /// `INTERESTED`). Blocked providers and those holding the job stay out at planning.
    func recycle(_ request: RecycleRequest, _ context: CallerContext) async throws -> RecycleResponse {
        var validator = Validator()
        validator.require(!request.requestId.isEmpty, "body.requestId", "must not be empty")
        let codes = request.codes.map { validator.codes($0, field: "body.codes") }
        for (index, code) in (codes ?? []).enumerated() {
            validator.require(Dispositions.isValidCode(code), "body.codes[\(index)]", "is not a disposition code")
        }
        try validator.check()
        let now = self.now
        let reply = try await store.mutate(context, request, at: now) { writer in
            let broadcast = try writer.broadcast(request.requestId, field: "body.requestId")
            let catalogue = try writer.catalogue()
            let latest = Dictionary(grouping: try writer.attempts(onRequest: request.requestId), by: \.providerId)
                .compactMap { $0.value.last }.sorted { ($0.wave, $0.providerId) < ($1.wave, $1.providerId) }
            var recycled: [ContactAttempt] = []
            for var attempt in latest
            where attempt.recycledAt == nil
                && Dispositions.recyclable(attempt.disposition, codes: codes, catalogue: catalogue)
            {
                try writer.recycle(&attempt, of: broadcast, at: now)
                recycled.append(attempt.wire)
            }
            // The reply shows where the advance rule puts the broadcast for this change.
            return RecycleResponse(
                recycled: recycled, state: try writer.settled(request.requestId)?.state ?? broadcast.state)
        }
        await sender.pass(
            only: BroadcastKey(context.partnerId, request.requestId), budget: BroadcastHandlers.budget(context))
        return reply
    }
}

extension BroadcastOverrides {
    /// Replaces each list given; a list left out stays.
    mutating func replace(pin: [String]?, exclude: [String]?, order: [String]?) {
        if let pin { self.pin = pin }
        if let exclude { self.exclude = exclude }
        if let order { self.order = order }
    }
}
