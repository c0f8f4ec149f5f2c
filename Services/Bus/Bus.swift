import Contracts
import Foundation
import Logging
import Synchronization
import Transport
import Wire
import ZeroMQ

/// The bus of PROTOCOL §1: one broker per service (clients' ROUTER in front, workers' ROUTER
/// behind, each on its own thread) and libzmq's XSUB/XPUB proxy for events.
public final class Bus: Sendable {
    let context: ZeroMQ.Context
    let endpoints: BusEndpoints
    let bindHost: String
    let configuration: BrokerConfiguration
    /// CURVE on every socket and the ZAP handler's allow-list; nil: no security (loopback).
    let security: BusSecurity?
    /// The keys in force and their roles, with CURVE on.
    let keyBook: KeyBook?
    let logger: Logger
    let instance: String
    /// The services it brokers, in port order.
    let services: [String]
    let startedAt = ContinuousClock.now
    let brokers = Mutex<[ServiceBroker]>([])
    let events = Mutex<EventsDevice?>(nil)
    let zap = Mutex<ZAPHandler?>(nil)
    let failureHandler = Mutex<(@Sendable (String) -> Void)?>(nil)

    /// libzmq's proxy for events, stopped through its control socket.
    struct EventsDevice: Sendable {
        let control: String
        let finished: DispatchSemaphore
    }

    /// - Parameters:
    ///   - bindHost: the address to bind (`127.0.0.1` unless told otherwise).
    ///   - security: makes every socket a CURVE server admitting only the listed client keys.
    public init(
        context: ZeroMQ.Context, endpoints: BusEndpoints, bindHost: String = "127.0.0.1",
        configuration: BrokerConfiguration = BrokerConfiguration(), security: BusSecurity? = nil,
        instance: String? = nil,
        services: [String] = BusEndpoints.services, logger: Logger = Logger(label: "octoo.bus")
    ) {
        self.services = services
        self.context = context
        self.endpoints = endpoints
        self.bindHost = bindHost
        self.configuration = configuration
        self.security = security
        keyBook = security.map { KeyBook($0.authorizedKeys) }
        self.instance =
            instance ?? "bus-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        self.logger = logger
    }

    /// Called (once) when a broker or the events proxy ends on an error: the process should
    /// exit so that its supervisor restarts it.
    public func onFailure(_ handler: @escaping @Sendable (String) -> Void) {
        failureHandler.withLock { $0 = handler }
    }

    /// Binds every port and starts the brokers and the events proxy; throws (with nothing left
    /// running) if a bind fails.
    public func start() throws {
        do {
            // Before any CURVE socket binds: without a handler, libzmq would admit every key.
            if let security {
                let handler = try ZAPHandler(
                    context: context, keys: keyBook ?? KeyBook(security.authorizedKeys), logger: logger)
                try handler.start { [weak self] error in self?.failed("ZAP handler: \(error)") }
                zap.withLock { $0 = handler }
            }
            for service in services {
                let broker = try ServiceBroker(
                    service: service, context: context,
                    frontEndpoint: endpoints.bindClient(service, host: bindHost),
                    backEndpoint: endpoints.bindWorker(service, host: bindHost),
                    configuration: configuration, security: security, keys: keyBook, logger: logger
                ) { [weak self] method, id in self?.answer(method, id: id) }
                try broker.start { [weak self] error in self?.failed("\(service) broker: \(error)") }
                brokers.withLock { $0.append(broker) }
            }
            try startEvents()
        } catch {
            stop()
            throw error
        }
        logger.info(
            "bus ready",
            metadata: [
                "bind": "\(bindHost)", "services": "\(services.joined(separator: ","))",
                "curve": "\(security.map { "on, \($0.authorizedKeys.count) keys" } ?? "off")",
                "heartbeatMs": "\(configuration.heartbeatInterval / .milliseconds(1))",
            ])
    }

    /// Replaces the client keys accepted from now on (SIGHUP); false when CURVE is off.
    /// Connections already made stay: ZAP vets a peer when it connects.
    @discardableResult
    public func reloadAuthorizedKeys(_ keys: AuthorizedKeys) -> Bool {
        guard let handler = zap.withLock({ $0 }) else { return false }
        handler.replace(keys)
        logger.info("authorized keys reloaded", metadata: ["keys": "\(keys.count)"])
        return true
    }

