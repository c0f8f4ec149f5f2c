import Collections
import Contracts
import Foundation
import Logging
import Synchronization
import Transport
import Wire
import ZeroMQ

/// The broker of one service (the ZeroMQ guide's load-balancing broker with credit and
/// heartbeats): a ROUTER for clients, a ROUTER for workers, both owned by one thread.
///
/// A request goes to the worker with the most free credit, or waits in a bounded queue until one
/// has some or its deadline passes. Frames are moved, not copied, between the two sockets.
final class ServiceBroker: Sendable {
    let service: String
    let context: ZeroMQ.Context
    let frontEndpoint: String
    let backEndpoint: String
    let configuration: BrokerConfiguration
    /// CURVE for both sockets, when the bus has it.
    let security: BusSecurity?
    /// The keys' roles, with CURVE on: each request's actor is checked against its sender's.
    let keys: KeyBook?
    let statistics: BrokerStatistics
    let logger: Logger
    /// Answers `bus.*` methods (on the broker's thread).
    let answerBusMethod: @Sendable (_ method: String, _ id: String?) -> [UInt8]?
    let wakeup: WakeupSignal
    let stopRequested = Atomic<Bool>(false)
    let finished = DispatchSemaphore(value: 0)

    init(
        service: String, context: ZeroMQ.Context, frontEndpoint: String, backEndpoint: String,
        configuration: BrokerConfiguration, security: BusSecurity? = nil, keys: KeyBook? = nil, logger: Logger,
        answerBusMethod: @escaping @Sendable (_ method: String, _ id: String?) -> [UInt8]?
    ) throws {
        self.service = service
        self.context = context
        self.frontEndpoint = frontEndpoint
        self.backEndpoint = backEndpoint
        self.configuration = configuration
        self.security = security
        self.keys = keys
        self.statistics = BrokerStatistics(service: service)
        var logger = logger
        logger[metadataKey: "service"] = "\(service)"
        self.logger = logger
        self.answerBusMethod = answerBusMethod
        self.wakeup = try WakeupSignal()
    }

    /// Binds both ports on a new thread and runs the loop there; throws (with nothing left
    /// running) when a bind fails. `onExit` is called if the loop ever ends on an error.
    func start(onExit: @escaping @Sendable (any Error) -> Void) throws {
        try BoundThread.start(
            name: "octoo-broker-\(service)", finished: finished, setup: { try BrokerLoop(broker: self) },
            run: { [logger] loop in
                do {
                    try loop.run()
                } catch {
                    logger.critical("broker loop failed", metadata: ["error": "\(error)"])
                    onExit(error)
                }
            })
    }

    /// Asks the loop to stop: queued requests are answered `UNAVAILABLE`, dispatched ones get up
    /// to `drainTimeout` for their replies. Waits at most `timeout` for the loop to end.
    @discardableResult
    func stop(timeout: Duration) -> Bool {
        stopRequested.store(true, ordering: .releasing)
        wakeup.signal()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return finished.wait(timeout: .now() + seconds) == .success
    }
}

/// The state only the broker's thread touches.
private final class BrokerLoop {
    let broker: ServiceBroker
    let configuration: BrokerConfiguration
    let front: Socket
    let back: Socket
    var pool = WorkerPool()
    var queue: Deque<QueuedRequest> = []
    var queuedBytes = 0
    var inFlight: [UInt64: DispatchedRequest] = [:]
    /// Tokens are random, so a peer cannot guess the token of a request it was not sent.
    var tokens = SystemRandomNumberGenerator()
    /// Replies dropped for coming from a peer that does not hold the request, logged sparingly.
    var strayReplies = 0
    var nextHeartbeat: ContinuousClock.Instant
    var nextQueueExpiry: ContinuousClock.Instant?
    var counters = BrokerStatistics.Snapshot()
    var changed = true
    var lastPublished = ContinuousClock.now
    /// How stale `bus.Status` may be for another service's broker (its own is always current).
    static let publishInterval: Duration = .milliseconds(20)
    var logger: Logger { broker.logger }

