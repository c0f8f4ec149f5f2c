import Foundation
import Logging
import ServiceLifecycle
@_spi(RawDatabase) import Store
import Synchronization
import Wire
import ZeroMQ

/// Publishes a service's outbox to the bus after each commit: a PUB socket connected to the bus's
/// XSUB port, owned by one thread that the outbox wakes. PUB/SUB is only the fast path: anything
/// lost here is recovered by subscribers through `ReadEvents`.
public final class OutboxRelay: Service {
    let context: ZeroMQ.Context
    let endpoint: String
    let database: ServiceDatabase
    let logger: Logger
    let wakeup: WakeupSignal
    let stopRequested = Mutex(false)
    /// Fault injection for tests: events this returns false for are not published.
    let shouldPublish: @Sendable (Event) -> Bool

    public init(
        context: ZeroMQ.Context, endpoint: String, database: ServiceDatabase, logger: Logger,
        shouldPublish: @escaping @Sendable (Event) -> Bool = { _ in true }
    ) throws {
        self.context = context
        self.endpoint = endpoint
        self.database = database
        self.logger = logger
        self.shouldPublish = shouldPublish
        let wakeup = try WakeupSignal()
        self.wakeup = wakeup
        database.outbox.onCommit { wakeup.signal() }
    }

    /// Publishes until stopped (or cancelled, or its group shuts down gracefully); a final pass
    /// publishes whatever was committed before the stop.
    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    do {
                        try loop()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "octoo-outbox-relay"
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
    }

    /// Asks the relay to publish what remains and stop.
    public func stop() {
        stopRequested.withLock { $0 = true }
        wakeup.signal()
    }

    private func loop() throws {
        let socket = try Socket(context: context, type: .pub)
        try socket.setLinger(ms: 1000)
        try socket.setSendHighWaterMark(100_000)
        try socket.connect(endpoint)
        defer { socket.close(lingerMs: 1000) }
        var poller = Poller()
        poller.add(fileDescriptor: wakeup.fileDescriptor)
        // Subscribers catch up on history through ReadEvents; the relay only publishes what is new.
        var published = try database.pool.read { try database.outbox.lastSeq($0) }
        logger.info("relaying events", metadata: ["endpoint": "\(endpoint)", "fromSeq": "\(published)"])
        while true {
            let ready = try poller.poll(timeoutMs: 1000)
            if ready[0] { wakeup.clear() }
            let stopping = stopRequested.withLock { $0 }
            while true {
                let batch = try database.pool.read { try database.outbox.read($0, afterSeq: published, limit: 500) }
                for event in batch {
                    if shouldPublish(event) {
                        let payload = LengthPrefixedFrame.encode(try WireCoding.encode(event))
                        _ = try socket.send([Array(event.topic.utf8), payload], dontWait: true)
                    }
                    published = event.seq
                }
                if batch.count < 500 { break }
            }
            if stopping { return }
        }
    }
}
