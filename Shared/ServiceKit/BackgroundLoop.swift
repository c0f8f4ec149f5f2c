import ServiceLifecycle

/// Runs a background loop as a `Service`'s `run()` (swift-service-lifecycle's guide for
/// libraries): a graceful shutdown cancels the loop and `run()` returns; cancelling the task
/// cancels it too, and the `CancellationError` goes on to the caller. The loop sleeps with
/// `try await` (never `try?`), so either ends it at once instead of starting another turn.
public func runUntilShutdown(_ loop: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(loop)
    } catch is CancellationError where Task.isShuttingDownGracefully && !Task.isCancelled {
        // Cancelled by the graceful shutdown: the loop's normal end.
    }
}
