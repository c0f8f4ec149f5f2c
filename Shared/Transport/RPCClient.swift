import Foundation
import Logging
import Synchronization
import Wire
import ZeroMQ

/// When a failed call is tried again: jittered exponential backoff, within the call's timeout.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var multiplier: Double
    /// Whether each pause is drawn at random below its bound ("full jitter", so that clients
    /// that failed together do not retry together) or is the bound itself.
    public var jitter: Bool

    public init(
        maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(20), maxBackoff: Duration = .seconds(1),
        multiplier: Double = 2, jitter: Bool = true
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The default: up to 5 attempts from 20 ms to 1 s.
    public static let standard = RetryPolicy()
    /// A single attempt.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether `code` is worth another attempt. `UNAVAILABLE` promises nothing was done, so every
    /// method retries it; a full work queue (`RESOURCE_EXHAUSTED`) is retried only for methods
    /// whose repetition is harmless.
    public static func isRetryable(_ code: StatusCode, idempotent: Bool) -> Bool {
        code == .unavailable || (idempotent && code == .resourceExhausted)
    }

    /// The pause before attempt `attempt + 1`: the exponential bound, or with `jitter` uniform
    /// in [0, the bound].
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let base = initialBackoff * pow(multiplier, Double(attempt - 1))
        let bound = min(base, maxBackoff)
        return jitter ? bound * Double.random(in: 0.0...1.0) : bound
    }
}

/// Per-call settings.
public struct CallOptions: Sendable {
    /// The whole budget, every retry included; sent to the server as `deadlineMs`.
    public var timeout: Duration
    /// Makes a mutation safe to repeat (PROTOCOL §3) and so retryable.
    public var idempotencyKey: String?
    public var retry: RetryPolicy

    public init(timeout: Duration = .seconds(5), idempotencyKey: String? = nil, retry: RetryPolicy = .standard) {
        self.timeout = timeout
        self.idempotencyKey = idempotencyKey
        self.retry = retry
    }
}

/// A client of one service: a DEALER connected to the bus's front port, owned by one I/O thread.
/// Any number of calls may be in flight on it at once; replies are matched by `id`. Its thread
/// runs until `close()`: call it when done with the client.
public final class RPCClient: Sendable {
    /// The front-port endpoint it is connected to.
    public let endpoint: String
    /// The options of calls that name none of their own.
    public let defaultOptions: CallOptions
    let maxMessageBytes: Int
    let logger: Logger
    let wakeup: WakeupSignal
    let shared = Mutex(ClientState())
    private let idPrefix: String
    private let counter = Atomic<UInt64>(0)
    /// Fault injection for tests: runs in the calling task just before a call is queued.
    let willQueue: (@Sendable (RPCClient) -> Void)?

    struct Outgoing {
        var id: String
        var frame: [UInt8]
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Result<[UInt8], RPCError>, Never>
    }

    struct ClientState {
        var outgoing: [Outgoing] = []
        var cancelled: [String] = []
        var closed = false
        var finished = false
    }

    /// Connects to `endpoint` and starts the I/O thread.
    /// - Parameter defaultOptions: what calls that name no options of their own use.
    public convenience init(
        context: ZeroMQ.Context, endpoint: String, maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes,
        logger: Logger = Logger(label: "octoo.rpc-client"), defaultOptions: CallOptions = CallOptions()
    ) throws {
        try self.init(
            context: context, endpoint: endpoint, maxMessageBytes: maxMessageBytes, logger: logger,
            defaultOptions: defaultOptions, willQueue: nil)
    }

    /// Connects to `endpoint`, with a fault-injection hook for tests.
    init(
        context: ZeroMQ.Context, endpoint: String, maxMessageBytes: Int, logger: Logger,
        defaultOptions: CallOptions = CallOptions(), willQueue: (@Sendable (RPCClient) -> Void)?
    ) throws {
        self.willQueue = willQueue
        self.endpoint = endpoint
        self.defaultOptions = defaultOptions
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
        self.wakeup = try WakeupSignal()
        self.idPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let socket = try Socket(context: context, type: .dealer)
        try socket.setLinger(ms: 0)
        try socket.setSendTimeout(ms: 1000)
        try socket.setSendHighWaterMark(10_000)
        try socket.setReceiveHighWaterMark(10_000)
        try socket.setMaxMessageSize(LengthPrefixedFrame.socketLimit(maxMessageBytes: maxMessageBytes))
        try socket.connect(endpoint)
        // The socket was made here, but from now on only the I/O thread touches it.
        let handoff = SocketHandoff(socket: socket)
        let thread = Thread { [self] in
            ClientLoop(client: self, socket: handoff.take()).run()
        }
        thread.name = "octoo-rpc-client"
        thread.start()
    }

    /// Stops the I/O thread; calls still waiting fail with `UNAVAILABLE`.
    public func close() {
        shared.withLock { $0.closed = true }
        wakeup.signal()
    }

