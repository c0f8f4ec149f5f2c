import ArgumentParser
import Foundation
import Logging
import OctooBus
import ServiceKit
import ServiceLifecycle
import Synchronization
import Transport
import ZeroMQ

/// `octoo-bus`: one broker per service and the events proxy, until SIGTERM/SIGINT.
@main
struct OctooBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoo-bus",
        abstract: "The Octoo bus: a load-balancing broker per service (credit, heartbeats) and the events proxy.")

    @OptionGroup var bus: BusOptions
    @Option(help: "Address to bind (env OCTOO_BUS_BIND; default 127.0.0.1). Anything else is reachable by others.")
    var bind: String?
    @Option(help: "Log level (env OCTOO_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(help: "Heartbeat interval with workers in ms (env OCTOO_HEARTBEAT_MS; default 1000).")
    var heartbeatMs: Int?
    @Option(help: "Requests that may wait per service for a worker (env OCTOO_BUS_QUEUE_LIMIT; default 1000).")
    var queueLimit: Int?
    @Option(
        help:
            "How long a request without deadlineMs may wait for a worker, in ms (env OCTOO_BUS_MAX_QUEUE_WAIT_MS; default 60000)."
    )
    var maxQueueWaitMs: Int?
    @Option(help: "Largest request payload in bytes (env OCTOO_MAX_MESSAGE_BYTES; default 1048576).")
    var maxMessageBytes: Int?
    @Option(
        help:
            "The most credit one worker is given, whatever it announces (env OCTOO_BUS_MAX_WORKER_CREDIT; default 256)."
    )
    var maxWorkerCredit: Int?
    @OptionGroup var curve: CurveServerOptions

    func run() async throws {
        let environment = Environment()
        let levelText = logLevel ?? environment.string("OCTOO_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError(
                "log level \(levelText) is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let brokerConfiguration = try brokerConfiguration(environment)
        let security = try curve.security(environment)
        LoggingSetup.bootstrap(level: level)
        let logger = Logger(label: "octoo.bus")
        let bindHost = bind ?? environment.string("OCTOO_BUS_BIND") ?? "127.0.0.1"
        if security == nil, !["127.0.0.1", "localhost", "::1"].contains(bindHost) {
            logger.warning(
                "binding a non-loopback address with CURVE off: anyone who can reach it can call every service",
                metadata: ["bind": "\(bindHost)"])
        }
        let bus = Bus(
            context: try ZeroMQ.Context(ioThreads: 2), endpoints: try self.bus.endpoints(environment),
            bindHost: bindHost, configuration: brokerConfiguration, security: security, logger: logger)
        let failure = Mutex<String?>(nil)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: BusService(bus: bus))], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        // A broker that dies takes the process with it, so that whoever supervises it restarts it.
        bus.onFailure { what in
            failure.withLock { $0 = what }
            Task { await group.triggerGracefulShutdown() }
        }
        try bus.start()
        let reload = AuthorizedKeysReload.watch(
            bus: bus, path: security == nil ? nil : curve.authorizedKeysPath(environment), logger: logger)
        defer { reload.cancel() }
        let watch = SupervisorWatch.watch(logger: logger) { await group.triggerGracefulShutdown() }
        defer { watch?.cancel() }
        try await group.run()
        if let what = failure.withLock({ $0 }) {
            logger.critical("bus stopped because a part of it failed", metadata: ["part": "\(what)"])
            throw ExitCode(1)
        }
    }

    func brokerConfiguration(_ environment: Environment) throws -> BrokerConfiguration {
        var configuration = BrokerConfiguration()
        configuration.heartbeatInterval = .milliseconds(try ServiceOptions.heartbeatMs(heartbeatMs, environment))
        if let queueLimit, !(1...1_000_000).contains(queueLimit) {
            throw ValidationError("--queue-limit must be from 1 to 1000000")
        }
        configuration.queueLimit =
            try queueLimit ?? environment.integer("OCTOO_BUS_QUEUE_LIMIT", in: 1...1_000_000) ?? 1000
        if let maxQueueWaitMs, !(1...3_600_000).contains(maxQueueWaitMs) {
            throw ValidationError("--max-queue-wait-ms must be from 1 to 3600000")
        }
        let waitMs =
            try maxQueueWaitMs ?? environment.integer("OCTOO_BUS_MAX_QUEUE_WAIT_MS", in: 1...3_600_000) ?? 60_000
        configuration.maxQueueWait = .milliseconds(waitMs)
        if let maxMessageBytes, !(64...(256 << 20)).contains(maxMessageBytes) {
            throw ValidationError("--max-message-bytes must be from 64 to \(256 << 20)")
        }
        configuration.maxMessageBytes =
            try maxMessageBytes
            ?? environment.integer("OCTOO_MAX_MESSAGE_BYTES", in: 64...(256 << 20)) ?? configuration.maxMessageBytes
        if let maxWorkerCredit, !(1...100_000).contains(maxWorkerCredit) {
            throw ValidationError("--max-worker-credit must be from 1 to 100000")
        }
        configuration.maxWorkerCredit =
            try maxWorkerCredit ?? environment.integer("OCTOO_BUS_MAX_WORKER_CREDIT", in: 1...100_000)
            ?? configuration.maxWorkerCredit
        return configuration
    }
}

/// Keeps the bus up until graceful shutdown, then stops its brokers.
struct BusService: Service {
    let bus: Bus
    func run() async throws {
        try? await gracefulShutdown()
        bus.stop()
    }
}
