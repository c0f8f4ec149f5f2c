import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Wire
import ZeroMQ

/// How an `RPCServer` connects and how much work it takes on.
public struct RPCServerConfiguration: Sendable {
    /// The bus's worker (back) port for this service, e.g. `tcp://127.0.0.1:7201`.
    public var endpoint: String
    /// This worker's name, announced to the bus.
    public var instance: String
    /// Requests handled at once: the credit announced to the bus, which sends no more.
    public var maxInFlight: Int
    /// Largest accepted JSON payload (PROTOCOL §2's `N`), and largest reply.
    public var maxMessageBytes: Int
    /// How long closing waits for unsent replies.
    public var lingerMs: Int32
    /// How long a graceful shutdown waits for in-flight calls before cancelling them.
    public var drainTimeout: Duration
    /// Where handler tasks run, unless a method chose otherwise when it was registered.
    public var handlerExecutor: HandlerExecutor
    /// How often the worker and the bus exchange heartbeats.
    public var heartbeatInterval: Duration
    /// Intervals without a word from the bus after which the worker reconnects.
    public var liveness: Int
    /// Whether the worker announces its credit at once; otherwise only after `setReady(true)`
    /// (a service that must catch up before it can answer).
    public var startsReady: Bool

    /// Where handler tasks run.
    public enum HandlerExecutor: Sendable, Equatable {
        /// On the I/O thread itself, between polls: no thread hop for a handler that does not
        /// suspend, and one back to the loop after it does. For handlers that compute briefly and
        /// await their I/O (the default); a handler that blocks would stall the socket.
        case ioThread
        /// On Swift's global concurrent executor: for handlers that compute for long (ranking),
        /// at the price of two thread hops per call, so `Health` and deadlines never wait on them.
        case global
    }

    public init(
        endpoint: String, instance: String = "worker-\(ProcessInfo.processInfo.processIdentifier)",
        maxInFlight: Int = 64, maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes,
        lingerMs: Int32 = 1000, drainTimeout: Duration = .seconds(10), handlerExecutor: HandlerExecutor = .ioThread,
        heartbeatInterval: Duration = WorkerProtocol.defaultHeartbeatInterval,
        liveness: Int = WorkerProtocol.defaultLiveness, startsReady: Bool = true
    ) {
        self.endpoint = endpoint
        self.instance = instance
        self.maxInFlight = maxInFlight
        self.maxMessageBytes = maxMessageBytes
        self.lingerMs = lingerMs
        self.drainTimeout = drainTimeout
        self.handlerExecutor = handlerExecutor
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.startsReady = startsReady
    }
}

/// A service's RPC worker: a DEALER connected to the bus's back port speaking the worker
/// protocol (`WorkerProtocol`), owned by one I/O thread that polls it alongside a wake-up
/// descriptor. Each request runs as its own task; finished replies come back through a
/// lock-protected queue and the wake-up.
///
/// It announces `maxInFlight` as its credit once ready, exchanges heartbeats with the bus and
/// reconnects when the bus goes silent. Malformed frames are answered on the I/O thread and never
/// reach a handler; no input can stop the loop. `shutdown()` (or cancelling `run()`, or a graceful
/// shutdown of its service group) drains: credit 0 (the bus sends nothing new), in-flight calls
/// answered, then the socket closes.
public final class RPCServer: Service {
    /// The configuration it runs with.
    public let configuration: RPCServerConfiguration
    let context: ZeroMQ.Context
    let router: RPCRouter
    let logger: Logger
    let wakeup: WakeupSignal
    let shared: Mutex<SharedState>
    /// Runs handler tasks on the I/O thread when `handlerExecutor` is `.ioThread`.
    let executor: LoopExecutor

    struct SharedState {
        var completions: [(serial: UInt64, frames: [[UInt8]])] = []
        var shutdownRequested = false
        var ready: Bool
    }

    public init(context: ZeroMQ.Context, configuration: RPCServerConfiguration, router: RPCRouter, logger: Logger)
        throws
    {
        self.context = context
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.shared = Mutex(SharedState(ready: configuration.startsReady))
        let wakeup = try WakeupSignal()
        self.wakeup = wakeup
        self.executor = LoopExecutor(wakeup: wakeup)
    }