    /// A new request id, unique within this client.
    public func makeRequestId() -> String {
        "\(idPrefix)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    /// Calls `method` with typed request and response, retrying as `options.retry` allows.
    public func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, actor: Actor?,
        options: CallOptions? = nil
    ) async throws(RPCError) -> Response {
        let options = options ?? defaultOptions
        let idempotent = method.idempotent || options.idempotencyKey != nil
        return try await exchange(
            method: method.name, body: request, actor: actor, idempotent: idempotent, options: options
        ) { reply throws(RPCError) in
            try Envelope.decodeReply(Response.self, from: reply[...])
        }
    }

    /// Calls any method with a JSON body and returns the reply's JSON body (the CLI's `call`).
    public func callJSON(
        method: String, body: JSONValue, actor: Actor?, idempotent: Bool = false, options: CallOptions? = nil
    ) async throws(RPCError) -> JSONValue {
        let options = options ?? defaultOptions
        return try await exchange(
            method: method, body: body, actor: actor, idempotent: idempotent || options.idempotencyKey != nil,
            options: options
        ) { reply throws(RPCError) in
            try Envelope.decodeReply(JSONValue.self, from: reply[...])
        }
    }

    /// One call with retries; `decode` reads each reply once (throwing its status when not OK).
    func exchange<Body: Encodable, Result>(
        method: String, body: Body, actor: Actor?, idempotent: Bool, options: CallOptions,
        decode: ([UInt8]) throws(RPCError) -> Result
    ) async throws(RPCError) -> Result {
        let deadline = ContinuousClock.now + options.timeout
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw RPCError(.deadlineExceeded, "\(method): no reply within \(options.timeout)")
            }
            let id = makeRequestId()
            let header = RequestHeader(
                id: id, method: method, deadlineMs: max(1, Int64(min(remaining / .milliseconds(1), 1e15))),
                idempotencyKey: options.idempotencyKey, actor: actor)
            let json: [UInt8]
            do { json = try Envelope.encodeRequest(header, body: body) } catch {
                throw RPCError(.invalidArgument, "\(method): request could not be encoded: \(error)")
            }
            guard json.count <= maxMessageBytes else {
                throw RPCError(
                    .resourceExhausted,
                    "\(method): request of \(json.count) bytes exceeds the limit of \(maxMessageBytes)")
            }
            let failure: RPCError
            switch await send(id: id, frame: LengthPrefixedFrame.encode(json), deadline: deadline) {
            case .success(let reply):
                do throws(RPCError) {
                    return try decode(reply)
                } catch {
                    failure = error
                }
            case .failure(let error):
                failure = error
            }
            guard RetryPolicy.isRetryable(failure.code, idempotent: idempotent), attempt < options.retry.maxAttempts
            else {
                throw failure
            }
            let pause = min(options.retry.backoff(afterAttempt: attempt), deadline - ContinuousClock.now)
            logger.debug(
                "retrying", metadata: ["method": "\(method)", "attempt": "\(attempt)", "status": "\(failure.code)"])
            if pause > .zero {
                do { try await Task.sleep(for: pause) } catch { throw RPCError(.cancelled, "\(method) was cancelled") }
            }
        }
    }

    /// Sends one framed request and waits for the reply with the same `id`, or the deadline.
    public func send(id: String, frame: [UInt8], deadline: ContinuousClock.Instant) async -> Result<[UInt8], RPCError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                willQueue?(self)
                // Cancellation is checked under the lock `onCancel` takes, so it is seen either here
                // (never queued) or there (still queued, or pending on the I/O thread): never lost.
                let admission = shared.withLock { state -> Admission in
                    if Task.isCancelled { return .cancelled }
                    guard !state.closed else { return .closed }
                    state.outgoing.append(
                        Outgoing(id: id, frame: frame, deadline: deadline, continuation: continuation))
                    // The I/O thread takes the whole queue each time: one signal per batch is enough.
                    return .queued(wake: state.outgoing.count == 1)
                }
                switch admission {
                case .queued(let wake):
                    if wake { wakeup.signal() }
                case .cancelled:
                    continuation.resume(returning: .failure(RPCError(.cancelled, "call was cancelled")))
                case .closed:
                    continuation.resume(returning: .failure(RPCError(.unavailable, "client is closed")))
                }
            }
        } onCancel: {
            let queued = shared.withLock { state -> Outgoing? in
                if let index = state.outgoing.firstIndex(where: { $0.id == id }) {
                    return state.outgoing.remove(at: index)
                }
                // Taken by the I/O thread, which starts a batch's calls before it reads the next
                // cancellations: the call is pending there by the time it sees this id.
                state.cancelled.append(id)
                return nil
            }
            if let queued {
                queued.continuation.resume(returning: .failure(RPCError(.cancelled, "call was cancelled")))
            } else {
                wakeup.signal()
            }
        }
    }

    private enum Admission {
        case queued(wake: Bool)
        case cancelled
        case closed
    }
}