    private func failed(_ what: String) {
        let handler = failureHandler.withLock { handler in
            defer { handler = nil }
            return handler
        }
        handler?(what)
    }

    /// Per service, the workers, queue and counters (`bus.Status`).
    public func status() -> BusStatusResponse {
        let now = ContinuousClock.now
        let services = brokers.withLock { $0.map { $0.statistics.status(now: now) } }
        return BusStatusResponse(
            instance: instance, uptimeSeconds: (now - startedAt).components.seconds, services: services)
    }

    /// Answers a `bus.*` method; nil for one the bus does not have.
    private func answer(_ method: String, id: String?) -> [UInt8]? {
        guard method == BusMethods.status.name else { return nil }
        do {
            return try Envelope.encodeReply(id: id, status: .ok, body: status())
        } catch {
            return Envelope.encodeError(id: id, RPCError(.internal, "bus status could not be encoded"))
        }
    }

    private func startEvents() throws {
        let finished = DispatchSemaphore(value: 0)
        let control = "inproc://octoo-bus-events-control-\(UInt64.random(in: 0...UInt64.max))"
        let front = endpoints.bindEventsPublish(host: bindHost)
        let back = endpoints.bindEventsSubscribe(host: bindHost)
        let limit = configuration.socketMessageLimit
        let highWaterMark = configuration.highWaterMark * 10
        try BoundThread.start(
            name: "octoo-bus-events", finished: finished,
            setup: { [context, security] in
                let publishers = try Socket(context: context, type: .xsub)
                let subscribers = try Socket(context: context, type: .xpub)
                let controlSocket = try Socket(context: context, type: .pair)
                for socket in [publishers, subscribers] {
                    try socket.setLinger(ms: 0)
                    try socket.setMaxMessageSize(limit)
                    try socket.setSendHighWaterMark(highWaterMark)
                    try socket.setReceiveHighWaterMark(highWaterMark)
                }
                try security?.apply(to: publishers, domain: .publish)
                try security?.apply(to: subscribers, domain: .subscribe)
                try publishers.bind(front)
                try subscribers.bind(back)
                try controlSocket.bind(control)
                return (publishers, subscribers, controlSocket)
            },
            run: { [logger, keyBook, weak self] sockets in
                do {
                    if let keyBook {
                        var relay = CheckedEventRelay(
                            publishers: sockets.0, subscribers: sockets.1, control: sockets.2, keys: keyBook,
                            logger: logger)
                        try relay.run()
                    } else {
                        try Proxy.run(frontend: sockets.0, backend: sockets.1, control: sockets.2)
                    }
                } catch {
                    logger.critical("events proxy failed", metadata: ["error": "\(error)"])
                    self?.failed("events proxy: \(error)")
                }
                for socket in [sockets.0, sockets.1, sockets.2] { socket.close(lingerMs: 0) }
            })
        events.withLock { $0 = EventsDevice(control: control, finished: finished) }
    }

    /// Stops the brokers (answering what they hold) and the events proxy. Never blocks for long:
    /// a part that does not stop within its grace is abandoned, and the process exits anyway.
    public func stop() {
        let running = brokers.withLock { brokers in
            defer { brokers.removeAll() }
            return brokers
        }
        failureHandler.withLock { $0 = nil }
        for broker in running {
            broker.stopRequested.store(true, ordering: .releasing)
            broker.wakeup.signal()
        }
        for broker in running where !broker.stop(timeout: configuration.drainTimeout + .seconds(1)) {
            logger.error("a broker did not stop in time; abandoning it", metadata: ["service": "\(broker.service)"])
        }
        if let device = events.withLock({ $0.take() }) {
            do {
                let control = try Socket(context: context, type: .pair)
                try control.setSendTimeout(ms: 500)
                try control.connect(device.control)
                try control.send([Proxy.terminateCommand])
                control.close(lingerMs: 500)
            } catch {
                logger.error("could not stop the events proxy", metadata: ["error": "\(error)"])
            }
            if device.finished.wait(timeout: .now() + 2) != .success {
                logger.error("the events proxy did not stop in time; abandoning it")
            }
        }
        // Last, once the CURVE sockets are closed: no peer may connect unvetted meanwhile.
        if let handler = zap.withLock({ $0.take() }), !handler.stop() {
            logger.error("the ZAP handler did not stop in time; abandoning it")
        }
        if !running.isEmpty { logger.info("bus stopped") }
    }
}
