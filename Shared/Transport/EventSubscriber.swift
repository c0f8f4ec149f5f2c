import Foundation
import GRDB
import Logging
import ServiceLifecycle
@_spi(RawDatabase) import Store
import Synchronization
import Wire
import ZeroMQ

/// Applies other services' events exactly once, in order, each source on its own.
///
/// A SUB socket (on its own thread) takes the fast path into one bounded buffer per source: an
/// event ahead of the checkpoint waits there until the gap before it is filled, and a full buffer
/// drops (catch-up recovers the event) without touching other sources' buffers. Each source has
/// its own task, which applies an event only if its `seq` is the next one, in the same
/// transaction as the checkpoint, and reads `<source>.ReadEvents` at start, on a gap and every
/// `idleCatchUp`. A failed catch-up, and an event that fails to apply, are retried with jittered
/// exponential backoff; a failing source holds back only itself.
///
/// What the fast path may take from the bus is the subscriber's `PublishedEventTrust`: the content
/// only when the bus checks each publisher's key (CURVE), otherwise only the sign that a source
/// has more, which its `ReadEvents` then gives, so a forged event changes nothing.
///
/// Checkpoints carry the source's outbox epoch. A new epoch, or a source whose last `seq` is
/// below the checkpoint, means its `seq`s were reused (a replaced or restored database): the
/// subscriber then rebuilds through `reset` from `seq` 1 or, without one, reports `dataLoss` and
/// applies nothing more from that source.
public final class EventSubscriber: Service {
    /// Applies one event inside the consumer's write transaction.
    public typealias Apply = @Sendable (GRDB.Database, Event) throws -> Void
    /// Forgets everything applied from a source (named by the second argument) before a rebuild,
    /// inside the transaction that resets its checkpoint.
    public typealias Reset = @Sendable (GRDB.Database, String) throws -> Void

    let context: ZeroMQ.Context
    let endpoint: String
    let database: ServiceDatabase
    let apply: Apply
    let reset: Reset?
    let idleCatchUp: Duration
    let bufferSize: Int
    let bufferBytes: Int
    let trust: PublishedEventTrust
    let maxMessageBytes: Int
    let backoff: EventRetryBackoff
    let logger: Logger
    let channels: [SourceChannel]
    let stopRequested = Atomic<Bool>(false)
    let stopWakeup = AsyncWakeup()
    let threadWakeup: WakeupSignal

    /// Events applied in one transaction at most.
    static let pageSize = 500

    /// - Parameters:
    ///   - sources: per source name, a client of that service for `ReadEvents`.
    ///   - idleCatchUp: how often each source is asked for anything missed, traffic or not.
    ///   - bufferSize: events held per source ahead of its checkpoint.
    ///   - bufferBytes: bytes of events held per source ahead of its checkpoint.
    ///   - trust: what an event on the bus's event port is taken for.
    ///   - reset: how to forget a source's effects so it can be rebuilt; without it, reused `seq`s
    ///     stop the source as `dataLoss`.
    public init(
        context: ZeroMQ.Context, endpoint: String, sources: [String: RPCClient], database: ServiceDatabase,
        idleCatchUp: Duration = .seconds(5), bufferSize: Int = 10_000, bufferBytes: Int = 32 << 20,
        trust: PublishedEventTrust = .wakeUpOnly, maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes,
        backoff: EventRetryBackoff = .standard, logger: Logger, reset: Reset? = nil, apply: @escaping Apply
    ) throws {
        self.context = context
        self.endpoint = endpoint
        self.database = database
        self.apply = apply
        self.reset = reset
        self.idleCatchUp = idleCatchUp
        self.bufferSize = max(1, bufferSize)
        self.bufferBytes = max(1, bufferBytes)
        self.trust = trust
        self.maxMessageBytes = maxMessageBytes
        self.backoff = backoff
        self.logger = logger
        channels = sources.keys.sorted().map { SourceChannel(source: $0, client: sources[$0]!) }
        threadWakeup = try WakeupSignal()
    }

