import Foundation
import Logging
import ServiceLifecycle
import Transport
import Wire

/// Announces a worker's credit to the bus only while it can answer from up-to-date data: once
/// every source it consumes has caught up, and again after a source that failed or lost data
/// has recovered. A brief catch-up after a gap does not withdraw it (that would make replicas
/// flap); a failing or lost source does.
struct Readiness: Service {
    let subscriber: EventSubscriber
    let server: RPCServer
    let logger: Logger
    let interval: Duration

    /// Whether sources in these states allow serving, given whether the worker serves already.
    static func canServe(_ states: [EventSourceState], serving: Bool) -> Bool {
        if states.contains(where: { $0 == .failing || $0 == .dataLoss }) { return false }
        return serving || states.allSatisfy { $0 == .current }
    }

    /// Watches the subscriber until shut down or cancelled.
    func run() async throws {
        try await runUntilShutdown {
            var serving = false
            while true {
                let ready = Self.canServe(subscriber.status().map(\.state), serving: serving)
                if ready != serving {
                    serving = ready
                    server.setReady(ready)
                    logger.info(ready ? "caught up: taking requests" : "a source failed: taking no requests")
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
