import Contracts
import Domain
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Store
import Synchronization
import Transport
import Wire

/// The wave scheduler's asynchronous half: for each running broadcast with work, it ranks
/// (`matching.Rank`, the block list and the partner's exclusions passed as `excludeProviderIds`)
/// and plans the due wave (`Scheduler`'s `planWave`), then sends each contact: checked again at
/// send time (`matching.Check`, the block list) → `SKIPPED` with the reason, else offered
/// (`opportunities.Offer`, idempotent per request and provider) and announced
/// (`broadcast.contact.sent` with the registry's channel), each step its own transaction.
///
/// It runs on a wake-up (a wave made due by a timer, an event or a call) and every second; on
/// `SetClock` before the call returns; and for one broadcast on `Start` and `Resume`. One pass at
/// a time, working on up to `concurrentBroadcasts` broadcasts at once. Calls carry a fixed budget: timer-driven work has no caller's deadline to carry.
final class WaveSender: Service {
    let store: BroadcastStore
    let environment: ServiceEnvironment
    let wakeup: AsyncWakeup
    static let callBudget: Duration = .seconds(5)
    /// Broadcasts a pass works on at once.
    static let concurrentBroadcasts = 16
    private let gate = PassGate()
    let failures = Mutex<[BroadcastKey: (count: Int, retryAt: ContinuousClock.Instant)]>([:])

    init(store: BroadcastStore, environment: ServiceEnvironment, wakeup: AsyncWakeup) {
        self.store = store
        self.environment = environment
        self.wakeup = wakeup
    }

    var clock: any ServiceClock { environment.clock }
    var logger: Logger { environment.logger }

    /// Passes on every wake-up and every second, until shut down or cancelled.
    func run() async throws {
        try await runUntilShutdown { [self] in
            while true {
                await pass(budget: .seconds(60), honouringBackoff: true)
                await wakeup.wait(until: .now + .seconds(1))
                // The wait returns on cancellation without throwing: end here, not in another pass.
                try Task.checkCancellation()
            }
        }
    }

    /// Cancelled (the background loop shutting down, or a caller gone): a pass in progress ends
    /// after the call it is in.
    private var isStopped: Bool { Task.isCancelled }

    /// Plans and sends what is due, of every broadcast (or only `only`), for at most `budget`.
    /// A broadcast whose work failed waits its backoff before a background pass takes it again.
    func pass(only: BroadcastKey? = nil, budget: Duration, honouringBackoff: Bool = false) async {
        // A caller cancelled while another pass runs (its deadline passed) gives up its turn at once.
        guard await gate.lock() else { return }
        let deadline = ContinuousClock.now + budget
        // Bounded: every round plans or sends something, or the pass ends.
        for _ in 0..<100 where ContinuousClock.now < deadline && !isStopped {
            guard let work = try? await store.pendingWork() else { break }
            let keys = work.filter { key in
                (only == nil || key == only) && !(honouringBackoff && backingOff(key))
            }
            if await !processConcurrently(keys, deadline: deadline) { break }
        }
        await gate.unlock()
    }