    /// Receives and applies events until stopped, cancelled or shut down gracefully (once per
    /// subscriber).
    public func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            guard !isStopped else { return }
            await loadCheckpoints()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.receiveOnThread() }
                for channel in channels {
                    group.addTask { await self.work(channel) }
                }
                while !isStopped && !Task.isCancelled { await stopWakeup.wait() }
                // A source's task may be waiting on a ReadEvents call: it need not finish.
                group.cancelAll()
            }
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
    }

    /// Stops: `run()` returns promptly, and no event is applied after the transaction in progress.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        threadWakeup.signal()
        stopWakeup.signal()
        for channel in channels { channel.wakeup.signal() }
    }

    /// Where each source stands, by source name.
    public func status() -> [EventSourceStatus] {
        channels.map { $0.status() }
    }

    /// Asks `source` for anything missed now, whatever its backoff (an operator's or a test's nudge).
    public func catchUpNow(_ source: String) {
        guard let channel = channels.first(where: { $0.source == source }) else { return }
        channel.state.withLock { $0.catchUpNow = true }
        channel.wakeup.signal()
    }

    var isStopped: Bool { stopRequested.load(ordering: .acquiring) }

    private func loadCheckpoints() async {
        do {
            let checkpoints = try await database.pool.read { [channels] db in
                try channels.map { try EventCheckpoint.of(db, source: $0.source) }
            }
            for (channel, checkpoint) in zip(channels, checkpoints) {
                channel.state.withLock { state in
                    state.appliedSeq = checkpoint.lastSeq
                    state.epoch = checkpoint.epoch
                }
            }
        } catch {
            // Every transaction reads the checkpoint again, so a wrong guess here costs nothing.
            logger.error("reading event checkpoints failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: The fast path

    private func receiveOnThread() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                do { try receiveLoop() } catch {
                    logger.error("event subscription failed; only catch-up remains", metadata: ["error": "\(error)"])
                }
                continuation.resume()
            }
            thread.name = "octoo-event-subscriber"
            thread.start()
        }
    }

    private func receiveLoop() throws {
        let socket = try Socket(context: context, type: .sub)
        try socket.setLinger(ms: 0)
        try socket.setReceiveHighWaterMark(Int32(clamping: bufferSize))
        try socket.setMaxMessageSize(LengthPrefixedFrame.socketLimit(maxMessageBytes: maxMessageBytes))
        for channel in channels { try socket.subscribe(prefix: "\(channel.source).") }
        try socket.connect(endpoint)
        defer { socket.close(lingerMs: 0) }
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: threadWakeup.fileDescriptor)
        let bySource = Dictionary(uniqueKeysWithValues: channels.map { ($0.source, $0) })
        while !isStopped {
            let ready = try poller.poll(timeoutMs: 1000)
            if ready[1] { threadWakeup.clear() }
            guard ready[0] else { continue }
            for _ in 0..<1000 {
                guard !isStopped, let frames = try socket.receive(dontWait: true) else { break }
                guard frames.count == 2,
                    case .success(let json) = LengthPrefixedFrame.decode(frames[1], maxMessageBytes: maxMessageBytes),
                    let event = try? WireCoding.decode(Event.self, from: json)
                else {
                    logger.warning("dropped a malformed event", metadata: ["frames": "\(frames.count)"])
                    continue
                }
                guard let channel = bySource[event.source] else { continue }
                switch trust {
                case .publisherChecked:
                    channel.offer(event, bytes: frames[1].count, bufferSize: bufferSize, bufferBytes: bufferBytes)
                case .wakeUpOnly:
                    channel.notify(seq: event.seq, epoch: event.epoch)
                }
            }
        }
    }

    // MARK: One source

    /// A source's loop: apply what the buffer holds in order, catch up when due, wait; the
    /// timing is `SourceSchedule`'s.
    private func work(_ channel: SourceChannel) async {
        var schedule = SourceSchedule(idleCatchUp: idleCatchUp, backoff: backoff)
        while !isStopped && !Task.isCancelled {
            if channel.state.withLock({ $0.phase == .dataLoss }) {
                await channel.wakeup.wait()
                continue
            }
            if schedule.mayApply(at: .now), case .failed(let seq, let error) = await applyBuffered(channel) {
                // A stop interrupts the transaction in progress: that is no failure of the event.
                if isStopped || Task.isCancelled { return }
                let failures = schedule.applyFailed(at: .now)
                channel.fail(seq: seq, error: error)
                logger.log(
                    level: failures == 1 ? .warning : .debug, "an event failed to apply; retrying with backoff",
                    metadata: ["source": "\(channel.source)", "seq": "\(seq)", "error": "\(error)"])
            }
            let situation = channel.state.withLock { $0.situation }
            if !situation.failing { schedule.recovered() }
            let now = ContinuousClock.now
            if case .wait(let deadline) = schedule.next(at: now, situation) {
                channel.updatePhase(caughtUp: schedule.isCaughtUp)
                await channel.wakeup.wait(until: deadline)
                continue
            }
            schedule.catchingUp(at: now)
            let claimed = channel.state.withLock { state in
                state.catchUpNow = false
                state.catchUpWanted = false
                defer { state.notifiedSeq = 0 }
                return state.notifiedSeq
            }
            let outcome = await catchUp(channel)
            if isStopped || Task.isCancelled { return }
            record(outcome, of: channel, claimed: claimed, in: &schedule)
            channel.updatePhase(caughtUp: schedule.isCaughtUp)
        }
    }

    /// Takes a catch-up's outcome into the source's state and schedule, logging a failure once
    /// per outage at warning level and its retries at debug. `claimed` is the highest `seq` the
    /// event port announced before the catch-up began.
    private func record(
        _ outcome: CatchUpOutcome, of channel: SourceChannel, claimed: Int64, in schedule: inout SourceSchedule
    ) {
        switch outcome {
        case .done:
            // Still behind right after a catch-up (a gap, more foreign events), or the event port
            // announced what the source does not have (forged, or another outbox's): back off.
            let behind = channel.state.withLock { state in
                state.caughtUpOnce = true
                if state.failing && state.failingSeq == nil { state.failing = false }
                return state.hasGap || state.catchUpWanted || state.appliedSeq < claimed
            }
            schedule.caughtUp(at: .now, behind: behind)
        case .failed(let error):
            let failures = schedule.catchUpFailed(at: .now)
            // A failing event's error says more than the catch-up's.
            channel.state.withLock { state in
                if !state.failing { state.lastError = error }
            }
            logger.log(
                level: failures == 1 ? .warning : .debug, "catch-up failed; retrying with backoff",
                metadata: ["source": "\(channel.source)", "error": "\(error)"])
        case .applyFailed(let seq, let error):
            let failures = schedule.applyFailed(at: .now)
            channel.fail(seq: seq, error: error)
            let failing = seq.map { "\($0)" } ?? "-"
            logger.log(
                level: failures == 1 ? .warning : .debug, "catch-up could not apply an event; retrying with backoff",
                metadata: ["source": "\(channel.source)", "seq": "\(failing)", "error": "\(error)"])
        case .dataLoss:
            break
        }
    }

    enum BufferOutcome {
        case nothing
        case progressed
        case failed(seq: Int64, error: String)
    }

    /// Applies the events the buffer holds from the checkpoint on, in order.
    private func applyBuffered(_ channel: SourceChannel) async -> BufferOutcome {
        var progressed = false
        while !isStopped {
            let run = channel.state.withLock { $0.nextRun(limit: Self.pageSize) }
            guard let first = run.first else { break }
            switch await applyRun(channel, run, epoch: first.epoch) {
            case .applied(let count, let failure, _):
                if count > 0 { progressed = true }
                if let failure { return .failed(seq: failure.seq, error: failure.error) }
                if count == 0 { return progressed ? .progressed : .nothing }
            case .foreignEpoch:
                // The buffer held another outbox's events: only the source's ReadEvents can tell
                // which is current.
                channel.state.withLock { state in
                    state.releaseAll()
                    state.catchUpWanted = true
                }
                return progressed ? .progressed : .nothing
            case .error(let seq, let error):
                return .failed(seq: seq, error: error)
            }
        }
        return progressed ? .progressed : .nothing
    }

    enum RunOutcome {
        /// `count` events applied; `failure` stopped the run; `skipped` is the first `seq` after a hole.
        case applied(count: Int, failure: (seq: Int64, error: String)?, skipped: Int64?)
        /// The events belong to another epoch than the checkpoint's.
        case foreignEpoch
        /// The transaction itself failed before `seq`.
        case error(seq: Int64, error: String)
    }

    /// Applies consecutive events from the checkpoint on, in one transaction with the checkpoint;
    /// each event in a savepoint, so one that fails is undone alone and those before it stay.
    private func applyRun(_ channel: SourceChannel, _ events: [Event], epoch: String?) async -> RunOutcome {
        let source = channel.source
        let next = channel.state.withLock { $0.appliedSeq + 1 }
        let outcome: (checkpoint: EventCheckpoint, count: Int, failure: (seq: Int64, error: String)?, skipped: Int64?)?
        do {
            outcome = try await database.pool.write { [apply] db in
                let stored = try EventCheckpoint.of(db, source: source)
                if let epoch, let known = stored.epoch, epoch != known, stored.lastSeq > 0 { return nil }
                var checkpoint = stored
                // Nothing applied yet, or a checkpoint from before epochs: take the source's.
                if stored.lastSeq == 0 || stored.epoch == nil { checkpoint.epoch = epoch ?? stored.epoch }
                var count = 0
                var failure: (seq: Int64, error: String)?
                var skipped: Int64?
                for event in events where event.seq > checkpoint.lastSeq {
                    guard event.seq == checkpoint.lastSeq + 1 else {
                        skipped = event.seq
                        break
                    }
                    // Stopped: what is applied so far commits, nothing more.
                    if self.isStopped { break }
                    do {
                        try db.inSavepoint {
                            try apply(db, event)
                            return .commit
                        }
                    } catch {
                        failure = (event.seq, "\(error)")
                        break
                    }
                    checkpoint.lastSeq = event.seq
                    count += 1
                }
                if checkpoint != stored { try checkpoint.upsert(db) }
                return (checkpoint, count, failure, skipped)
            }
        } catch {
            return .error(seq: next, error: "\(error)")
        }
        guard let outcome else { return .foreignEpoch }
        channel.state.withLock { $0.record(outcome.checkpoint) }
        return .applied(count: outcome.count, failure: outcome.failure, skipped: outcome.skipped)
    }

    // MARK: Catch-up

    enum CatchUpOutcome {
        case done
        /// ReadEvents failed; nothing is known to be wrong with the events.
        case failed(String)
        /// An event (or the rebuild before it, with no `seq`) could not be applied.
        case applyFailed(Int64?, String)
        case dataLoss
    }

    /// Reads and applies every event of the source after the checkpoint, a page per transaction.
    private func catchUp(_ channel: SourceChannel) async -> CatchUpOutcome {
        let source = channel.source
        let method = CommonMethods.readEvents(source)
        while !isStopped {
            let (after, known) = channel.state.withLock { ($0.appliedSeq, $0.epoch) }
            let page: ReadEventsResponse
            do {
                page = try await channel.client.call(
                    method, ReadEventsRequest(afterSeq: after, limit: Self.pageSize), actor: .system,
                    options: CallOptions(timeout: .seconds(5), retry: .none))
            } catch {
                return .failed("\(error)")
            }
            if let reason = Self.reuse(page, after: after, epoch: known) {
                if let failure = await rebuild(channel, epoch: page.epoch ?? known, because: reason) {
                    return failure
                }
                continue
            }
            guard let first = page.events.first else {
                if page.lastSeq > after {
                    return .applyFailed(
                        after + 1,
                        "\(source).ReadEvents returned nothing after \(after) though its "
                            + "last is \(page.lastSeq): the next event does not fit in a reply")
                }
                if known == nil, let epoch = page.epoch { await adopt(channel, epoch: epoch) }
                return .done
            }
            if first.seq > after + 1 {
                return dataLoss(channel, "\(source).ReadEvents skipped from \(after) to \(first.seq)")
            }
            switch await applyRun(channel, page.events, epoch: page.epoch) {
            case .applied(_, let failure, let skipped):
                if let failure { return .applyFailed(failure.seq, failure.error) }
                if let skipped {
                    let applied = channel.state.withLock { $0.appliedSeq }
                    return dataLoss(channel, "\(source).ReadEvents skipped from \(applied) to \(skipped)")
                }
            case .foreignEpoch:
                // The checkpoint is not what this task took it for: read it again, then the source.
                if let failure = await refresh(channel) { return failure }
                continue
            case .error(let seq, let error):
                return .applyFailed(seq, error)
            }
            if isStopped { break }
            let applied = channel.state.withLock { $0.appliedSeq }
            if applied >= page.lastSeq { return .done }
            // A source that keeps answering with events already applied would loop here forever.
            if applied == after { return .failed("\(source).ReadEvents after \(after) made no progress") }
        }
        return .done
    }

    /// Why a reply shows that the source's `seq`s after `after` are not the ones applied, if so.
    static func reuse(_ page: ReadEventsResponse, after: Int64, epoch: String?) -> String? {
        guard after > 0 else { return nil }
        if let current = page.epoch, let epoch, current != epoch {
            return "its outbox epoch changed from \(epoch) to \(current)"
        }
        if page.lastSeq < after { return "its last seq is \(page.lastSeq), below the \(after) applied" }
        return nil
    }

    /// Forgets the source's effects and checkpoint in one transaction so catch-up rebuilds from
    /// `seq` 1; without a `reset` hook, stops the source as `dataLoss`. Nil when rebuilt.
    private func rebuild(_ channel: SourceChannel, epoch: String?, because reason: String) async -> CatchUpOutcome? {
        let source = channel.source
        guard let reset else {
            return dataLoss(channel, "\(source): \(reason); without a reset hook its events are no longer applied")
        }
        logger.warning(
            "rebuilding from a source whose seqs were reused",
            metadata: [
                "source": "\(source)", "reason": "\(reason)",
            ])
        do {
            try await database.pool.write { db in
                try reset(db, source)
                try EventCheckpoint.advance(db, source: source, to: 0, epoch: epoch)
            }
        } catch is SourceNotRebuildable {
            return dataLoss(channel, "\(source): \(reason); its events cannot be applied again")
        } catch {
            return .applyFailed(nil, "rebuilding from \(source) failed: \(error)")
        }
        channel.state.withLock { $0.rebuilt(epoch: epoch) }
        return nil
    }

    private func dataLoss(_ channel: SourceChannel, _ message: String) -> CatchUpOutcome {
        let error = RPCError(.dataLoss, message)
        logger.error(
            "events lost; the source is no longer applied",
            metadata: [
                "source": "\(channel.source)", "error": "\(error)",
            ])
        channel.state.withLock { $0.lose("\(error)") }
        return .dataLoss
    }

    /// Takes the checkpoint as stored; `failed` when it cannot be read.
    private func refresh(_ channel: SourceChannel) async -> CatchUpOutcome? {
        let source = channel.source
        do {
            let checkpoint = try await database.pool.read { try EventCheckpoint.of($0, source: source) }
            channel.state.withLock { $0.record(checkpoint) }
            return nil
        } catch {
            return .failed("reading the checkpoint of \(source) failed: \(error)")
        }
    }

    /// Records the source's epoch on a checkpoint that has none yet.
    private func adopt(_ channel: SourceChannel, epoch: String) async {
        let source = channel.source
        do {
            let checkpoint = try await database.pool.write { db in
                var checkpoint = try EventCheckpoint.of(db, source: source)
                if checkpoint.epoch == nil {
                    checkpoint.epoch = epoch
                    try checkpoint.upsert(db)
                }
                return checkpoint
            }
            channel.state.withLock { $0.record(checkpoint) }
        } catch {
            logger.warning("recording a source's epoch failed", metadata: ["source": "\(source)", "error": "\(error)"])
        }
    }
}