    static let disconnected = "it disconnected"

    /// A request waiting for a worker.
    struct QueuedRequest {
        let route: [Message]
        let payload: Message
        let id: String?
        let deadline: ContinuousClock.Instant?
        /// When it stops waiting: its deadline, or `maxQueueWait` after it arrived.
        let expiresAt: ContinuousClock.Instant
        let bytes: Int
    }

    /// A request handed to a worker and not yet answered.
    struct DispatchedRequest {
        let route: [Message]
        let id: String?
        let worker: RoutingId
    }

    init(broker: ServiceBroker) throws {
        self.broker = broker
        configuration = broker.configuration
        front = try Socket(context: broker.context, type: .router)
        back = try Socket(context: broker.context, type: .router)
        for socket in [front, back] {
            try socket.setLinger(ms: 0)
            try socket.setMaxMessageSize(configuration.socketMessageLimit)
            try socket.setSendHighWaterMark(configuration.highWaterMark)
            try socket.setReceiveHighWaterMark(configuration.highWaterMark)
        }
        try broker.security?.apply(to: front, domain: .client(broker.service))
        try broker.security?.apply(to: back, domain: .worker(broker.service))
        // A send to a worker that has gone must fail, not vanish: its requests are then answered.
        try back.setRouterMandatory(true)
        try front.bind(broker.frontEndpoint)
        try back.bind(broker.backEndpoint)
        nextHeartbeat = .now + configuration.heartbeatInterval
    }

    deinit {
        front.close(lingerMs: 0)
        back.close(lingerMs: 0)
    }

    func run() throws {
        var poller = Poller()
        poller.add(front)
        poller.add(back)
        poller.add(fileDescriptor: broker.wakeup.fileDescriptor)
        logger.debug("broker up", metadata: ["front": "\(broker.frontEndpoint)", "back": "\(broker.backEndpoint)"])
        var timeoutMs = 0
        while true {
            let ready = try poller.poll(timeoutMs: timeoutMs)
            if ready[2] { broker.wakeup.clear() }
            if broker.stopRequested.load(ordering: .acquiring) {
                try drain()
                return
            }
            // Replies first: they free credit for the requests behind them. A socket poll did not
            // report is not tried: an empty receive costs libzmq a system call.
            if ready[1] {
                for _ in 0..<512 {
                    guard let frames = try back.receiveMessages(dontWait: true) else { break }
                    handleWorker(frames, now: .now)
                }
            }
            if ready[0] {
                for _ in 0..<512 {
                    guard let frames = try front.receiveMessages(dontWait: true) else { break }
                    handleClient(frames, now: .now)
                }
            }
            let now = ContinuousClock.now
            dispatchQueued(now: now)
            if now >= nextHeartbeat {
                heartbeat(now: now)
                nextHeartbeat = now + configuration.heartbeatInterval
            }
            if let expiry = nextQueueExpiry, now >= expiry { expireQueue(now: now) }
            publishIfChanged(force: false)
            timeoutMs = pollTimeout(now: .now)
            // Under load the snapshot is published every `publishInterval`; the last change
            // before a quiet spell is published then too.
            if changed { timeoutMs = min(timeoutMs, Int(Self.publishInterval / .milliseconds(1))) }
        }
    }

    /// Sleeps until the next heartbeat or queued deadline, whichever comes first: nothing else
    /// needs the thread, so a bus with requests waiting for an absent worker is idle.
    func pollTimeout(now: ContinuousClock.Instant) -> Int {
        var wakeAt = nextHeartbeat
        if let expiry = nextQueueExpiry, expiry < wakeAt { wakeAt = expiry }
        let wait = wakeAt - now
        guard wait > .zero else { return 0 }
        return Int(min(wait / .milliseconds(1), 60_000).rounded(.up))
    }

