import Transport
import Wire

/// Who a typed client calls as, and within what budget.
public struct ContractCaller: Sendable {
    public let rpc: RPCClient
    public let actor: Actor
    public let options: CallOptions

    /// Calls as `actor` with `options` (the client's `defaultOptions` when nil).
    public init(_ rpc: RPCClient, actor: Actor, options: CallOptions? = nil) {
        self.rpc = rpc
        self.actor = actor
        self.options = options ?? rpc.defaultOptions
    }

    /// Calls on behalf of a handler's caller: as the service within the caller's tenant, within
    /// what is left of the caller's deadline.
    public init(_ rpc: RPCClient, onBehalfOf caller: CallerContext) {
        self.init(rpc, actor: caller.asService, options: caller.downstreamOptions())
    }

    /// Calls `method` as this caller.
    public func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request
    ) async throws(RPCError) -> Response {
        try await rpc.call(method, request, actor: actor, options: options)
    }
}

/// A typed client of one contract (`RegistryClient`, `OpportunitiesClient`, …).
public protocol ContractClient: Sendable {
    /// Who it calls as.
    var caller: ContractCaller { get }
    init(caller: ContractCaller)
}

extension ContractClient {
    /// A client calling as `actor` with `options` (the client's `defaultOptions` when nil).
    public init(_ rpc: RPCClient, actor: Actor, options: CallOptions? = nil) {
        self.init(caller: ContractCaller(rpc, actor: actor, options: options))
    }

    /// A client calling on behalf of a handler's caller, within its remaining deadline.
    public init(_ rpc: RPCClient, onBehalfOf context: CallerContext) {
        self.init(caller: ContractCaller(rpc, onBehalfOf: context))
    }
}