    /// Runs the I/O thread until shutdown; returns once every accepted call has been answered.
    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
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
        } onCancelOrGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Starts a graceful shutdown: no new work, in-flight calls answered, then `run()` returns.
    public func shutdown() {
        shared.withLock { $0.shutdownRequested = true }
        wakeup.signal()
    }

    /// Announces (true) or withdraws (false) this worker's credit: the bus sends requests only
    /// to a ready worker.
    public func setReady(_ ready: Bool) {
        shared.withLock { $0.ready = ready }
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
    var socket: Socket
    var calls: [UInt64: Task<Void, Never>] = [:]
    /// Calls taken before the bus last asked us to announce ourselves again: the bus has written
    /// them off, so they do not count against the credit it now believes we have.
    var orphans: Set<UInt64> = []
    /// Deadlines of calls in flight that have one; cancelled when they pass.
    var deadlines: [UInt64: ContinuousClock.Instant] = [:]
    var nextSerial: UInt64 = 0
    var drainStartedAt: ContinuousClock.Instant?
    var cancelledForDrain = false
    /// The credit the bus was last told; nil before `READY`.
    var announcedCredit: Int?
    var lastSent = ContinuousClock.now
    var lastHeard = ContinuousClock.now
    var configuration: RPCServerConfiguration { server.configuration }

    init(server: RPCServer) throws {
        self.server = server
        socket = try Self.connect(server)
    }

    static func connect(_ server: RPCServer) throws -> Socket {
        let socket = try Socket(context: server.context, type: .dealer)
        try socket.setLinger(ms: server.configuration.lingerMs)
        try socket.setSendTimeout(ms: 1000)
        try socket.setReceiveHighWaterMark(10_000)
        try socket.setSendHighWaterMark(10_000)
        // A peer sending more than any request may hold is cut off by libzmq before it is buffered.
        try socket.setMaxMessageSize(
            LengthPrefixedFrame.socketLimit(maxMessageBytes: server.configuration.maxMessageBytes))
        try socket.connect(server.configuration.endpoint)
        return socket
    }

    func run() throws {
        var poller = Self.poller(socket, server.wakeup)
        server.executor.adoptCurrentThread()
        server.logger.info(
            "serving",
            metadata: [
                "endpoint": "\(configuration.endpoint)", "credit": "\(configuration.maxInFlight)",
                "instance": "\(configuration.instance)",
            ])
        var timeoutMs = 0
        while true {
            let ready = try poller.poll(timeoutMs: timeoutMs)
            if ready[1] { server.wakeup.clear() }
            let (shuttingDown, isReady) = server.shared.withLock { ($0.shutdownRequested, $0.ready) }
            let now = ContinuousClock.now
            for _ in 0..<512 {
                guard let frames = try socket.receive(dontWait: true) else { break }
                lastHeard = now
                handleBus(frames)
            }
            announce(credit: shuttingDown || !isReady ? 0 : configuration.maxInFlight)
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
                orphans.remove(completion.serial)
                send(completion.frames)
            }
            let nearest = cancelExpired(now: .now)
            if ContinuousClock.now - lastSent >= configuration.heartbeatInterval {
                send([Array(WorkerProtocol.tag.utf8), Array(WorkerProtocol.Command.heartbeat.rawValue.utf8)])
            }
            if ContinuousClock.now - lastHeard > configuration.heartbeatInterval * configuration.liveness, !shuttingDown
            {
                try reconnect()
                poller = Self.poller(socket, server.wakeup)
            }
            if shuttingDown, try drained() { break }
            timeoutMs = pollTimeout(nearest: nearest, shuttingDown: shuttingDown)
            // Jobs enqueued by this thread since it last ran them (a cancellation above resumes
            // the handler here) signal nothing: come straight back for them.
            if server.executor.hasJobs { timeoutMs = 0 }
        }
        send([Array(WorkerProtocol.tag.utf8), Array(WorkerProtocol.Command.disconnect.rawValue.utf8)])
        socket.close(lingerMs: configuration.lingerMs)
        server.logger.info("stopped serving", metadata: ["endpoint": "\(configuration.endpoint)"])
    }

    static func poller(_ socket: Socket, _ wakeup: WakeupSignal) -> Poller {
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: wakeup.fileDescriptor)
        return poller
    }

    /// Tells the bus our credit when it changed (`READY` the first time).
    func announce(credit: Int) {
        guard announcedCredit != credit else { return }
        let tag = Array(WorkerProtocol.tag.utf8)
        if announcedCredit == nil {
            let ready = WorkerProtocol.Ready(
                service: server.router.service, instance: configuration.instance, credit: credit)
            send([tag, Array(WorkerProtocol.Command.ready.rawValue.utf8), (try? WireCoding.encode(ready)) ?? []])
        } else {
            let body = (try? WireCoding.encode(WorkerProtocol.Credit(credit: credit))) ?? []
            send([tag, Array(WorkerProtocol.Command.credit.rawValue.utf8), body])
        }
        announcedCredit = credit
    }

    /// The bus went silent: a new socket, announced afresh (the bus may have restarted).
    func reconnect() throws {
        server.logger.warning(
            "no word from the bus; reconnecting",
            metadata: [
                "silentFor": "\(ContinuousClock.now - lastHeard)", "inFlight": "\(calls.count)",
            ])
        socket.close(lingerMs: 0)
        socket = try Self.connect(server)
        startOver()
    }

    /// Forgets what the bus knew of us, so the next turn announces us again.
    func startOver() {
        announcedCredit = nil
        orphans = Set(calls.keys)
        lastHeard = .now
    }

    /// One message from the bus.
    func handleBus(_ frames: [[UInt8]]) {
        guard frames.count >= 2, frames[0].elementsEqual(WorkerProtocol.tag.utf8),
            let command = WorkerProtocol.Command(rawValue: String(decoding: frames[1], as: UTF8.self))
        else {
            server.logger.warning(
                "dropped a message that is not of the worker protocol", metadata: ["frames": "\(frames.count)"])
            return
        }
        switch command {
        case .request:
            guard frames.count == 5 else {
                server.logger.warning("dropped a malformed REQUEST", metadata: ["frames": "\(frames.count)"])
                return
            }
            let budget = frames[3].withUnsafeBytes(WorkerProtocol.budgetMs)
            accept(token: frames[2], budgetMs: budget, payload: frames[4])
        case .heartbeat:
            break
        case .disconnect:
            let reason = frames.count > 2 ? String(decoding: frames[2], as: UTF8.self) : ""
            server.logger.notice("the bus asked us to announce ourselves again", metadata: ["reason": "\(reason)"])
            startOver()
        case .ready, .credit, .reply:
            server.logger.warning(
                "dropped a worker-side command sent by the bus", metadata: ["command": "\(command.rawValue)"])
        }
    }

    /// Cancels calls whose deadline passed; returns the nearest deadline still ahead.
    func cancelExpired(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
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
        return nearest
    }

    /// During shutdown: whether every call is answered (or the drain gave up on them).
    func drained() throws -> Bool {
        let now = ContinuousClock.now
        let started = drainStartedAt ?? now
        drainStartedAt = started
        if calls.isEmpty { return true }
        guard now - started > configuration.drainTimeout else { return false }
        if !cancelledForDrain {
            server.logger.warning("drain timeout: cancelling in-flight calls", metadata: ["inFlight": "\(calls.count)"])
            for task in calls.values { task.cancel() }
            cancelledForDrain = true
        } else if now - started > configuration.drainTimeout * 2 {
            server.logger.error(
                "calls still running after cancellation; closing anyway", metadata: ["inFlight": "\(calls.count)"])
            return true
        }
        return false
    }

    func pollTimeout(nearest: ContinuousClock.Instant?, shuttingDown: Bool) -> Int {
        let now = ContinuousClock.now
        var wakeAt = lastSent + configuration.heartbeatInterval
        let silentLimit = lastHeard + configuration.heartbeatInterval * configuration.liveness
        if silentLimit < wakeAt { wakeAt = silentLimit }
        if let nearest, nearest < wakeAt { wakeAt = nearest }
        if shuttingDown { wakeAt = min(wakeAt, now + .milliseconds(50)) }
        let wait = wakeAt - now
        guard wait > .zero else { return 0 }
        return Int((wait / .milliseconds(1)).rounded(.up))
    }

    /// Bodies larger than this are handled off the I/O thread, whatever the method's executor.
    static let largeBodyBytes = 64 << 10

    /// Takes one request: answers framing errors and overload at once, and starts a task for
    /// anything else.
    func accept(token: [UInt8], budgetMs: Int64?, payload: [UInt8]) {
        let receivedAt = ContinuousClock.now
        let json: ArraySlice<UInt8>
        switch LengthPrefixedFrame.decode(payload, maxMessageBytes: configuration.maxMessageBytes) {
        case .failure(let error):
            server.logger.debug("framing error", metadata: ["status": "\(error.code)", "reason": "\(error.message)"])
            reply(token, Envelope.encodeError(id: nil, error))
            return
        case .success(let body):
            json = body
        }
        let peek = EnvelopePeek.scan(json)
        // What the quick scan could not read, the full parser reads, once.
        let header = peek?.isPlain == true && peek?.method != nil ? nil : try? Envelope.parseHeader(json).get()
        // The bus's budget is the caller's deadline less the wait at the bus; without it, the
        // request's own deadlineMs.
        let deadlineMs = budgetMs ?? peek?.deadlineMs ?? header?.deadlineMs
        let deadline = deadlineMs.map { receivedAt + .milliseconds($0) }
        if calls.count - orphans.count >= configuration.maxInFlight {
            reply(
                token,
                Envelope.encodeError(
                    id: Self.readableId(json, peek),
                    RPCError(
                        .resourceExhausted,
                        "\(server.router.service) has \(calls.count) requests in flight, its limit; retry later")))
            return
        }
        nextSerial += 1
        let serial = nextSerial
        if let deadline { deadlines[serial] = deadline }
        let server = self.server
        let maxReplyBytes = configuration.maxMessageBytes
        let work: @Sendable () async -> Void = {
            var reply = await server.router.handle(
                json: json, peek: peek, receivedAt: receivedAt, deadline: deadline, logger: server.logger)
            if reply.count > maxReplyBytes {
                // Never a message the client could not take: the caller asks for a smaller page.
                reply = Envelope.encodeError(
                    id: ServerLoop.readableId(json, peek),
                    RPCError(
                        .resourceExhausted,
                        "reply of \(reply.count) bytes exceeds the limit of \(maxReplyBytes); ask for less"))
            }
            server.complete(
                serial: serial,
                frames: [
                    Array(WorkerProtocol.tag.utf8), Array(WorkerProtocol.Command.reply.rawValue.utf8), token,
                    LengthPrefixedFrame.encode(reply),
                ])
        }
        let method = peek?.method ?? header?.method
        // A large body takes long to decode and check: never on the I/O thread, whose heartbeats
        // keep the worker alive at the bus.
        let large = json.count > Self.largeBodyBytes
        switch large ? .global : method.flatMap(server.router.executor(for:)) ?? configuration.handlerExecutor {
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

    func reply(_ token: [UInt8], _ json: [UInt8]) {
        send([
            Array(WorkerProtocol.tag.utf8), Array(WorkerProtocol.Command.reply.rawValue.utf8), token,
            LengthPrefixedFrame.encode(json),
        ])
    }

    func send(_ frames: [[UInt8]]) {
        do {
            // Never block the loop: a message the bus cannot take now (its queue to us is full) is
            // dropped; for a reply, the caller's own deadline reports it.
            if try !socket.send(frames, dontWait: true) {
                server.logger.warning("message to the bus dropped: its queue is full")
            }
            lastSent = .now
        } catch {
            server.logger.error("send to the bus failed", metadata: ["error": "\(error)"])
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

    /// Runs the jobs enqueued so far on the calling (I/O) thread: one batch, so jobs that keep
    /// enqueueing more never starve the socket; the loop comes back at once for the rest.
    func runJobs() {
        let batch = jobs.withLock { jobs -> [UnownedJob] in
            var batch: [UnownedJob] = []
            swap(&batch, &jobs)
            return batch
        }
        for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