    // MARK: Clients

    func handleClient(_ frames: [Message], now: ContinuousClock.Instant) {
        // A ROUTER prefixes the peer's routing id, so there is always an envelope.
        guard frames.count >= 2 else { return }
        var route = frames
        let payload = route.removeLast()
        let head: RequestHead
        switch Self.readHead(payload, maxMessageBytes: configuration.maxMessageBytes, readActor: broker.keys != nil) {
        case .failure(let failure):
            reply(route: route, json: Envelope.encodeError(id: failure.id, failure.error))
            return
        case .success(let value):
            head = value
        }
        // With CURVE, a key claims only the actor roles it was given (PROTOCOL §9).
        if let keys = broker.keys, let role = head.actor?.role, keys.roles(of: payload)?.client?.contains(role) != true
        {
            reply(
                route: route,
                json: Envelope.encodeError(
                    id: head.id, RPCError(.permissionDenied, "this client's key may not act as role \(role.rawValue)")))
            return
        }
        if head.method.hasPrefix("bus.") {
            publishIfChanged(force: true)
            let answer =
                broker.answerBusMethod(head.method, head.id)
                ?? Envelope.encodeError(id: head.id, RPCError(.unimplemented, "the bus has no method \(head.method)"))
            reply(route: route, json: answer)
            return
        }
        let deadline = head.deadlineMs.map { now + .milliseconds($0) }
        let request = QueuedRequest(
            route: route, payload: payload, id: head.id, deadline: deadline,
            expiresAt: deadline ?? now + configuration.maxQueueWait, bytes: payload.count)
        // First come, first served: a new request goes straight out only when nobody waits.
        if queue.isEmpty, let worker = pool.choose() {
            if dispatch(request, to: worker, now: now) == nil { return }
        }
        guard queue.count < configuration.queueLimit, queuedBytes + request.bytes <= configuration.queueByteLimit else {
            counters.rejectedQueueFull += 1
            changed = true
            reply(
                route: route,
                json: Envelope.encodeError(
                    id: head.id,
                    RPCError(
                        .resourceExhausted,
                        "\(broker.service) has \(queue.count) requests waiting for a worker, the bus's limit; retry later"
                    )))
            return
        }
        enqueue(request, atFront: false)
    }

    /// What the bus needs of a request: its id (for answers of its own), method and deadline.
    struct RequestHead {
        var id: String?
        var method: String
        var deadlineMs: Int64?
        /// The request's actor, read only when the bus checks it (with CURVE).
        var actor: Actor? = nil
    }

    /// Reads the head of a request with the quick scan, else the full parser (which names the
    /// precise error); a framing or JSON error is answered by the bus at once.
    static func readHead(_ payload: Message, maxMessageBytes: Int, readActor: Bool = false) -> Result<
        RequestHead, MalformedRequest
    > {
        let frame = payload.bytes
        let json: ArraySlice<UInt8>
        switch LengthPrefixedFrame.decode(frame, maxMessageBytes: maxMessageBytes) {
        case .failure(let error): return .failure(MalformedRequest(id: nil, error: error))
        case .success(let body): json = body
        }
        if let peek = EnvelopePeek.scan(json), peek.isPlain, let id = peek.id, let method = peek.method {
            guard readActor, let range = peek.actor else {
                return .success(RequestHead(id: id, method: method, deadlineMs: peek.deadlineMs))
            }
            if let actor = EnvelopePeek.actor(json[range]) {
                return .success(RequestHead(id: id, method: method, deadlineMs: peek.deadlineMs, actor: actor))
            }
            // An actor the quick scan cannot read is read by the full parser, as the worker will.
        }
        switch Envelope.parseHeader(json) {
        case .failure(let malformed): return .failure(malformed)
        case .success(let header):
            return .success(
                RequestHead(id: header.id, method: header.method, deadlineMs: header.deadlineMs, actor: header.actor))
        }
    }