/// What a `Reset` hook throws for a source whose events it cannot apply again: the source is
/// reported `dataLoss`, as it would be without a hook, while the consumer's other sources rebuild.
public struct SourceNotRebuildable: Error, Sendable {
    public init() {}
}

/// Where a subscriber stands with one source.
public struct EventSourceStatus: Sendable, Equatable {
    public var source: String
    /// The last `seq` applied (the checkpoint).
    public var appliedSeq: Int64
    /// The source's outbox epoch those `seq`s belong to, once known.
    public var epoch: String?
    public var state: EventSourceState
    /// The `seq` that does not apply, while `failing`.
    public var failingSeq: Int64?
    /// The last failure seen (catch-up, apply or data loss), kept after recovery.
    public var lastError: String?
    /// How many times the source was rebuilt from `seq` 1 after its `seq`s were reused.
    public var rebuilds: Int
    /// Events held ahead of the checkpoint.
    public var buffered: Int

    /// The source as `Health` reports it: the error only while it is not `current`.
    public var health: EventSourceHealth {
        EventSourceHealth(
            source: source, appliedSeq: appliedSeq, epoch: epoch, state: state, failingSeq: failingSeq,
            error: state == .current ? nil : lastError)
    }
}

/// One source of a subscriber: its client, its wake-up, and the state its task shares with the
/// receive thread.
final class SourceChannel: Sendable {
    let source: String
    let client: RPCClient
    let wakeup = AsyncWakeup()
    let state = Mutex(State())

