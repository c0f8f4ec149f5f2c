import Foundation
import Logging
import Synchronization
import Wire
import ZeroMQ

/// How an `RPCServer` connects and how much work it takes on.
public struct RPCServerConfiguration: Sendable {
    /// The bus's worker (back) port for this service, e.g. `tcp://127.0.0.1:7201`.
    public var endpoint: String
    /// Requests handled at once; past that, `RESOURCE_EXHAUSTED` at once rather than a queue.
    public var maxInFlight: Int
    /// Largest accepted JSON payload (PROTOCOL §2's `N`).
    public var maxMessageBytes: Int
    /// How long closing waits for unsent replies.
    public var lingerMs: Int32
    /// How long a graceful shutdown waits for in-flight calls before cancelling them.
    public var drainTimeout: Duration
    /// Where handler tasks run.
    public var handlerExecutor: HandlerExecutor

    /// Where handler tasks run.
    public enum HandlerExecutor: Sendable {
        /// On the I/O thread itself, between polls: no thread hop for a handler that does not
        /// suspend, and one back to the loop after it does. For handlers that compute briefly and
        /// await their I/O (the default); a handler that blocks would stall the socket.
        case ioThread
        /// On Swift's global concurrent executor: for handlers that compute for long (ranking),
        /// at the price of two thread hops per call.
        case global
    }

    public init(
        endpoint: String, maxInFlight: Int = 64, maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes,
        lingerMs: Int32 = 1000, drainTimeout: Duration = .seconds(10), handlerExecutor: HandlerExecutor = .ioThread
    ) {
        self.endpoint = endpoint
        self.maxInFlight = maxInFlight
        self.maxMessageBytes = maxMessageBytes
        self.lingerMs = lingerMs
        self.drainTimeout = drainTimeout
        self.handlerExecutor = handlerExecutor
    }
}

/// A service's RPC worker: a DEALER connected to the bus's back port, owned by one I/O thread
/// that polls it alongside a wake-up descriptor. Each request runs as its own task; finished
/// replies come back through a lock-protected queue and the wake-up.
///
/// Malformed frames are answered on the I/O thread and never reach a handler; no input can stop
/// the loop. `shutdown()` (or cancelling `run()`) stops taking work (new requests get
/// `UNAVAILABLE`), answers what is in flight, closes the socket with a linger, and returns.
public final class RPCServer: Sendable {
    /// The configuration it runs with.
    public let configuration: RPCServerConfiguration
    let context: ZeroMQ.Context
    let router: RPCRouter
    let logger: Logger
    let wakeup: WakeupSignal
    let shared = Mutex(SharedState())
    /// Runs handler tasks on the I/O thread when `handlerExecutor` is `.ioThread`.
    let executor: LoopExecutor

    struct SharedState {
        var completions: [(serial: UInt64, frames: [[UInt8]])] = []
        var shutdownRequested = false
    }

    public init(context: ZeroMQ.Context, configuration: RPCServerConfiguration, router: RPCRouter, logger: Logger) throws {
        self.context = context
        self.configuration = configuration
        self.router = router
        self.logger = logger
        let wakeup = try WakeupSignal()
        self.wakeup = wakeup
        self.executor = LoopExecutor(wakeup: wakeup)
    }

    /// Runs the I/O thread until shutdown; returns once every accepted call has been answered.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    do {
                        try ServerLoop(server: self).run()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "octoo-rpc-\(router.service)"
                thread.start()
            }
        } onCancel: {
            shutdown()
        }
    }

    /// Starts a graceful shutdown: no new work, in-flight calls answered, then `run()` returns.
    public func shutdown() {
        shared.withLock { $0.shutdownRequested = true }
        wakeup.signal()
    }

    fileprivate func complete(serial: UInt64, frames: [[UInt8]]) {
        let wasEmpty = shared.withLock { state in
            state.completions.append((serial, frames))
            return state.completions.count == 1
        }
        // The I/O thread takes the whole queue at each wake-up: one signal per batch is enough,
        // and none when the handler ran on the I/O thread, which takes the queue next anyway.
        if wasEmpty && !executor.isLoopThread { wakeup.signal() }
    }
}

