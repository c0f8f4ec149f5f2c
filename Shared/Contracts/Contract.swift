import Transport
import Wire

/// A service's contract, declared once: its name and the list of its methods, each bound to the
/// handler that answers it. Routing, `methodNames`, `Describe`, the API reference and the tests'
/// tables all read `methods`, so a method is added in one place (plus its handler and client).
public protocol Contract {
    /// One handler per resource: together they implement every method of the contract.
    associatedtype Handlers: Sendable
    /// The service name, e.g. `registry`.
    static var service: String { get }
    /// Every domain method, in the order the reference lists them.
    static var methods: [ContractMethod<Handlers>] { get }
}

extension Contract {
    /// Routes every method of the contract to its handler.
    public static func register(_ handlers: Handlers, into router: inout RPCRouter) {
        for method in methods { method.route(handlers, &router) }
    }

    /// Every method of the contract, as `Describe` must list them.
    public static var methodNames: [String] { methods.map(\.info.name) }

    /// What `Describe` says of each domain method, in declaration order.
    public static var catalogue: [MethodInfo] { methods.map(\.info) }
}

/// One method of a contract: its descriptor and how the contract's `Handlers` answer it. The
/// handler is a call on a handler protocol, so a declared method that nothing implements does
/// not compile.
public struct ContractMethod<Handlers: Sendable>: Sendable {
    /// Name, roles, summary and schemas, as `Describe` serves them.
    public let info: MethodInfo
    /// The Swift types of the request and response bodies, for tests that check the schemas.
    public let requestType: any (Codable & Sendable).Type
    public let responseType: any (Codable & Sendable).Type
    let route: @Sendable (Handlers, inout RPCRouter) -> Void

    /// Binds `descriptor` to `handler`.
    /// - Parameter executor: where the handler runs when not the server's default (`.global` for
    ///   CPU work, so the I/O thread keeps answering `Health` and heartbeats meanwhile).
    public init<Request, Response>(
        _ descriptor: MethodDescriptor<Request, Response>,
        executor: RPCServerConfiguration.HandlerExecutor? = nil,
        _ handler: @escaping @Sendable (Handlers, Request, CallerContext) async throws -> Response
    ) {
        info = MethodInfo(descriptor)
        requestType = Request.self
        responseType = Response.self
        route = { handlers, router in
            router.route(descriptor, executor: executor) { request, context in
                try await handler(handlers, request, context)
            }
        }
    }
}
