import Contracts
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Store
import Synchronization
import Transport
import Wire
import ZeroMQ

/// Brings every replica to the same ranking settings. Replicas each have their own database, so
/// a change taken by one reaches the others as its `matching.settings.set` event: at once on the
/// bus's event stream, and, for a replica that missed it or started later, by reading another
/// replica's events through `matching.ReadEvents` at start and every `pullInterval`. Each replica
/// keeps the change that supersedes the others (version, then time, then replica name), so the
/// order in which changes arrive does not matter.
///
/// An event on the bus is taken as it comes only when the bus checks its publisher's key
/// (`PublishedEventTrust`); otherwise it is a sign to pull now, and pulls are repeated a few times
/// until the announced version arrives (the bus may route a pull to this replica itself).
final class SettingsFollower: Service {
    let environment: ServiceEnvironment
    let store: MatchingStore
    let pullInterval: Duration
    let trust: PublishedEventTrust
    /// Versions announced on the bus and not yet pulled, by partner, with the pulls left for each.
    private let announced = Mutex<[String: (version: Int, pulls: Int)]>([:])
    private let pullWakeup = AsyncWakeup()
    /// Pulls for one announcement at most, and the pause between them.
    static let pullsPerAnnouncement = 5
    static let announcedPullPause: Duration = .milliseconds(200)
    /// Tells the listening thread to end, once the pulls have.
    private let stopped = Atomic<Bool>(false)
    /// Wakes the listening thread to stop; without one (no eventfd), it notices within a second.
    private let threadWakeup: WakeupSignal?

    init(environment: ServiceEnvironment, store: MatchingStore, pullInterval: Duration = .seconds(30)) {
        self.environment = environment
        self.store = store
        self.pullInterval = pullInterval
        trust = PublishedEventTrust(curve: environment.configuration.curve != nil)
        threadWakeup = try? WakeupSignal()
    }

    private var isStopped: Bool { stopped.load(ordering: .acquiring) }
    private var logger: Logger { environment.logger }

    /// Follows the event stream on a thread of its own and pulls periodically, until shut down
    /// or cancelled; the thread ends before `run()` returns.
    func run() async throws {
        let listener = Task.detached { [self] in await listenOnThread() }
        do {
            try await runUntilShutdown { [self] in
                while true {
                    // The wake-up's wait does not throw: a cancelled loop must notice here.
                    try Task.checkCancellation()
                    await pull()
                    if try await pullAgainForAnnouncements() { continue }
                    _ = await pullWakeup.wait(until: .now + pullInterval)
                }
            }
        } catch {
            await stopListening(listener)
            throw error
        }
        await stopListening(listener)
    }

    /// After a pull: drops the announcements it satisfied, and says whether any still wait for
    /// another pull (after a pause, so a flood of announcements costs a few pulls a second).
    private func pullAgainForAnnouncements() async throws -> Bool {
        let pending = announced.withLock { $0 }
        guard !pending.isEmpty else { return false }
        var reached: Set<String> = []
        let store = store
        for (partner, claim) in pending {
            let current = try? await store.read(partner) { try store.settings($0, partner: partner) }
            if let current, current.version >= claim.version { reached.insert(partner) }
        }
        let again = announced.withLock { announced -> Bool in
            for partner in announced.keys {
                if reached.contains(partner) || announced[partner]!.pulls <= 1 {
                    announced[partner] = nil
                } else {
                    announced[partner]!.pulls -= 1
                }
            }
            return !announced.isEmpty
        }
        if again { try await Task.sleep(for: Self.announcedPullPause) }
        return again
    }

    /// Notes a version the bus announced, for the pulls to fetch from a replica.
    private func announce(_ settings: RankingSettings) {
        announced.withLock { announced in
            // A flood of made-up partners must not grow this without end: pulls fetch every partner anyway.
            guard announced.count < 1000 || announced[settings.partnerId] != nil else { return }
            let known = announced[settings.partnerId]?.version ?? .min
            announced[settings.partnerId] = (max(known, settings.version), Self.pullsPerAnnouncement)
        }
        pullWakeup.signal()
    }

