import Foundation
import Logging
import Synchronization
import Transport
import ZeroMQ

/// The bus of PROTOCOL §1: one libzmq `zmq_proxy_steerable` device per service (ROUTER for
/// clients, DEALER for workers) and one for events (XSUB for publishers, XPUB for subscribers).
/// Nothing is forwarded by hand-written code.
public final class Bus: Sendable {
    /// Largest message the bus forwards at all; the services enforce the protocol's own limit
    /// with a proper reply, this only keeps a runaway peer from exhausting memory.
    public static let hardMessageLimit: Int64 = 64 << 20

    let context: ZeroMQ.Context
    let endpoints: BusEndpoints
    let bindHost: String
    let logger: Logger
    let controlPrefix = "inproc://octoo-bus-control-\(UInt64.random(in: 0...UInt64.max))"
    let devices = Mutex<[Device]>([])

    struct Device: Sendable {
        let name: String
        let finished: DispatchSemaphore
    }

    public init(context: ZeroMQ.Context, endpoints: BusEndpoints, bindHost: String = "*", logger: Logger = Logger(label: "octoo.bus")) {
        self.context = context
        self.endpoints = endpoints
        self.bindHost = bindHost
        self.logger = logger
    }

    /// Binds every port and starts the proxies; throws (with nothing left running) if a bind fails.
    public func start() throws {
        var plans: [(name: String, front: (SocketType, String), back: (SocketType, String))] = []
        for service in BusEndpoints.services {
            plans.append((service, (.router, endpoints.bindClient(service, host: bindHost)), (.dealer, endpoints.bindWorker(service, host: bindHost))))
        }
        plans.append(("events", (.xsub, endpoints.bindEventsPublish(host: bindHost)), (.xpub, endpoints.bindEventsSubscribe(host: bindHost))))
        do {
            for plan in plans {
                try startDevice(name: plan.name, front: plan.front, back: plan.back)
            }
        } catch {
            stop()
            throw error
        }
        logger.info("bus ready", metadata: ["devices": "\(plans.map(\.name).joined(separator: ","))"])
    }

    private func startDevice(name: String, front: (SocketType, String), back: (SocketType, String)) throws {
        let bound = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let bindError = Mutex<(any Error)?>(nil)
        let control = "\(controlPrefix)-\(name)"
        let thread = Thread { [context, logger] in
            defer { finished.signal() }
            let sockets: (Socket, Socket, Socket)
            do {
                let frontend = try Socket(context: context, type: front.0)
                let backend = try Socket(context: context, type: back.0)
                let controlSocket = try Socket(context: context, type: .pair)
                for socket in [frontend, backend] {
                    try socket.setLinger(ms: 0)
                    try socket.setMaxMessageSize(Bus.hardMessageLimit)
                    try socket.setSendHighWaterMark(100_000)
                    try socket.setReceiveHighWaterMark(100_000)
                }
                try frontend.bind(front.1)
                try backend.bind(back.1)
                try controlSocket.bind(control)
                sockets = (frontend, backend, controlSocket)
            } catch {
                bindError.withLock { $0 = error }
                bound.signal()
                return
            }
            bound.signal()
            do {
                try Proxy.run(frontend: sockets.0, backend: sockets.1, control: sockets.2)
            } catch {
                logger.error("proxy stopped on an error", metadata: ["device": "\(name)", "error": "\(error)"])
            }
            sockets.0.close(lingerMs: 0)
            sockets.1.close(lingerMs: 0)
            sockets.2.close(lingerMs: 0)
        }
        thread.name = "octoo-bus-\(name)"
        thread.start()
        bound.wait()
        if let error = bindError.withLock({ $0 }) {
            finished.wait()
            throw error
        }
        devices.withLock { $0.append(Device(name: name, finished: finished)) }
        logger.debug("device up", metadata: ["device": "\(name)", "front": "\(front.1)", "back": "\(back.1)"])
    }

    /// Stops every proxy and waits for their threads.
    public func stop() {
        let running = devices.withLock { devices in
            defer { devices.removeAll() }
            return devices
        }
        for device in running {
            do {
                let control = try Socket(context: context, type: .pair)
                try control.connect("\(controlPrefix)-\(device.name)")
                try control.send([Proxy.terminateCommand])
                control.close(lingerMs: 1000)
            } catch {
                logger.error("could not stop a proxy", metadata: ["device": "\(device.name)", "error": "\(error)"])
            }
            device.finished.wait()
        }
        if !running.isEmpty { logger.info("bus stopped") }
    }
}
