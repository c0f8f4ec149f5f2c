import Logging
import Wire

/// What a domain handler knows about its caller, resolved once by the router: the tenant and the
/// actor are never optional here (Hummingbird's child request context, in spirit).
///
/// A method that declares roles gets this context; one whose caller is not fully known (no
/// actor, no `partnerId`, a customer or provider without an `id`) never reaches its handler.
public struct CallerContext: Sendable {
    /// The tenant every read and write is scoped to.
    public let partnerId: String
    /// Who acts: role and (for customers and providers) their own id.
    public let actor: Actor
    /// Deadline, idempotency key, logger and the rest of the call.
    public let request: RequestContext

    /// The role acting.
    public var role: Actor.Role { actor.role }
    /// The actor's own id (a customer's or provider's id; a partner user's, if it said).
    public var actorId: String { actor.id ?? "" }
    /// A logger carrying the request's id, method and partner.
    public var logger: Logger { request.logger }

    /// Resolves the caller of `request`, or explains what is missing (`INVALID_ARGUMENT` naming
    /// the `actor` field).
    public init(_ request: RequestContext) throws(RPCError) {
        guard let actor = request.actor else {
            throw .invalidArgument(field: "actor", "is required for \(request.method)")
        }
        // Every domain method acts within one tenant, whatever the role: `service` spans tenants
        // only where a method is the service's own (ReadEvents, SetClock).
        guard let partnerId = actor.partnerId, !partnerId.isEmpty else {
            throw .invalidArgument(
                field: "actor.partnerId", "is required for \(request.method): it acts within one tenant, for every role"
            )
        }
        if actor.role == .customer || actor.role == .provider, (actor.id ?? "").isEmpty {
            throw .invalidArgument(field: "actor.id", "is required for role \(actor.role.rawValue)")
        }
        self.partnerId = partnerId
        self.actor = actor
        self.request = request
    }

    /// The one rule for "only yourself": a provider sees and changes only its own records, a
    /// customer only its own. Anything else answers `NOT_FOUND`, exactly like an id that does
    /// not exist, so existence never leaks. Other roles pass.
    /// - Parameters:
    ///   - providerId: the provider the record belongs to, when it belongs to one.
    ///   - customerId: the customer the record belongs to, when it belongs to one.
    public func requireOwn(
        providerId: String? = nil, customerId: String? = nil, kind: String, id: String, field: String
    ) throws(RPCError) {
        switch role {
        case .provider where providerId != actorId, .customer where customerId != actorId:
            throw RPCError.notFound(kind, id: id, field: field)
        default:
            return
        }
    }

    /// Options for a call to another service, within what is left of the caller's budget.
    public func downstreamOptions() -> CallOptions { request.downstreamOptions() }

    /// Throws `DEADLINE_EXCEEDED` once the caller's deadline has passed.
    public func checkDeadline() throws(RPCError) { try request.checkDeadline() }

    /// The same caller acting as the `service` role within its tenant, for calls one service
    /// makes to another on its behalf.
    public var asService: Actor {
        Actor(role: .service, partnerId: partnerId, id: Self.onBehalfOfPrefix + actor.role.rawValue)
    }

    /// For a service calling on behalf of its own caller (`asService`): that caller's role.
    public var onBehalfOf: Actor.Role? {
        guard role == .service, actorId.hasPrefix(Self.onBehalfOfPrefix) else { return nil }
        return Actor.Role(rawValue: String(actorId.dropFirst(Self.onBehalfOfPrefix.count)))
    }

    private static let onBehalfOfPrefix = "on-behalf-of:"
}

extension RPCRouter {
    /// Routes a domain method to a handler that receives a resolved `CallerContext`.
    public mutating func route<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        executor: RPCServerConfiguration.HandlerExecutor? = nil,
        _ handler: @escaping @Sendable (Request, CallerContext) async throws -> Response
    ) {
        register(method, executor: executor) { request, context in
            try await handler(request, try CallerContext(context))
        }
    }
}
