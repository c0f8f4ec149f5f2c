import Logging
import Wire

/// What a handler knows about the call it serves, besides the request body.
public struct RequestContext: Sendable {
    /// The request's `id`, as the client chose it.
    public let requestId: String
    /// `<service>.<Method>`.
    public let method: String
    /// Who is acting; always present for methods that declare roles (checked before the handler runs).
    public let actor: Actor?
    /// When the caller stops waiting, if it said.
    public let deadline: ContinuousClock.Instant?
    /// The caller's `idempotencyKey`, if any.
    public let idempotencyKey: String?
    /// The service's logger, before the request's metadata is added.
    public let baseLogger: Logger

    /// A logger carrying `request.id`, `method` and `partner`; made on use, since most requests
    /// log nothing at the levels production runs at.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "request.id"] = "\(requestId)"
        logger[metadataKey: "method"] = "\(method)"
        if let partner = actor?.partnerId { logger[metadataKey: "partner"] = "\(partner)" }
        return logger
    }

    public init(
        requestId: String, method: String, actor: Actor?, deadline: ContinuousClock.Instant?, idempotencyKey: String?,
        logger: Logger
    ) {
        self.requestId = requestId
        self.method = method
        self.actor = actor
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
        self.baseLogger = logger
    }

    /// The acting tenant; `INVALID_ARGUMENT` naming `actor.partnerId` when there is none.
    public func partnerId() throws(RPCError) -> String {
        guard let partnerId = actor?.partnerId, !partnerId.isEmpty else {
            throw .invalidArgument(field: "actor.partnerId", "is required for this method")
        }
        return partnerId
    }

    /// Whether the caller's deadline has passed.
    public var isPastDeadline: Bool {
        guard let deadline else { return false }
        return ContinuousClock.now >= deadline
    }

    /// Options for a call this handler makes to another service: within what is left of the
    /// caller's budget (so a downstream wait never outlives it), else `fallback`.
    public func downstreamOptions(fallback: Duration = .seconds(5)) -> CallOptions {
        guard let deadline else { return CallOptions(timeout: fallback) }
        return CallOptions(timeout: max(deadline - ContinuousClock.now, .milliseconds(1)))
    }

    /// The deadline for downstream calls the handler can do without (it falls back when they
    /// fail): half of what is left, so a peer that never answers still leaves the handler time
    /// to answer its own caller.
    public func optionalDownstreamDeadline(fallback: Duration = .seconds(5)) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        guard let deadline else { return now + fallback }
        return now + max((deadline - now) / 2, .milliseconds(1))
    }

    /// Throws `DEADLINE_EXCEEDED` once the deadline has passed: call it before committing work
    /// the caller will no longer wait for, so a late request changes nothing.
    public func checkDeadline() throws(RPCError) {
        if isPastDeadline { throw RPCError(.deadlineExceeded, "deadline passed before \(method) completed") }
    }
}
