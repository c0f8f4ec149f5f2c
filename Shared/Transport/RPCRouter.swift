import Foundation
import Logging
import Wire

/// The methods a service answers: each registered with its descriptor and an `async throws`
/// handler. The server only routes; the router decodes, checks the actor, calls, and encodes.
public struct RPCRouter: Sendable {
    /// The service name, e.g. `registry`.
    public let service: String
    private var methods: [String: RegisteredMethod] = [:]

    public init(service: String) { self.service = service }

    struct RegisteredMethod: Sendable {
        var info: MethodInfo
        var roles: Set<Actor.Role>?
        var invoke: @Sendable (ArraySlice<UInt8>, RequestContext) async throws -> [UInt8]
    }

    /// Registers `handler` for `method`. Registering a name twice replaces the first handler.
    public mutating func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response
    ) {
        precondition(method.service == service, "\(method.name) does not belong to \(service)")
        methods[method.name] = RegisteredMethod(info: MethodInfo(method), roles: method.roles) { json, context in
            let request = try Envelope.decodeBody(Request.self, from: json)
            let response = try await handler(request, context)
            return try Envelope.encodeReply(id: context.requestId, status: .ok, body: response)
        }
    }

    /// Every registered method, sorted by name, as `Describe` lists them.
    public var catalogue: [MethodInfo] { methods.values.map(\.info).sorted { $0.name < $1.name } }

    /// Whether `name` is registered.
    public func has(_ name: String) -> Bool { methods[name] != nil }

    /// Handles one request's JSON and returns the reply's JSON: never throws, every failure
    /// becomes a status. `onDeadline` is told the absolute deadline before the handler starts.
    public func handle(
        json: ArraySlice<UInt8>, receivedAt: ContinuousClock.Instant, logger: Logger,
        onDeadline: (ContinuousClock.Instant) -> Void = { _ in }
    ) async -> [UInt8] {
        let header: RequestHeader
        switch Envelope.parseHeader(json) {
        case .success(let parsed): header = parsed
        case .failure(let malformed):
            logger.debug("malformed request", metadata: ["status": "\(malformed.error.code)", "reason": "\(malformed.error.message)"])
            return Envelope.encodeError(id: malformed.id, malformed.error)
        }
        var logger = logger
        logger[metadataKey: "request.id"] = "\(header.id)"
        logger[metadataKey: "method"] = "\(header.method)"
        if let partner = header.actor?.partnerId { logger[metadataKey: "partner"] = "\(partner)" }

        let deadline = header.deadlineMs.map { receivedAt + .milliseconds($0) }
        let context = RequestContext(
            requestId: header.id, method: header.method, actor: header.actor, deadline: deadline,
            idempotencyKey: header.idempotencyKey, logger: logger)
        do {
            guard let method = methods[header.method] else {
                throw RPCError(.unimplemented, "\(service) has no method \(header.method)")
            }
            try Self.authorize(header, roles: method.roles)
            if let deadline { onDeadline(deadline) }
            try context.checkDeadline()
            let reply = try await method.invoke(json, context)
            logger.debug("ok", metadata: ["status": "OK", "durationMs": "\(Self.milliseconds(since: receivedAt))"])
            return reply
        } catch {
            let failure = Self.status(for: error, context: context)
            let level: Logger.Level = failure.code == .internal ? .error : .debug
            logger.log(level: level, "failed", metadata: [
                "status": "\(failure.code)", "reason": "\(failure.message)",
                "durationMs": "\(Self.milliseconds(since: receivedAt))",
            ])
            return Envelope.encodeError(id: header.id, failure)
        }
    }

    /// Checks the actor against the method's roles (PROTOCOL §3).
    static func authorize(_ header: RequestHeader, roles: Set<Actor.Role>?) throws(RPCError) {
        guard let roles else { return }
        guard let actor = header.actor else { throw .invalidArgument(field: "actor", "is required for \(header.method)") }
        guard roles.contains(actor.role) else {
            throw RPCError(.permissionDenied, "role \(actor.role.rawValue) may not call \(header.method)")
        }
        if actor.role != .service, (actor.partnerId ?? "").isEmpty {
            throw .invalidArgument(field: "actor.partnerId", "is required for role \(actor.role.rawValue)")
        }
    }

    /// Maps anything a handler throws to the status sent: `RPCError` as is, cancellation past the
    /// deadline as `DEADLINE_EXCEEDED`, anything else as `INTERNAL` with the cause logged only.
    static func status(for error: any Error, context: RequestContext) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case is CancellationError where context.isPastDeadline:
            return RPCError(.deadlineExceeded, "deadline passed before \(context.method) completed")
        case is CancellationError:
            return RPCError(.cancelled, "\(context.method) was cancelled")
        default:
            context.logger.error("handler failed", metadata: ["cause": "\(String(reflecting: error))"])
            return RPCError(.internal, "internal error")
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return String(format: "%.2f", ms)
    }
}
