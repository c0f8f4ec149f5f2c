import Foundation
import Logging
import Synchronization
import Transport
import ZeroMQ

/// The bus's ZAP handler (RFC 27): a REP socket at `inproc://zeromq.zap.01` on the bus's context,
/// on its own thread, which libzmq asks about every peer completing a CURVE handshake.
///
/// It must run before any CURVE socket binds and stop after they close: libzmq lets a peer in
/// unchecked when no handler is bound. Idle, its thread waits in `zmq_poll` and costs nothing.
final class ZAPHandler: Sendable {
    /// Where libzmq looks for the handler, on each context.
    static let endpoint = "inproc://zeromq.zap.01"

    let context: ZeroMQ.Context
    let logger: Logger
    let keys: KeyBook
    private let refusals = Mutex(RefusalLog())
    let wakeup: WakeupSignal
    let stopRequested = Atomic<Bool>(false)
    let finished = DispatchSemaphore(value: 0)

    init(context: ZeroMQ.Context, keys: KeyBook, logger: Logger) throws {
        self.context = context
        self.keys = keys
        self.logger = logger
        self.wakeup = try WakeupSignal()
    }

    /// Binds the handler's socket and starts its thread; throws (nothing left running) if the
    /// bind fails. `onExit` is called if the loop ends on an error.
    func start(onExit: @escaping @Sendable (any Error) -> Void) throws {
        try BoundThread.start(
            name: "octoo-bus-zap", finished: finished,
            setup: { [context] in
                let socket = try Socket(context: context, type: .rep)
                try socket.setLinger(ms: 0)
                try socket.bind(Self.endpoint)
                return socket
            },
            run: { [self] socket in
                do {
                    try loop(socket)
                } catch {
                    logger.critical("ZAP handler failed; the bus stops", metadata: ["error": "\(error)"])
                    onExit(error)
                    // Fails closed: libzmq admits any key when no handler is bound, so the socket
                    // stays bound, unanswered (no handshake completes), until the bus has stopped.
                    awaitStop()
                }
                socket.close(lingerMs: 0)
            })
    }

    /// Replaces the accepted keys (SIGHUP). Peers already connected keep their connection.
    func replace(_ keys: AuthorizedKeys) {
        self.keys.replace(keys)
    }

    /// Stops the thread; waits at most `timeout` seconds for it to end.
    @discardableResult
    func stop(timeout: Double = 2) -> Bool {
        stopRequested.store(true, ordering: .releasing)
        wakeup.signal()
        return finished.wait(timeout: .now() + timeout) == .success
    }

    /// Waits, idle, until `stop()` is called.
    private func awaitStop() {
        var poller = Poller()
        poller.add(fileDescriptor: wakeup.fileDescriptor)
        while !stopRequested.load(ordering: .acquiring) {
            if (try? poller.poll(timeoutMs: 1000)) == nil { Thread.sleep(forTimeInterval: 0.1) }
            wakeup.clear()
        }
    }

    private func loop(_ socket: Socket) throws {
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: wakeup.fileDescriptor)
        while !stopRequested.load(ordering: .acquiring) {
            let ready = try poller.poll(timeoutMs: -1)
            if ready[1] { wakeup.clear() }
            // REP alternates strictly: each request read here is answered before the next is read.
            while !stopRequested.load(ordering: .acquiring), let request = try socket.receive(dontWait: true) {
                let (reply, verdict) = ZAPAuthenticator.answer(request, keys: keys.current)
                try socket.send(reply)
                report(verdict, address: request.count > 3 ? String(decoding: request[3], as: UTF8.self) : "")
            }
        }
    }

    private func report(_ verdict: ZAPAuthenticator.Verdict, address: String) {
        let refused: (what: String, message: Logger.Message)
        switch verdict {
        case .allowed(let name):
            logger.debug("CURVE peer accepted", metadata: ["peer": "\(name)", "address": "\(address)"])
            return
        case .unlisted(let key): refused = (key, "refused a CURVE key that authorized_keys does not list")
        case .notPermitted(let name, let domain):
            refused = ("\(name) on \(domain)", "refused a key whose roles do not allow this socket")
        case .wrongMechanism(let mechanism): refused = ("mechanism \(mechanism)", "refused a peer not using CURVE")
        case .malformed(let why): refused = ("malformed: \(why)", "refused a malformed ZAP request")
        }
        switch refusals.withLock({ $0.note(refused.what) }) {
        case .log:
            logger.info(
                refused.message,
                metadata: ["refused": "\(refused.what)", "address": "\(address)", "loggedOnce": "true"])
        case .logLimitReached:
            logger.info("more peers were refused; further refusals are no longer logged")
        case .none:
            break
        }
    }
}
