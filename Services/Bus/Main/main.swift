import ArgumentParser
import Foundation
import Logging
import OctooBus
import ServiceKit
import ServiceLifecycle
import Transport
import ZeroMQ

/// `octoo-bus`: binds PROTOCOL §1's ports and forwards with libzmq's proxies until SIGTERM/SIGINT.
@main
struct OctooBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoo-bus",
        abstract: "The Octoo bus: libzmq proxies for every service's RPC ports and for events.")

    @OptionGroup var bus: BusOptions
    @Option(help: "Address to bind (env OCTOO_BUS_BIND; default * = every interface).")
    var bind: String?
    @Option(help: "Log level (env OCTOO_LOG_LEVEL; default info).")
    var logLevel: String?

    func run() async throws {
        let environment = Environment()
        let levelText = logLevel ?? environment.string("OCTOO_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("log level \(levelText) is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LoggingSetup.bootstrap(level: level)
        let logger = Logger(label: "octoo.bus")
        let bus = Bus(
            context: try ZeroMQ.Context(ioThreads: 2), endpoints: try self.bus.endpoints(environment),
            bindHost: bind ?? environment.string("OCTOO_BUS_BIND") ?? "*", logger: logger)
        try bus.start()
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: BusService(bus: bus))], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let watch = SupervisorWatch.watch(logger: logger) { await group.triggerGracefulShutdown() }
        defer { watch?.cancel() }
        try await group.run()
    }
}

/// Keeps the bus up until graceful shutdown, then stops its proxies.
struct BusService: Service {
    let bus: Bus
    func run() async throws {
        try? await gracefulShutdown()
        bus.stop()
    }
}
