import Logging
import ServiceLifecycle
import Synchronization

/// Runs a process's services as one `ServiceGroup`: they start in order and stop in reverse on
/// graceful shutdown (from `shutdown()`, task cancellation, a vanished supervisor or, when asked,
/// SIGTERM/SIGINT); then the bus clients and the database close.
final class ProcessLifecycle: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    /// Runs `services` until a graceful shutdown has stopped every one of them.
    func run(_ services: [any Service], environment: ServiceEnvironment, handleSignals: Bool) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, logger: environment.logger)
        if handleSignals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        let group = ServiceGroup(configuration: configuration)
        self.group.withLock { $0 = group }
        defer { environment.closeClients() }
        let watch = SupervisorWatch.watch(logger: environment.logger) { await group.triggerGracefulShutdown() }
        defer { watch?.cancel() }
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
        // A clean stop folds the WAL into the database file, so the file alone holds every commit.
        do {
            try await environment.database.close()
        } catch {
            environment.logger.warning("database did not close cleanly", metadata: ["error": "\(error)"])
        }
        environment.logger.info("stopped")
    }

    /// Starts a graceful shutdown; `run` returns when it is complete.
    func shutdown() async {
        let group = self.group.withLock { $0 }
        await group?.triggerGracefulShutdown()
    }
}