    struct State {
        var appliedSeq: Int64 = 0
        var epoch: String?
        var phase: EventSourceState = .catchingUp
        var failingSeq: Int64?
        var failing = false
        var lastError: String?
        var rebuilds = 0
        var caughtUpOnce = false
        /// Events ahead of the checkpoint, by `seq`, at most the subscriber's `bufferSize` and
        /// `bufferBytes`.
        private(set) var buffer: [Int64: Event] = [:]
        /// The size on the wire of each buffered event, by `seq`, and their sum.
        private var sizes: [Int64: Int] = [:]
        private(set) var heldBytes = 0
        /// The highest `seq` the event port announced past the checkpoint, when events there
        /// are only wake-ups; 0 when none is pending.
        var notifiedSeq: Int64 = 0
        /// The receive thread saw something only a catch-up can settle (a drop, another epoch).
        var catchUpWanted = false
        var catchUpNow = false

        /// Whether the buffer holds events it cannot apply yet: one is missing before them.
        var hasGap: Bool { !buffer.isEmpty && buffer[appliedSeq + 1] == nil }

        /// What calls for a catch-up, as the source's schedule reads it.
        var situation: SourceSchedule.Situation {
            SourceSchedule.Situation(
                forced: catchUpNow, wanted: catchUpWanted, notified: notifiedSeq > appliedSeq, gap: hasGap,
                failing: failing,
                failingBuffered: failingSeq.map { buffer[$0] != nil } ?? false)
        }

