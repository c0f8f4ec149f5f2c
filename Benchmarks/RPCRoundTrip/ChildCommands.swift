import ArgumentParser
import CZeroMQ
import Foundation
import Logging
import OctooBus
import ServiceKit
import Transport
import Wire
import ZeroMQ

/// Options every child process takes: it exits as soon as the `run` process that started it is gone,
/// so a crashed or killed benchmark never leaves workers behind.
struct ChildOptions: ParsableArguments {
    @Option(help: "Exit when this process is no longer the parent (set by `run`).")
    var parentPid: Int32?

    @Option(help: "libzmq I/O threads of this process's context.")
    var ioThreads: Int32 = 1

    func watchParent() {
        guard let parentPid else { return }
        let thread = Thread {
            while true {
                if getppid() != parentPid { _exit(0) }
                usleep(200_000)
            }
        }
        thread.name = "octoo-bench-watchdog"
        thread.start()
    }
}

/// `octoo-bench proxy`: a bare ROUTER (clients) / DEALER (workers) libzmq proxy, set up like one
/// device of `octoo-bus` and nothing else.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy", abstract: "A bare libzmq ROUTER/DEALER proxy (one device of the bus).")

    @Option(help: "Port clients connect to (ROUTER).") var front: Int
    @Option(help: "Port workers connect to (DEALER).") var back: Int
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @OptionGroup var child: ChildOptions

    func run() throws {
        child.watchParent()
        let context = try ZeroMQ.Context(ioThreads: child.ioThreads)
        let frontend = try Socket(context: context, type: .router)
        let backend = try Socket(context: context, type: .dealer)
        let control = try Socket(context: context, type: .pair)
        // The same options as `Bus.startDevice`.
        for socket in [frontend, backend] {
            try socket.setLinger(ms: 0)
            try socket.setMaxMessageSize(64 << 20)
            try socket.setSendHighWaterMark(100_000)
            try socket.setReceiveHighWaterMark(100_000)
        }
        try frontend.bind("tcp://\(host):\(front)")
        try backend.bind("tcp://\(host):\(back)")
        try control.bind("inproc://octoo-bench-proxy-control")
        try Proxy.run(frontend: frontend, backend: backend, control: control)
    }
}

/// `octoo-bench raw-echo`: a bare DEALER worker that sends every message back unchanged, envelope
/// and payload, moving libzmq's own message objects (no copy, no JSON): the floor of a worker.
struct RawEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-echo", abstract: "A bare libzmq DEALER worker echoing every message unchanged.")

    @Option(help: "The proxy's worker port.") var back: Int
    @Option(help: "Proxy host.") var host = "127.0.0.1"
    @OptionGroup var child: ChildOptions

    func run() throws {
        child.watchParent()
        let context = try ZeroMQ.Context(ioThreads: child.ioThreads)
        let socket = try Socket(context: context, type: .dealer)
        try socket.setLinger(ms: 0)
        try socket.setSendHighWaterMark(10_000)
        try socket.setReceiveHighWaterMark(10_000)
        try socket.connect("tcp://\(host):\(back)")
        guard let handle = socket.handle else { throw ValidationError("socket is closed") }
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { message.deallocate() }
        zmq_msg_init(message)
        defer { zmq_msg_close(message) }
        while true {
            if zmq_msg_recv(message, handle, 0) < 0 {
                if zmq_errno() == EINTR { continue }
                throw ZMQError.last("zmq_msg_recv")
            }
            let flags: Int32 = zmq_msg_more(message) != 0 ? ZMQ_SNDMORE : 0
            // On success libzmq takes the content and leaves `message` empty, ready for the next receive.
            while zmq_msg_send(message, handle, flags) < 0 {
                if zmq_errno() == EINTR { continue }
                throw ZMQError.last("zmq_msg_send")
            }
        }
    }
}

/// `octoo-bench service-echo`: a real `RPCServer` + `RPCRouter` answering `bench.Echo`, with the
/// production envelope decoding, actor check, deadline tracking, body decoding and reply encoding.
struct ServiceEchoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-echo", abstract: "An RPCServer answering bench.Echo through RPCRouter.")

    @Option(help: "The proxy's worker port.") var back: Int
    @Option(help: "Proxy host.") var host = "127.0.0.1"
    @Option(help: "RPCServerConfiguration.maxInFlight.") var maxInFlight = 64
    @Option(help: "Log level (the services run at info).") var logLevel = "info"
    @OptionGroup var child: ChildOptions

    func run() async throws {
        child.watchParent()
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \(logLevel)")
        }
        LoggingSetup.bootstrap(level: level)
        let logger = Logger(label: "octoo.bench.service-echo")
        var router = RPCRouter(service: BenchContract.service)
        router.register(BenchContract.echo) { request, _ in request }
        let server = try RPCServer(
            context: try ZeroMQ.Context(ioThreads: child.ioThreads),
            configuration: RPCServerConfiguration(endpoint: "tcp://\(host):\(back)", maxInFlight: maxInFlight),
            router: router, logger: logger)
        try await server.run()
    }
}