/// Moves a socket made on one thread to the thread that will own it, exactly once.
private final class SocketHandoff: @unchecked Sendable {
    private var socket: Socket?
    init(socket: Socket) { self.socket = socket }
    func take() -> Socket {
        defer { socket = nil }
        return socket!
    }
}

/// The state only the client's I/O thread touches.
private final class ClientLoop {
    let client: RPCClient
    let socket: Socket
    var pending: [String: RPCClient.Outgoing] = [:]
    var nearestDeadline: ContinuousClock.Instant?

    init(client: RPCClient, socket: Socket) {
        self.client = client
        self.socket = socket
    }

    func run() {
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: client.wakeup.fileDescriptor)
        var timeoutMs = 1000
        defer {
            socket.close(lingerMs: 0)
            client.shared.withLock { $0.finished = true }
        }
        while true {
            let ready: [Bool]
            do { ready = try poller.poll(timeoutMs: timeoutMs) } catch {
                client.logger.error("poll failed; client stops", metadata: ["error": "\(error)"])
                let waiting = client.shared.withLock { state in
                    state.closed = true
                    defer { state.outgoing.removeAll() }
                    return state.outgoing
                }
                for call in waiting {
                    call.continuation.resume(returning: .failure(RPCError(.unavailable, "client failed: \(error)")))
                }
                failAll(RPCError(.unavailable, "client failed: \(error)"))
                return
            }
            if ready[1] { client.wakeup.clear() }
            let (outgoing, cancelled, closed) = client.shared.withLock { state in
                let taken = (state.outgoing, state.cancelled, state.closed)
                state.outgoing.removeAll(keepingCapacity: true)
                state.cancelled.removeAll()
                return taken
            }
            if closed {
                for call in outgoing {
                    call.continuation.resume(returning: .failure(RPCError(.unavailable, "client is closed")))
                }
                failAll(RPCError(.unavailable, "client is closed"))
                return
            }
            for call in outgoing { start(call) }
            for id in cancelled {
                pending.removeValue(forKey: id)?.continuation.resume(
                    returning: .failure(RPCError(.cancelled, "call was cancelled")))
            }
            receiveAll()
            expire()
            timeoutMs = 1000
            if let nearestDeadline {
                let wait = nearestDeadline - ContinuousClock.now
                timeoutMs = max(0, min(timeoutMs, Int(min(wait / .milliseconds(1), 1e9)) + 1))
            }
        }
    }

    func start(_ call: RPCClient.Outgoing) {
        guard pending[call.id] == nil else {
            call.continuation.resume(
                returning: .failure(RPCError(.invalidArgument, "request id \(call.id) is already in flight")))
            return
        }
        do {
            // Never block the loop: a full queue to the bus is "not now".
            guard try socket.send([call.frame], dontWait: true) else {
                call.continuation.resume(returning: .failure(RPCError(.unavailable, "the queue to the bus is full")))
                return
            }
        } catch {
            call.continuation.resume(returning: .failure(RPCError(.unavailable, "send failed: \(error)")))
            return
        }
        pending[call.id] = call
        if nearestDeadline.map({ call.deadline < $0 }) ?? true { nearestDeadline = call.deadline }
    }

    func receiveAll() {
        while true {
            let frames: [[UInt8]]?
            do { frames = try socket.receive(dontWait: true) } catch {
                client.logger.warning("receive failed", metadata: ["error": "\(error)"])
                return
            }
            guard let frames, let payload = frames.last else { return }
            guard case .success(let json) = LengthPrefixedFrame.decode(payload, maxMessageBytes: Int.max),
                let id = EnvelopePeek.scan(json)?.id ?? (try? Envelope.parseReplyHead(json))?.id
            else {
                client.logger.warning("dropped a reply that names no request", metadata: ["bytes": "\(payload.count)"])
                continue
            }
            // A reply to a call that already timed out or was cancelled is simply late.
            pending.removeValue(forKey: id)?.continuation.resume(returning: .success(Array(json)))
        }
    }

    func expire() {
        guard let nearest = nearestDeadline else { return }
        let now = ContinuousClock.now
        guard nearest <= now else { return }
        var next: ContinuousClock.Instant?
        for (id, call) in pending {
            if call.deadline <= now {
                pending[id] = nil
                call.continuation.resume(
                    returning: .failure(RPCError(.deadlineExceeded, "no reply to \(id) before the deadline")))
            } else if next.map({ call.deadline < $0 }) ?? true {
                next = call.deadline
            }
        }
        nearestDeadline = next
    }

    func failAll(_ error: RPCError) {
        for call in pending.values { call.continuation.resume(returning: .failure(error)) }
        pending.removeAll()
    }
}