        /// The consecutive buffered events from the checkpoint on, of one epoch, at most `limit`.
        func nextRun(limit: Int) -> [Event] {
            var run: [Event] = []
            var seq = appliedSeq + 1
            while run.count < limit, let event = buffer[seq], event.epoch == (run.first?.epoch ?? event.epoch) {
                run.append(event)
                seq += 1
            }
            return run
        }

        /// Takes a committed checkpoint: buffered events it covers go, a failure it passed is over.
        mutating func record(_ checkpoint: EventCheckpoint) {
            let previous = appliedSeq
            appliedSeq = checkpoint.lastSeq
            epoch = checkpoint.epoch
            if appliedSeq > previous {
                if buffer.count <= Int(clamping: appliedSeq - previous) {
                    for seq in buffer.keys where seq <= appliedSeq { release(seq) }
                } else {
                    for seq in (previous + 1)...appliedSeq { release(seq) }
                }
            }
            if let failingSeq, appliedSeq >= failingSeq {
                self.failingSeq = nil
                failing = false
            }
        }

        /// Holds `event` (of `bytes` on the wire) ahead of the checkpoint.
        mutating func hold(_ event: Event, bytes: Int) {
            release(event.seq)
            buffer[event.seq] = event
            sizes[event.seq] = bytes
            heldBytes += bytes
        }

