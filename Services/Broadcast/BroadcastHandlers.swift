import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Broadcasts: started (by a call, or by `request.created` in `BroadcastEvents`), read, listed,
/// paused, resumed and stopped.
struct BroadcastHandlers: BroadcastLifecycleHandling {
    let store: BroadcastStore
    let environment: ServiceEnvironment
    let sender: WaveSender

    private var now: Date { environment.clock.now }

    /// Starts the request's broadcast (a stopped one starts again), with the partner's overrides
    /// if given, and sends its first wave within the caller's deadline; a request not announced
    /// yet is read from opportunities.
    func start(_ request: StartRequest, _ context: CallerContext) async throws -> BroadcastDetail {
        try Self.requireId(request.requestId)
        let (pin, exclude, order) = try RotationHandlers.validated(
            pin: request.pin, exclude: request.exclude, order: request.order)
        let known = try await store.read(context.partnerId) { try $0.job(request.requestId) != nil }
        if !known {
            let opportunities = OpportunitiesClient(try environment.client(Opportunities.service), onBehalfOf: context)
            let announced: GetRequestResponse
            do {
                announced = try await opportunities.getRequest(IdRequest(id: request.requestId))
            } catch  where error.code == .notFound {
                throw BroadcastError.notFound(kind: "request", id: request.requestId, field: "body.requestId")
            }
            let now = self.now
            _ = try await store.write(context.partnerId) { writer in
                try writer.record(job: announced.request, seq: 0, at: now)
            }
        }
        let now = self.now
        _ = try await store.mutate(context, request, at: now) { writer -> Empty in
            guard let job = try writer.job(request.requestId) else {
                throw BroadcastError.notFound(kind: "request", id: request.requestId, field: "body.requestId")
            }
            guard job.status != .cancelled else {
                throw BroadcastError.requestClosed(requestId: job.requestId, status: job.status.rawValue)
            }
            try writer.start(job, pin: pin, exclude: exclude, order: order, at: now)
            return Empty()
        }
        return try await sendNow(request.requestId, context)
    }

    func get(_ request: BroadcastRequestId, _ context: CallerContext) async throws -> BroadcastDetail {
        try await store.read(context.partnerId) { try $0.detail(request.requestId) }
    }

    /// The partner's broadcasts by request id, optionally in one state, paged.
    func list(_ request: ListBroadcastsRequest, _ context: CallerContext) async throws -> ListBroadcastsResponse {
        try Paging.validate(pageSize: request.pageSize)
        let all = try await store.read(context.partnerId) { reader in
            try reader.summaries(state: request.state, after: nil, limit: Int.max)
        }
        let page = try Paging.page(
            all, key: \.requestId, request: request,
            query: "broadcasts|\(context.partnerId)|\(request.state?.rawValue ?? "")",
            maxBytes: environment.configuration.maxMessageBytes)
        return ListBroadcastsResponse(broadcasts: page.items, nextPageToken: page.nextPageToken)
    }

    /// No new wave until resumed; the current one still closes on time. Pausing twice is harmless.
    func pause(_ request: BroadcastActionRequest, _ context: CallerContext) async throws -> BroadcastDetail {
        let now = self.now
        _ = try await store.mutate(context, request, at: now) { writer -> Empty in
            var broadcast = try writer.broadcast(request.requestId, field: "body.requestId")
            guard broadcast.isLive else {
                throw BroadcastError.wrongState(action: "pause", requestId: request.requestId, state: broadcast.state)
            }
            if broadcast.state != .paused { try writer.pause(&broadcast, reason: request.reason, at: now) }
            return Empty()
        }
        return try await get(BroadcastRequestId(requestId: request.requestId), context)
    }

    /// Back where the rules put it: the next wave at once if the last one is over, or waiting.
    func resume(_ request: BroadcastActionRequest, _ context: CallerContext) async throws -> BroadcastDetail {
        let now = self.now
        _ = try await store.mutate(context, request, at: now) { writer -> Empty in
            var broadcast = try writer.broadcast(request.requestId, field: "body.requestId")
            guard broadcast.isLive else {
                throw BroadcastError.wrongState(action: "resume", requestId: request.requestId, state: broadcast.state)
            }
            if broadcast.state == .paused { try writer.resume(&broadcast, reason: request.reason, at: now) }
            return Empty()
        }
        return try await sendNow(request.requestId, context)
    }

    /// Stops it for good (until started again): open attempts get `WITHDRAWN`.
    func stop(_ request: BroadcastActionRequest, _ context: CallerContext) async throws -> BroadcastDetail {
        let now = self.now
        _ = try await store.mutate(context, request, at: now) { writer -> Empty in
            var (job, broadcast) = try writer.jobAndBroadcast(request.requestId, field: "body.requestId")
            guard broadcast.state != .stopped else { return Empty() }
            let reason = StopReason.partner + (request.reason.map { ": \($0)" } ?? "")
            try writer.end(
                &broadcast, .stopped, reason: reason, attempts: try writer.attempts(onRequest: request.requestId),
                at: now)
            try writer.reschedule(broadcast, job: job, at: now)
            return Empty()
        }
        return try await get(BroadcastRequestId(requestId: request.requestId), context)
    }

    /// Plans and sends what is due for this broadcast within the caller's deadline (the rest is
    /// left to the background), then shows it.
    private func sendNow(_ requestId: String, _ context: CallerContext) async throws -> BroadcastDetail {
        await sender.pass(only: BroadcastKey(context.partnerId, requestId), budget: Self.budget(context))
        return try await get(BroadcastRequestId(requestId: requestId), context)
    }

    /// What a caller's call may spend on sending: its deadline less room for the reply.
    static func budget(_ context: CallerContext) -> Duration {
        guard let deadline = context.request.deadline else { return .seconds(5) }
        return max(deadline - .now - .milliseconds(300), .zero)
    }

    static func requireId(_ requestId: String) throws(RPCError) {
        var validator = Validator()
        validator.require(!requestId.isEmpty, "body.requestId", "must not be empty")
        try validator.check()
    }
}