    func enqueue(_ request: QueuedRequest, atFront: Bool) {
        if atFront { queue.prepend(request) } else { queue.append(request) }
        queuedBytes += request.bytes
        if nextQueueExpiry.map({ request.expiresAt < $0 }) ?? true { nextQueueExpiry = request.expiresAt }
        changed = true
    }

    /// Hands queued requests to workers while any has free credit.
    func dispatchQueued(now: ContinuousClock.Instant) {
        while !queue.isEmpty, let worker = pool.choose() {
            let request = queue.removeFirst()
            queuedBytes -= request.bytes
            changed = true
            if let unsent = dispatch(request, to: worker, now: now) {
                enqueue(unsent, atFront: true)
            }
        }
    }

    /// Sends `request` to `worker` with what is left of its budget; returns it when it could not
    /// be sent (the worker is gone or its queue is full), so it waits for another.
    func dispatch(_ request: QueuedRequest, to worker: RoutingId, now: ContinuousClock.Instant) -> QueuedRequest? {
        var budget = Message()
        if let deadline = request.deadline {
            // Hop-relative: the worker sees only what is left, and nothing starts past the deadline.
            let remaining = deadline - now
            guard remaining >= .milliseconds(1) else {
                expire(request, now: now)
                return nil
            }
            budget = Message(decimal: WorkerProtocol.budgetMs(remaining: remaining))
        }
        var token: UInt64
        repeat { token = tokens.next() } while token == 0 || inFlight[token] != nil
        let frames = [
            worker.frame, Message(WorkerProtocol.tag), Message(WorkerProtocol.Command.request.rawValue),
            Message(bigEndian: token), budget, request.payload,
        ]
        let outcome: SendOutcome
        do {
            outcome = try back.send(messages: frames, dontWait: true)
        } catch {
            logger.error("dispatch failed", metadata: ["error": "\(error)"])
            outcome = .unroutable
        }
        switch outcome {
        case .sent:
            inFlight[token] = DispatchedRequest(route: request.route, id: request.id, worker: worker)
            pool.dispatched(to: worker)
            counters.dispatched += 1
            changed = true
            return nil
        case .wouldBlock:
            pool.block(worker)
            return request
        case .unroutable:
            lose(worker, reason: "its connection is gone")
            return request
        }
    }

    /// Answers queued requests whose wait is over with `DEADLINE_EXCEEDED`.
    func expireQueue(now: ContinuousClock.Instant) {
        var kept: Deque<QueuedRequest> = []
        var next: ContinuousClock.Instant?
        while let request = queue.popFirst() {
            if request.expiresAt <= now {
                queuedBytes -= request.bytes
                expire(request, now: now)
            } else {
                kept.append(request)
                if next.map({ request.expiresAt < $0 }) ?? true { next = request.expiresAt }
            }
        }
        queue = kept
        nextQueueExpiry = next
        changed = true
    }

    func expire(_ request: QueuedRequest, now: ContinuousClock.Instant) {
        counters.expiredInQueue += 1
        changed = true
        let message =
            request.deadline == nil
            ? "no \(broker.service) worker was free within the bus's \(configuration.maxQueueWait) limit for requests without deadlineMs"
            : "deadline passed while waiting at the bus for a free \(broker.service) worker; the request was never started"
        reply(route: request.route, json: Envelope.encodeError(id: request.id, RPCError(.deadlineExceeded, message)))
    }

    func reply(route: [Message], json: [UInt8]) {
        send(toClient: route, payload: Message(LengthPrefixedFrame.encode(json)))
    }