        mutating func release(_ seq: Int64) {
            buffer[seq] = nil
            if let bytes = sizes.removeValue(forKey: seq) { heldBytes -= bytes }
        }

        mutating func releaseAll() {
            buffer.removeAll()
            sizes.removeAll()
            heldBytes = 0
        }

        mutating func rebuilt(epoch: String?) {
            appliedSeq = 0
            self.epoch = epoch
            releaseAll()
            rebuilds += 1
            failing = false
            failingSeq = nil
        }

        mutating func lose(_ error: String) {
            phase = .dataLoss
            lastError = error
            releaseAll()
            failing = false
            failingSeq = nil
        }
    }

    init(source: String, client: RPCClient) {
        self.source = source
        self.client = client
    }

    /// Takes an event from a publisher the bus checked: held if it is ahead of the checkpoint
    /// and there is room (`bytes` is its size on the wire).
    func offer(_ event: Event, bytes: Int, bufferSize: Int, bufferBytes: Int) {
        let wake = state.withLock { state -> Bool in
            guard state.phase != .dataLoss else { return false }
            guard let epoch = event.epoch, state.epoch == nil || epoch == state.epoch else {
                // Another outbox than the one applied, or none named: the source's ReadEvents
                // settles which is current.
                state.catchUpWanted = true
                return true
            }
            guard event.seq > state.appliedSeq else { return false }
            if state.buffer[event.seq] == nil
                && (state.buffer.count >= bufferSize || state.heldBytes + bytes > bufferBytes)
            {
                // Full: dropped here, recovered by catch-up.
                state.catchUpWanted = true
                return true
            }
            state.hold(event, bytes: bytes)
            return true
        }
        if wake { wakeup.signal() }
    }