    /// Processes `keys`, up to `concurrentBroadcasts` at once (each broadcast by one task only,
    /// its contacts in order); whether anything moved. Most of a broadcast's time is spent
    /// waiting on matching and opportunities, so one at a time would cap the service at a few
    /// requests a second however idle its cores.
    private func processConcurrently(_ keys: [BroadcastKey], deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            var progressed = false
            var running = 0
            for key in keys where ContinuousClock.now < deadline && !isStopped {
                if running == Self.concurrentBroadcasts, let moved = await group.next() {
                    progressed = progressed || moved
                    running -= 1
                }
                group.addTask { await self.process(key, deadline: deadline) }
                running += 1
            }
            for await moved in group { progressed = progressed || moved }
            return progressed
        }
    }

    /// Plans the broadcast's due wave and sends its contacts; whether anything moved.
    private func process(_ key: BroadcastKey, deadline: ContinuousClock.Instant) async -> Bool {
        do {
            var progressed = false
            let due = try await store.read(key.partnerId) { try $0.existingBroadcast(key.requestId)?.waveDue == true }
            if due { progressed = try await rankAndPlan(key, deadline: deadline) }
            let unsent = try await store.read(key.partnerId) { reader in
                try reader.attempts(onRequest: key.requestId).filter(\.isUnsent).map(\.id)
            }
            for attemptId in unsent where ContinuousClock.now < deadline && !isStopped {
                if try await send(attemptId, of: key, deadline: deadline) { progressed = true }
            }
            try await succeeded(key)
            return progressed || due
        } catch {
            await failed(key, error)
            return false
        }
    }

    /// Ranks the request afresh and plans its next wave.
    private func rankAndPlan(_ key: BroadcastKey, deadline: ContinuousClock.Instant) async throws -> Bool {
        let found = try await store.read(key.partnerId) { reader -> (JobRow, [ExcludedProvider])? in
            guard let job = try reader.job(key.requestId), let broadcast = try reader.existingBroadcast(key.requestId)
            else { return nil }
            // Every entry with its own reason (blocked for the customer and for everyone, and
            // excluded by the partner, say), so the considered list shows each.
            let blocks = try reader.blocks(forCustomer: job.customerId)
            return (
                job,
                blocks.map { ExcludedProvider(providerId: $0.providerId, reason: $0.why) }
                    + broadcast.overrides.exclude.map {
                        ExcludedProvider(providerId: $0, reason: "excluded by the partner")
                    }
            )
        }
        guard let (job, exclusions) = found else { return false }
        let ranking = try await matching(key, deadline).rank(
            RankRequest(
                job: job.rankable, requestId: key.requestId, limit: 1000, excludeProviderIds: exclusions,
                minSeq: [Opportunities.service: job.lastSeq], pageSize: 1000))
        let now = clock.now
        return try await store.write(key.partnerId) { try $0.planWave(key.requestId, ranking: ranking, at: now) }
    }

    /// Takes one contact as far as it goes: checked (a planned one), offered, announced.
    private func send(_ attemptId: String, of key: BroadcastKey, deadline: ContinuousClock.Instant) async throws
        -> Bool
    {
        guard let (attempt, job) = try await store.read(key.partnerId, { try $0.sendable(attemptId) }) else {
            return false
        }
        if attempt.status == .planned {
            guard let channel = try await check(attempt, job, key, deadline: deadline) else { return true }
            guard try await store.write(key.partnerId, { try $0.markSending(attemptId, channel: channel) }) else {
                return true
            }
        }
        let outcome: OpportunityReply
        do {
            outcome = try await opportunities(key, deadline, idempotencyKey: "broadcast:\(attemptId)").offer(
                OfferRequest(requestId: attempt.requestId, providerId: attempt.providerId, attemptId: attemptId))
        } catch let error as RPCError where Self.isRefusal(error.code) {
            try await skip(attemptId, key, "opportunities refused the offer: \(error.message)")
            return true
        }
        FaultPoints.hit("broadcast.after-offer")
        guard outcome.opportunity.state == .offered else {
            let state = outcome.opportunity.state.rawValue
            try await skip(
                attemptId, key, "the provider's opportunity is \(state): there is no offer to send")
            return true
        }
        let message = ContactWording.message(for: job, opportunityId: outcome.opportunity.id)
        let now = clock.now
        _ = try await store.write(key.partnerId) { writer in
            try writer.markSent(attemptId, opportunityId: outcome.opportunity.id, message: message, at: now)
        }
        return true
    }

    /// The send-time check: the block list, the partner's exclusions, `matching.Check` (lists,
    /// conflicts, unavailability, lapsed qualifications…) and a way to reach the provider. Returns
    /// the channel, or nil once the attempt is `SKIPPED` with the reason.
    private func check(
        _ attempt: AttemptRow, _ job: JobRow, _ key: BroadcastKey, deadline: ContinuousClock.Instant
    ) async throws -> ContactChannel? {
        let (blocked, excluded) = try await store.read(key.partnerId) { reader in
            (
                try reader.blocked(forCustomer: job.customerId),
                try reader.existingBroadcast(key.requestId)?.overrides.exclude ?? []
            )
        }
        if let why = blocked[attempt.providerId] { return try await skip(attempt.id, key, why) }
        if excluded.contains(attempt.providerId) { return try await skip(attempt.id, key, "excluded by the partner") }
        let verdict: CheckResponse
        do {
            verdict = try await matching(key, deadline).check(
                CheckRequest(
                    job: job.rankable, providerId: attempt.providerId, requestId: key.requestId,
                    minSeq: [Opportunities.service: job.lastSeq]))
        } catch let error as RPCError where Self.isRefusal(error.code) {
            return try await skip(attempt.id, key, "matching: \(error.message)")
        }
        guard verdict.passes else {
            let reasons = verdict.reasons.map { "\($0.criterion): \($0.detail)" }.joined(separator: "; ")
            return try await skip(attempt.id, key, reasons)
        }
        let provider: Provider
        do {
            provider = try await registry(key, deadline).getProvider(GetProviderRequest(id: attempt.providerId))
                .provider
        } catch let error as RPCError where Self.isRefusal(error.code) {
            return try await skip(attempt.id, key, "registry: \(error.message)")
        }
        // Email, else SMS, skipping a channel marked invalid (matching filters out a provider
        // with none left, but the mark may be newer than its read model).
        switch ContactChannels.usable(provider).first {
        case .email: return ContactChannel(kind: .email, address: provider.email ?? "")
        case .phone: return ContactChannel(kind: .sms, address: provider.phone ?? "")
        case nil:
            return try await skip(
                attempt.id, key,
                ContactChannels.whyUnreachable(invalid: ContactChannels.invalid(provider).map(\.rawValue)))
        }
    }

    @discardableResult
    private func skip(_ attemptId: String, _ key: BroadcastKey, _ reason: String) async throws -> ContactChannel? {
        let now = clock.now
        try await store.write(key.partnerId) { try $0.skip(attemptId, reason: reason, at: now) }
        return nil
    }

    /// A refusal that a retry would only repeat (as opposed to the other service being away).
    static func isRefusal(_ code: StatusCode) -> Bool {
        [.invalidArgument, .notFound, .failedPrecondition, .permissionDenied, .alreadyExists, .outOfRange].contains(
            code)
    }
}