    func send(toClient route: [Message], payload: Message) {
        do {
            // A client that is gone or not reading loses its own reply; the bus never blocks on it.
            _ = try front.send(messages: route + [payload], dontWait: true)
        } catch {
            logger.warning("reply to a client failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Workers

    func handleWorker(_ frames: [Message], now: ContinuousClock.Instant) {
        guard frames.count >= 3 else { return }
        let worker = frames[0].withUnsafeBytes { RoutingId($0) }
        guard frames[1].equals("OCTOO-W1") else {
            disconnect(worker, reason: "not a worker-protocol message: the first frame must be \(WorkerProtocol.tag)")
            return
        }
        let known = pool[worker] != nil
        if known { pool.heard(worker, now: now) }
        let command = frames[2]
        if command.equals("REPLY") {
            guard frames.count == 5, let token = frames[3].withUnsafeBytes(WorkerProtocol.token) else {
                logger.warning("malformed REPLY dropped", metadata: ["frames": "\(frames.count)"])
                return
            }
            // Only the worker the request was handed to may answer it.
            guard let request = inFlight[token], request.worker == worker else {
                if inFlight[token] != nil { strayReply(from: worker) }
                if !known { disconnect(worker, reason: "unknown worker: announce yourself with READY") }
                return
            }
            inFlight[token] = nil
            pool.completed(by: request.worker)
            counters.answered += 1
            changed = true
            send(toClient: request.route, payload: frames[4])
            if !known { disconnect(worker, reason: "unknown worker: announce yourself with READY") }
        } else if command.equals("HEARTBEAT") {
            if !known { disconnect(worker, reason: "unknown worker: announce yourself with READY") }
        } else if command.equals("READY") {
            ready(worker, frames: frames, now: now)
        } else if command.equals("CREDIT") {
            guard known else {
                disconnect(worker, reason: "unknown worker: announce yourself with READY")
                return
            }
            guard frames.count == 4,
                let body = try? WireCoding.decode(WorkerProtocol.Credit.self, from: frames[3].bytes),
                (0...100_000).contains(body.credit)
            else {
                disconnect(worker, reason: "CREDIT needs one frame {\"credit\": 0…100000}")
                return
            }
            pool.setCredit(worker, min(body.credit, configuration.maxWorkerCredit))
            changed = true
        } else if command.equals("DISCONNECT") {
            if known { lose(worker, reason: Self.disconnected) }
        } else {
            disconnect(worker, reason: "unknown command \(String(decoding: command.bytes, as: UTF8.self))")
        }
    }

    /// Notes a `REPLY` for a request held by another worker: dropped, and logged for the first
    /// few and then every thousandth, so a peer spraying replies cannot flood the log.
    func strayReply(from worker: RoutingId) {
        strayReplies += 1
        guard strayReplies <= 10 || strayReplies % 1000 == 0 else { return }
        logger.warning(
            "a REPLY for a request another worker holds was dropped",
            metadata: ["from": "\(pool[worker]?.instance ?? "an unannounced peer")", "dropped": "\(strayReplies)"])
    }

    func ready(_ worker: RoutingId, frames: [Message], now: ContinuousClock.Instant) {
        guard frames.count == 4, let body = try? WireCoding.decode(WorkerProtocol.Ready.self, from: frames[3].bytes),
            (0...100_000).contains(body.credit)
        else {
            disconnect(worker, reason: "READY needs one frame {\"service\", \"instance\", \"credit\": 0…100000}")
            return
        }
        guard body.service == broker.service else {
            logger.warning(
                "a worker of another service connected",
                metadata: ["worker": "\(body.instance)", "says": "\(body.service)"])
            disconnect(worker, reason: "this is the \(broker.service) port, not \(body.service)'s")
            return
        }
        // A worker announcing itself again has started over: what it held is lost.
        if pool[worker] != nil { lose(worker, reason: "it announced itself again") }
        pool.ready(
            routingId: worker, instance: body.instance, credit: min(body.credit, configuration.maxWorkerCredit),
            now: now)
        changed = true
        logger.info("worker ready", metadata: ["worker": "\(body.instance)", "credit": "\(body.credit)"])
    }

    /// Sends every worker a heartbeat and drops those silent for too long.
    func heartbeat(now: ContinuousClock.Instant) {
        for worker in pool.silent(since: now - configuration.workerTimeout) {
            lose(worker, reason: "no heartbeat for \(configuration.workerTimeout)")
        }
        for worker in pool.workers.keys {
            let outcome =
                (try? back.send(
                    messages: [
                        worker.frame, Message(WorkerProtocol.tag), Message(WorkerProtocol.Command.heartbeat.rawValue),
                    ], dontWait: true)) ?? .unroutable
            if outcome == .unroutable { lose(worker, reason: "its connection is gone") }
        }
        changed = true
    }

    /// Forgets a worker and answers what it held `UNKNOWN`: it may or may not have done the work,
    /// so the caller must not take it for `UNAVAILABLE` and retry blindly.
    func lose(_ worker: RoutingId, reason: String) {
        guard let lost = pool.remove(worker) else { return }
        changed = true
        let tokens = inFlight.filter { $0.value.worker == worker }.map(\.key)
        // A worker that said goodbye with nothing in hand is news, not trouble.
        let level: Logger.Level = tokens.isEmpty && reason == Self.disconnected ? .info : .warning
        logger.log(
            level: level, "worker gone",
            metadata: ["worker": "\(lost.instance)", "reason": "\(reason)", "inFlight": "\(tokens.count)"])
        for token in tokens.sorted() {
            guard let request = inFlight.removeValue(forKey: token) else { continue }
            counters.lostWithWorker += 1
            reply(
                route: request.route,
                json: Envelope.encodeError(
                    id: request.id,
                    RPCError(
                        .unknown, "worker lost (\(lost.instance): \(reason)); the outcome is unknown")))
        }
    }

    func disconnect(_ worker: RoutingId, reason: String) {
        _ = try? back.send(
            messages: [
                worker.frame, Message(WorkerProtocol.tag), Message(WorkerProtocol.Command.disconnect.rawValue),
                Message(reason),
            ], dontWait: true)
    }

    // MARK: Stopping and statistics

    /// Stops taking requests (queued ones get `UNAVAILABLE`: never started, safe to retry), waits
    /// up to `drainTimeout` for the replies of dispatched ones, and answers the rest `UNKNOWN`.
    func drain() throws {
        for request in queue {
            reply(
                route: request.route,
                json: Envelope.encodeError(id: request.id, RPCError(.unavailable, "the bus is stopping; retry")))
        }
        queue.removeAll()
        let deadline = ContinuousClock.now + configuration.drainTimeout
        var poller = Poller()
        poller.add(front)
        poller.add(back)
        while !inFlight.isEmpty, ContinuousClock.now < deadline {
            let ready = try poller.poll(timeoutMs: 50)
            if ready[1] {
                while let frames = try back.receiveMessages(dontWait: true) { handleWorker(frames, now: .now) }
            }
            if ready[0] {
                while let frames = try front.receiveMessages(dontWait: true) {
                    var route = frames
                    guard route.count >= 2 else { continue }
                    let payload = route.removeLast()
                    let id = (try? Self.readHead(payload, maxMessageBytes: configuration.maxMessageBytes).get())?.id
                    reply(
                        route: route,
                        json: Envelope.encodeError(id: id, RPCError(.unavailable, "the bus is stopping; retry")))
                }
            }
        }
        for worker in pool.workers.keys { lose(worker, reason: "the bus stopped") }
        publishIfChanged(force: true)
    }

    func publishIfChanged(force: Bool) {
        guard changed else { return }
        let now = ContinuousClock.now
        guard force || now - lastPublished >= Self.publishInterval else { return }
        lastPublished = now
        changed = false
        var snapshot = counters
        snapshot.queueDepth = queue.count
        snapshot.workers = pool.workers.values.map {
            ($0.instance, $0.credit, $0.inFlight, $0.lastHeard, $0.dispatched)
        }
        broker.statistics.publish(snapshot)
    }
}
