import Foundation
import Logging
import ZeroMQ

/// What every service executable's `main` does: read options, set up logging, run until
/// SIGTERM/SIGINT, and exit 0 after a graceful shutdown.
public enum ServiceRunner {
    /// Runs a bus worker.
    public static func run(_ definition: ServiceDefinition, options: ServiceOptions) async throws {
        let configuration = try options.configuration(service: definition.name)
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let application = try ServiceApplication(
            definition: definition, configuration: configuration,
            context: try ZeroMQ.Context(curveClient: configuration.curve))
        application.environment.logger.info(
            "starting",
            metadata: [
                "instance": "\(configuration.instance)", "database": "\(configuration.databasePath)",
                "worker": "\(configuration.endpoints.worker(definition.name))",
                "manualClock": "\(configuration.manualClock)", "curve": "\(configuration.curve == nil ? "off" : "on")",
            ])
        try await application.run(handleSignals: true)
    }

    /// Runs a client-only process.
    public static func run(_ definition: ClientDefinition, options: ServiceOptions) async throws {
        let configuration = try options.configuration(service: definition.name)
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let application = try ClientApplication(
            definition: definition, configuration: configuration,
            context: try ZeroMQ.Context(curveClient: configuration.curve))
        application.environment.logger.info(
            "starting",
            metadata: [
                "instance": "\(configuration.instance)", "database": "\(configuration.databasePath)",
                "manualClock": "\(configuration.manualClock)", "curve": "\(configuration.curve == nil ? "off" : "on")",
            ])
        try await application.run(handleSignals: true)
    }
}