    /// Takes an event nobody vouches for as a sign that the source has more: the next catch-up
    /// reads it, and one announced that the source does not have makes catch-up back off.
    func notify(seq: Int64, epoch: String?) {
        let wake = state.withLock { state -> Bool in
            guard state.phase != .dataLoss else { return false }
            let claim = (epoch == nil || epoch == state.epoch) ? seq : state.appliedSeq &+ 1
            guard claim > state.appliedSeq, claim > state.notifiedSeq else { return false }
            state.notifiedSeq = claim
            return true
        }
        if wake { wakeup.signal() }
    }

    /// Marks the source failing at `seq` (nil: before any event, e.g. a rebuild).
    func fail(seq: Int64?, error: String) {
        state.withLock { state in
            guard state.phase != .dataLoss else { return }
            state.failing = true
            state.failingSeq = seq
            state.lastError = error
            state.phase = .failing
        }
    }

    /// Works out the reported state after a step of the source's task.
    func updatePhase(caughtUp: Bool) {
        state.withLock { state in
            guard state.phase != .dataLoss else { return }
            if state.failing {
                state.phase = .failing
            } else if !state.caughtUpOnce || !caughtUp || state.hasGap || state.catchUpWanted {
                state.phase = .catchingUp
            } else {
                state.phase = .current
            }
        }
    }

    func status() -> EventSourceStatus {
        state.withLock { state in
            EventSourceStatus(
                source: source, appliedSeq: state.appliedSeq, epoch: state.epoch, state: state.phase,
                failingSeq: state.failingSeq, lastError: state.lastError, rebuilds: state.rebuilds,
                buffered: state.buffer.count)
        }
    }
}
