import Foundation
import GRDB
import Logging
import Store
import Synchronization
import Wire
import ZeroMQ

/// Applies other services' events exactly once, in order.
///
/// A SUB socket (on its own thread) takes the fast path into a bounded buffer; when the buffer is
/// full, events are dropped rather than queued without bound. The consumer applies an event only
/// if its `seq` is the next one for its source, in the same transaction as the checkpoint. A gap,
/// the start, and every `idleCatchUp` interval trigger catch-up through `<source>.ReadEvents`.
public final class EventSubscriber: Sendable {
    /// Applies one event inside the consumer's write transaction.
    public typealias Apply = @Sendable (GRDB.Database, Event) throws -> Void

    let context: ZeroMQ.Context
    let endpoint: String
    let sources: [String: RPCClient]
    let database: ServiceDatabase
    let apply: Apply
    let idleCatchUp: Duration
    let bufferSize: Int
    let logger: Logger
    let stopRequested = Mutex(false)
    let stream: AsyncStream<Item>
    let continuation: AsyncStream<Item>.Continuation

    enum Item: Sendable {
        case event(Event)
        case idle
    }

    /// - Parameters:
    ///   - sources: per source name, a client of that service for `ReadEvents`.
    ///   - idleCatchUp: how long without events before asking every source for anything missed.
    public init(
        context: ZeroMQ.Context, endpoint: String, sources: [String: RPCClient], database: ServiceDatabase,
        idleCatchUp: Duration = .seconds(5), bufferSize: Int = 10_000, logger: Logger, apply: @escaping Apply
    ) {
        self.context = context
        self.endpoint = endpoint
        self.sources = sources
        self.database = database
        self.apply = apply
        self.idleCatchUp = idleCatchUp
        self.bufferSize = bufferSize
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(bufferSize))
    }

    /// Receives and applies events until stopped.
    public func run() async {
        let thread = Thread { [self] in
            do { try receiveLoop() } catch { logger.error("event subscription failed", metadata: ["error": "\(error)"]) }
            continuation.finish()
        }
        thread.name = "octoo-event-subscriber"
        thread.start()
        await withTaskCancellationHandler {
            await catchUpAll()
            var lastCatchUp = ContinuousClock.now
            for await item in stream {
                switch item {
                case .event(let event):
                    await receive(event)
                case .idle:
                    if ContinuousClock.now - lastCatchUp >= idleCatchUp {
                        await catchUpAll()
                        lastCatchUp = ContinuousClock.now
                    }
                }
            }
        } onCancel: {
            stop()
        }
    }

    /// Stops receiving; `run()` returns after the event being applied.
    public func stop() {
        stopRequested.withLock { $0 = true }
    }

    private func receiveLoop() throws {
        let socket = try Socket(context: context, type: .sub)
        try socket.setLinger(ms: 0)
        try socket.setReceiveHighWaterMark(Int32(clamping: bufferSize))
        for source in sources.keys { try socket.subscribe(prefix: "\(source).") }
        try socket.connect(endpoint)
        defer { socket.close(lingerMs: 0) }
        var poller = Poller()
        poller.add(socket)
        let tick = min(max(idleCatchUp / 4, .milliseconds(50)), .milliseconds(250))
        var lastTick = ContinuousClock.now
        while !stopRequested.withLock({ $0 }) {
            let ready = try poller.poll(timeoutMs: Int(tick / .milliseconds(1)))
            // A tick also under steady traffic, so a source that went quiet is still caught up.
            if ContinuousClock.now - lastTick >= tick {
                continuation.yield(.idle)
                lastTick = .now
            }
            guard ready[0] else { continue }
            for _ in 0..<1000 {
                guard let frames = try socket.receive(dontWait: true) else { break }
                guard frames.count == 2, case .success(let json) = LengthPrefixedFrame.decode(frames[1], maxMessageBytes: Int.max),
                      let event = try? WireCoding.decode(Event.self, from: json) else {
                    logger.warning("dropped a malformed event", metadata: ["frames": "\(frames.count)"])
                    continue
                }
                if case .dropped = continuation.yield(.event(event)) {
                    // The buffer is full: the gap is noticed and filled by catch-up.
                    continue
                }
            }
        }
    }

    private func receive(_ event: Event) async {
        guard sources[event.source] != nil else { return }
        do {
            let outcome = try await database.pool.write { [apply] db -> ApplyOutcome in
                let last = try EventCheckpoint.lastSeq(db, source: event.source)
                if event.seq <= last { return .duplicate }
                if event.seq > last + 1 { return .gap(after: last) }
                try apply(db, event)
                try EventCheckpoint.advance(db, source: event.source, to: event.seq)
                return .applied
            }
            if case .gap(let last) = outcome {
                logger.debug("gap in events; catching up", metadata: ["source": "\(event.source)", "after": "\(last)", "got": "\(event.seq)"])
                await catchUp(event.source)
            }
        } catch {
            logger.error("applying an event failed; it will be retried by catch-up", metadata: [
                "source": "\(event.source)", "seq": "\(event.seq)", "error": "\(error)"])
        }
    }

    enum ApplyOutcome { case applied, duplicate, gap(after: Int64) }

    private func catchUpAll() async {
        for source in sources.keys.sorted() { await catchUp(source) }
    }

    /// Reads and applies every event of `source` after the checkpoint, a page per transaction.
    public func catchUp(_ source: String) async {
        guard let client = sources[source] else { return }
        let method = CommonMethods.readEvents(source)
        while !stopRequested.withLock({ $0 }) {
            do {
                let after = try await database.pool.read { try EventCheckpoint.lastSeq($0, source: source) }
                let page = try await client.call(method, ReadEventsRequest(afterSeq: after, limit: 500), actor: .system, options: CallOptions(timeout: .seconds(5)))
                guard !page.events.isEmpty else { return }
                try await database.pool.write { [apply] db in
                    var last = try EventCheckpoint.lastSeq(db, source: source)
                    for event in page.events where event.seq > last {
                        guard event.seq == last + 1 else {
                            throw RPCError(.dataLoss, "\(source).ReadEvents skipped from \(last) to \(event.seq)")
                        }
                        try apply(db, event)
                        last = event.seq
                    }
                    try EventCheckpoint.advance(db, source: source, to: last)
                }
                if page.events.last!.seq >= page.lastSeq { return }
            } catch {
                logger.warning("catch-up failed; will retry", metadata: ["source": "\(source)", "error": "\(error)"])
                return
            }
        }
    }
}
