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
        /// Where its handler runs, when it differs from the server's default.
        var executor: RPCServerConfiguration.HandlerExecutor?
        /// Decodes, authorises, calls and encodes: the whole request, never throwing.
        var run:
            @Sendable (_ json: ArraySlice<UInt8>, _ peek: EnvelopePeek?, _ header: RequestHeader?, _ received: Received)
                async -> [UInt8]
    }

    /// When and where a request arrived.
    struct Received: Sendable {
        var at: ContinuousClock.Instant
        /// The caller's deadline as the server worked it out (the bus's budget), if it did.
        var deadline: ContinuousClock.Instant?
        var logger: Logger
        var service: String
    }

    /// Registers `handler` for `method`. Registering a name twice replaces the first handler.
    /// - Parameter executor: where the handler runs when not the server's default (`.global`
    ///   for a handler that computes for long).
    public mutating func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        executor: RPCServerConfiguration.HandlerExecutor? = nil,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response
    ) {
        precondition(method.service == service, "\(method.name) does not belong to \(service)")
        let roles = method.roles
        let requestSchema = method.requestSchema
        methods[method.name] = RegisteredMethod(info: MethodInfo(method), roles: roles, executor: executor) {
            json, peek, parsedHeader, received in
            // Fast path: the header from the I/O thread's scan, only actor and body decoded.
            // Otherwise the slow path reads everything and names the precise error.
            let header: RequestHeader
            let request: Request
            // The schema's judgement comes first: it names fields in the API's words.
            if parsedHeader == nil, let peek, let decoded = Envelope.decodeRequest(Request.self, from: json, peek: peek)
            {
                (header, request) = decoded
                if let misshapen = Self.misshapen(json, schema: requestSchema) {
                    return Self.fail(misshapen, header: header, context: nil, received: received)
                }
            } else {
                switch parsedHeader.map(Result.success) ?? Envelope.parseHeader(json) {
                case .failure(let malformed):
                    return Envelope.encodeError(id: malformed.id, malformed.error)
                case .success(let parsed):
                    header = parsed
                }
                if let misshapen = Self.misshapen(json, schema: requestSchema) {
                    return Self.fail(misshapen, header: header, context: nil, received: received)
                }
                do {
                    request = try Envelope.decodeBody(Request.self, from: json)
                } catch {
                    return Self.fail(error, header: header, context: nil, received: received)
                }
            }
            let context = Self.context(for: header, received: received)
            do {
                try Self.authorize(header, roles: roles)
                try context.checkDeadline()
                let response = try await handler(request, context)
                let reply = try Envelope.encodeOKReply(id: header.id, body: response)
                if received.logger.logLevel <= .debug {
                    context.logger.debug(
                        "ok", metadata: ["status": "OK", "durationMs": "\(Self.milliseconds(since: received.at))"])
                }
                return reply
            } catch {
                return Self.fail(error, header: header, context: context, received: received)
            }
        }
    }

    /// Every registered method, sorted by name, as `Describe` lists them.
    public var catalogue: [MethodInfo] { methods.values.map(\.info).sorted { $0.name < $1.name } }

    /// Whether `name` is registered.
    public func has(_ name: String) -> Bool { methods[name] != nil }

    /// Where `name`'s handler runs, when it chose (nil: the server's default).
    public func executor(for name: String) -> RPCServerConfiguration.HandlerExecutor? { methods[name]?.executor }

    /// Handles one request's JSON and returns the reply's JSON: never throws, every failure
    /// becomes a status. `peek` is what the I/O thread already read of the envelope, if anything.
    /// `deadline`, when given, is the caller's deadline as the server worked it out (the bus's
    /// hop-relative budget) and takes the place of the request's own `deadlineMs`.
    public func handle(
        json: ArraySlice<UInt8>, peek: EnvelopePeek? = nil, receivedAt: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant? = nil, logger: Logger
    ) async -> [UInt8] {
        let received = Received(at: receivedAt, deadline: deadline, logger: logger, service: service)
        if let name = peek?.method, peek?.id != nil, let method = methods[name] {
            return await method.run(json, peek, nil, received)
        }
        // Unknown or unreadable method: read the header properly to answer precisely.
        switch Envelope.parseHeader(json) {
        case .failure(let malformed):
            logger.debug(
                "malformed request",
                metadata: ["status": "\(malformed.error.code)", "reason": "\(malformed.error.message)"])
            return Envelope.encodeError(id: malformed.id, malformed.error)
        case .success(let header):
            guard let method = methods[header.method] else {
                return Self.fail(
                    RPCError(.unimplemented, "\(service) has no method \(header.method)"), header: header, context: nil,
                    received: received)
            }
            return await method.run(json, nil, header, received)
        }
    }

    static func context(for header: RequestHeader, received: Received) -> RequestContext {
        RequestContext(
            requestId: header.id, method: header.method, actor: header.actor,
            deadline: received.deadline ?? header.deadlineMs.map { received.at + .milliseconds($0) },
            idempotencyKey: header.idempotencyKey, logger: received.logger)
    }

    /// Logs a failure (one line; `error` level for `INTERNAL`) and encodes its reply.
    static func fail(_ error: any Error, header: RequestHeader, context: RequestContext?, received: Received) -> [UInt8]
    {
        let context = context ?? Self.context(for: header, received: received)
        let failure = Self.status(for: error, context: context)
        let level: Logger.Level = failure.code == .internal ? .error : .debug
        guard received.logger.logLevel <= level else { return Envelope.encodeError(id: header.id, failure) }
        var metadata: Logger.Metadata = [
            "status": "\(failure.code)", "reason": "\(failure.message)",
            "durationMs": "\(Self.milliseconds(since: received.at))",
        ]
        // The cause stays in the log: it may name internals the caller must not see.
        if let cause = failure.cause { metadata["cause"] = "\(String(reflecting: cause))" }
        context.logger.log(level: level, "failed", metadata: metadata)
        return Envelope.encodeError(id: header.id, failure)
    }

    /// `INVALID_ARGUMENT` naming each way the body departs from its schema (`RequestShape`), if any.
    static func misshapen(_ json: ArraySlice<UInt8>, schema: JSONValue) -> RPCError? {
        guard let body = try? Envelope.decodeBody(JSONValue.self, from: json) else { return nil }
        let violations = RequestShape.violations(of: body, schema: schema)
        guard !violations.isEmpty else { return nil }
        let summary = violations.prefix(3).map { "\($0.field) \($0.description)" }.joined(separator: "; ")
        return RPCError(.invalidArgument, summary, details: violations)
    }

    /// Checks the actor against the method's roles (PROTOCOL §3).
    static func authorize(_ header: RequestHeader, roles: Set<Actor.Role>?) throws(RPCError) {
        guard let roles else { return }
        guard let actor = header.actor else {
            throw .invalidArgument(field: "actor", "is required for \(header.method)")
        }
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
        case let error as RPCError
        where context.isPastDeadline && (error.code == .cancelled || error.code == .deadlineExceeded):
            // Cancelled at the deadline while waiting on another service: the caller's deadline it is.
            return RPCError(.deadlineExceeded, "deadline passed before \(context.method) completed")
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            var converted = error.rpcError
            if converted.cause == nil { converted.cause = error }
            return converted
        case is CancellationError where context.isPastDeadline:
            return RPCError(.deadlineExceeded, "deadline passed before \(context.method) completed")
        case is CancellationError:
            return RPCError(.cancelled, "\(context.method) was cancelled")
        default:
            return RPCError(.internal, "internal error", cause: error)
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return String(format: "%.2f", ms)
    }
}