/// The state only the I/O thread touches.
private final class ServerLoop {
    let server: RPCServer
    let socket: Socket
    var calls: [UInt64: Task<Void, Never>] = [:]
    /// Deadlines of calls in flight that have one; cancelled when they pass.
    var deadlines: [UInt64: ContinuousClock.Instant] = [:]
    var nextSerial: UInt64 = 0
    var drainStartedAt: ContinuousClock.Instant?
    var cancelledForDrain = false

    init(server: RPCServer) throws {
        self.server = server
        socket = try Socket(context: server.context, type: .dealer)
        try socket.setLinger(ms: server.configuration.lingerMs)
        try socket.setSendTimeout(ms: 1000)
        try socket.setReceiveHighWaterMark(10_000)
        try socket.setSendHighWaterMark(10_000)
        try socket.connect(server.configuration.endpoint)
    }

    func run() throws {
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: server.wakeup.fileDescriptor)
        server.executor.adoptCurrentThread()
        server.logger.info("serving", metadata: ["endpoint": "\(server.configuration.endpoint)", "maxInFlight": "\(server.configuration.maxInFlight)"])
        defer { socket.close(lingerMs: server.configuration.lingerMs) }
        var timeoutMs = 0
        while true {
            let ready = try poller.poll(timeoutMs: timeoutMs)
            if ready[1] { server.wakeup.clear() }
            let shuttingDown = server.shared.withLock { $0.shutdownRequested }
            for _ in 0..<512 {
                guard let frames = try socket.receive(dontWait: true) else { break }
                accept(frames, shuttingDown: shuttingDown)
            }
            // Handlers on the I/O thread run here: those that do not suspend reply in this turn.
            server.executor.runJobs()
            let completions = server.shared.withLock { state in
                var completions: [(serial: UInt64, frames: [[UInt8]])] = []
                swap(&completions, &state.completions)
                return completions
            }
            for completion in completions {
                calls[completion.serial] = nil
                deadlines[completion.serial] = nil
                send(completion.frames)
            }
            let now = ContinuousClock.now
            var nearest: ContinuousClock.Instant?
            for (serial, deadline) in deadlines {
                if deadline <= now {
                    // The handler sees the cancellation; its reply (DEADLINE_EXCEEDED) still comes back.
                    calls[serial]?.cancel()
                    deadlines[serial] = nil
                } else if nearest.map({ deadline < $0 }) ?? true {
                    nearest = deadline
                }
            }
            if shuttingDown {
                let started = drainStartedAt ?? now
                drainStartedAt = started
                if calls.isEmpty { break }
                if now - started > server.configuration.drainTimeout {
                    if !cancelledForDrain {
                        server.logger.warning("drain timeout: cancelling in-flight calls", metadata: ["inFlight": "\(calls.count)"])
                        for task in calls.values { task.cancel() }
                        cancelledForDrain = true
                    } else if now - started > server.configuration.drainTimeout * 2 {
                        server.logger.error("calls still running after cancellation; closing anyway", metadata: ["inFlight": "\(calls.count)"])
                        break
                    }
                }
            }
            timeoutMs = Self.pollTimeout(now: now, nearest: nearest, shuttingDown: shuttingDown)
            // Jobs enqueued by this thread since it last ran them (a cancellation above resumes
            // the handler here) signal nothing: come straight back for them.
            if server.executor.hasJobs { timeoutMs = 0 }
        }
        server.logger.info("stopped serving", metadata: ["endpoint": "\(server.configuration.endpoint)"])
    }

    static func pollTimeout(now: ContinuousClock.Instant, nearest: ContinuousClock.Instant?, shuttingDown: Bool) -> Int {
        var timeout = shuttingDown ? 50 : 1000
        if let nearest {
            let wait = nearest - now
            let ms = Int(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000) + 1
            timeout = min(timeout, max(ms, 0))
        }
        return timeout
    }

    /// Takes one message off the socket: answers framing errors, overload and shutdown at once,
    /// and starts a task for anything else.
    func accept(_ frames: [[UInt8]], shuttingDown: Bool) {
        guard frames.count >= 2 else {
            // Without a routing envelope the bus could not deliver a reply: nothing to answer.
            server.logger.warning("dropped a message without a routing envelope", metadata: ["frames": "\(frames.count)"])
            return
        }
        let envelope = Array(frames.dropLast())
        let payload = frames[frames.count - 1]
        let json: ArraySlice<UInt8>
        switch LengthPrefixedFrame.decode(payload, maxMessageBytes: server.configuration.maxMessageBytes) {
        case .failure(let error):
            server.logger.debug("framing error", metadata: ["status": "\(error.code)", "reason": "\(error.message)"])
            reply(envelope, Envelope.encodeError(id: nil, error))
            return
        case .success(let body):
            json = body
        }
        let peek = EnvelopePeek.scan(json)
        if shuttingDown {
            reply(envelope, Envelope.encodeError(id: Self.readableId(json, peek), RPCError(.unavailable, "\(server.router.service) is shutting down; retry")))
            return
        }
        if calls.count >= server.configuration.maxInFlight {
            reply(envelope, Envelope.encodeError(id: Self.readableId(json, peek), RPCError(
                .resourceExhausted, "\(server.router.service) has \(calls.count) requests in flight, its limit; retry later")))
            return
        }
        nextSerial += 1
        let serial = nextSerial
        let receivedAt = ContinuousClock.now
        if let deadlineMs = peek?.deadlineMs { deadlines[serial] = receivedAt + .milliseconds(deadlineMs) }
        let server = self.server
        let work: @Sendable () async -> Void = {
            let reply = await server.router.handle(json: json, peek: peek, receivedAt: receivedAt, logger: server.logger)
            server.complete(serial: serial, frames: envelope + [LengthPrefixedFrame.encode(reply)])
        }
        switch server.configuration.handlerExecutor {
        case .ioThread: calls[serial] = Task(executorPreference: server.executor, operation: work)
        case .global: calls[serial] = Task.detached(operation: work)
        }
    }

    static func readableId(_ json: ArraySlice<UInt8>, _ peek: EnvelopePeek?) -> String? {
        if let id = peek?.id { return id }
        switch Envelope.parseHeader(json) {
        case .success(let header): return header.id
        case .failure(let malformed): return malformed.id
        }
    }

    func reply(_ envelope: [[UInt8]], _ json: [UInt8]) {
        send(envelope + [LengthPrefixedFrame.encode(json)])
    }

    func send(_ frames: [[UInt8]]) {
        do {
            // Never block the loop: a reply the bus cannot take now (its queue to us is full) is
            // dropped, and the caller's own deadline reports it.
            if try !socket.send(frames, dontWait: true) {
                server.logger.warning("reply dropped: the bus's queue is full")
            }
        } catch {
            server.logger.error("reply failed", metadata: ["error": "\(error)"])
        }
    }
}