    private func stopListening(_ listener: Task<Void, Never>) async {
        stopped.store(true, ordering: .releasing)
        threadWakeup?.signal()
        await listener.value
    }

    /// Keeps `settings` if it supersedes what this replica has.
    func take(_ settings: RankingSettings) async {
        // Settings from another replica pass the rules SetSettings applies, or are not kept: a
        // forged or corrupt event must not put values in the ranking that no call could.
        let violations = SettingsRules.violations(of: settings)
        guard violations.isEmpty else {
            logger.warning(
                "settings from the event stream refused",
                metadata: ["violations": "\(violations.map { "\($0.field) \($0.description)" })"])
            return
        }
        let (store, outbox, now) = (store, store.outbox, environment.clock.now)
        do {
            let changed = try await store.write(settings.partnerId) { db in
                try store.merge(db, settings, outbox: outbox, at: now)
            }
            if changed {
                logger.info(
                    "settings taken from another replica",
                    metadata: [
                        "partner": "\(settings.partnerId)", "version": "\(settings.version)",
                    ])
            }
        } catch {
            logger.warning("keeping settings failed", metadata: ["error": "\(error)"])
        }
    }

    /// Reads the settings events of whichever replica the bus picks (another one while this one
    /// is not yet taking requests).
    private func pull() async {
        do {
            let client = try environment.client(Matching.service)
            var after: Int64 = 0
            while !Task.isCancelled {
                let page = try await client.readEvents(
                    Matching.service, afterSeq: after, limit: 500,
                    options: CallOptions(timeout: .seconds(2), retry: .none))
                for event in page.events where event.type == Matching.EventType.settingsSet {
                    if let settings = try? ReadModelWriter.decode(RankingSettings.self, event) { await take(settings) }
                }
                guard let last = page.events.last, last.seq < page.lastSeq else { return }
                after = last.seq
            }
        } catch {
            // No other replica yet, or it is busy: the stream and the next pull will do.
            logger.debug("pulling settings found no replica", metadata: ["error": "\(error)"])
        }
    }

    private func listenOnThread() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                do { try listen() } catch {
                    logger.error("settings stream failed; only pulls remain", metadata: ["error": "\(error)"])
                }
                continuation.resume()
            }
            thread.name = "octoo-settings-follower"
            thread.start()
        }
    }

    private func listen() throws {
        let socket = try Socket(context: environment.context, type: .sub)
        try socket.setLinger(ms: 0)
        try socket.subscribe(prefix: "\(Matching.service).\(Matching.EventType.settingsSet)")
        try socket.connect(environment.configuration.endpoints.eventsSubscribe)
        defer { socket.close(lingerMs: 0) }
        var poller = Poller()
        poller.add(socket)
        if let threadWakeup { poller.add(fileDescriptor: threadWakeup.fileDescriptor) }
        while !isStopped {
            let ready = try poller.poll(timeoutMs: 1000)
            if ready.count > 1, ready[1] { threadWakeup?.clear() }
            guard ready[0] else { continue }
            while !isStopped, let frames = try socket.receive(dontWait: true) {
                guard frames.count == 2,
                    case .success(let json) = LengthPrefixedFrame.decode(frames[1], maxMessageBytes: Int.max),
                    let event = try? WireCoding.decode(Event.self, from: json),
                    let settings = try? ReadModelWriter.decode(RankingSettings.self, event)
                else { continue }
                guard trust == .publisherChecked else {
                    announce(settings)
                    continue
                }
                // The write is short and rare: done from this thread, in order.
                let semaphore = DispatchSemaphore(value: 0)
                Task {
                    await take(settings)
                    semaphore.signal()
                }
                semaphore.wait()
            }
        }
    }
}