/// `octoo-bench broker`: the bus's own broker (`OctooBus.Bus`) for two services, `bench` (the
/// RPCServer) and `benchraw` (the bare worker), plus its events proxy: the code `octoo-bus` runs.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "The Octoo broker (as in octoo-bus) for the bench and benchraw services.")

    @Option(help: "bench: clients' port.") var front: Int
    @Option(help: "bench: workers' port.") var back: Int
    @Option(help: "benchraw: clients' port.") var rawFront: Int
    @Option(help: "benchraw: workers' port.") var rawBack: Int
    @Option(help: "Events: publishers' and subscribers' ports, comma-separated.") var events: String
    @Option(help: "Heartbeat interval in milliseconds (default: the bus's).") var heartbeatMs: Int?
    @OptionGroup var child: ChildOptions

    func run() async throws {
        child.watchParent()
        LoggingSetup.bootstrap(level: .warning)
        let eventPorts = events.split(separator: ",").compactMap { Int($0) }
        guard eventPorts.count == 2 else { throw ValidationError("--events needs two ports") }
        let endpoints = BusEndpoints(
            kind: .tcp(host: "127.0.0.1"), eventsPublishPort: eventPorts[0], eventsSubscribePort: eventPorts[1],
            rpc: [
                BenchContract.service: .init(client: front, worker: back),
                BenchContract.rawService: .init(client: rawFront, worker: rawBack),
            ])
        var configuration = BrokerConfiguration()
        if let heartbeatMs { configuration.heartbeatInterval = .milliseconds(heartbeatMs) }
        let bus = Bus(
            context: try ZeroMQ.Context(ioThreads: child.ioThreads), endpoints: endpoints, configuration: configuration,
            services: [BenchContract.service, BenchContract.rawService], logger: Logger(label: "octoo.bench.broker"))
        try bus.start()
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// `octoo-bench broker-echo`: a bare worker of the worker protocol: `READY`, then every `REQUEST`
/// answered with its own payload, moving libzmq's message objects (no copy, no JSON): the floor
/// of a worker behind the broker, as `raw-echo` is behind `zmq_proxy`.
struct BrokerEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker-echo", abstract: "A bare worker-protocol worker echoing every request's payload.")

    @Option(help: "The broker's worker port.") var back: Int
    @Option(help: "Broker host.") var host = "127.0.0.1"
    @Option(help: "Credit announced.") var credit = 64
    @Flag(help: "Answer no request, only heartbeats: a worker that holds every call it takes.") var hold = false
    @OptionGroup var child: ChildOptions

    func run() throws {
        child.watchParent()
        let context = try ZeroMQ.Context(ioThreads: child.ioThreads)
        let socket = try Socket(context: context, type: .dealer)
        try socket.setLinger(ms: 0)
        try socket.setSendHighWaterMark(10_000)
        try socket.setReceiveHighWaterMark(10_000)
        try socket.connect("tcp://\(host):\(back)")
        let ready = WorkerProtocol.Ready(service: BenchContract.rawService, instance: "broker-echo", credit: credit)
        try socket.send([Array(WorkerProtocol.tag.utf8), Array("READY".utf8), try WireCoding.encode(ready)])
        while true {
            guard let frames = try socket.receiveMessages() else { continue }
            guard frames.count >= 2 else { continue }
            if frames[1].equals("REQUEST"), frames.count == 5, !hold {
                // [tag, REQUEST, token, budget, payload] → [tag, REPLY, token, payload]
                try socket.send(messages: [frames[0], Message("REPLY"), frames[2], frames[4]])
            } else if frames[1].equals("HEARTBEAT") {
                try socket.send(messages: [Message(WorkerProtocol.tag), Message("HEARTBEAT")])
            } else if frames[1].equals("DISCONNECT") {
                try socket.send([Array(WorkerProtocol.tag.utf8), Array("READY".utf8), try WireCoding.encode(ready)])
            }
        }
    }
}