/// A task executor whose jobs run on the server's I/O thread, between polls. Any thread may
/// enqueue (a task resuming after an await); the loop runs them.
final class LoopExecutor: TaskExecutor, Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let wakeup: WakeupSignal
    private let loopThread = Mutex<pthread_t?>(nil)

    init(wakeup: WakeupSignal) { self.wakeup = wakeup }

    /// Called by the I/O thread as its loop starts.
    func adoptCurrentThread() {
        loopThread.withLock { $0 = pthread_self() }
    }

    /// Whether the caller is the I/O thread (which runs the jobs after accepting, unprompted).
    var isLoopThread: Bool {
        guard let loop = loopThread.withLock({ $0 }) else { return false }
        return pthread_equal(loop, pthread_self()) != 0
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wasEmpty = jobs.withLock { jobs in
            jobs.append(job)
            return jobs.count == 1
        }
        if wasEmpty && !isLoopThread { wakeup.signal() }
    }

    /// Whether jobs are waiting to run.
    var hasJobs: Bool { jobs.withLock { !$0.isEmpty } }

    /// Runs every job enqueued so far, and those they enqueue, on the calling (I/O) thread.
    func runJobs() {
        while true {
            let batch = jobs.withLock { jobs -> [UnownedJob] in
                var batch: [UnownedJob] = []
                swap(&batch, &jobs)
                return batch
            }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
