import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Transport

/// The wave scheduler's transactional half, on the shared durable timers: each broadcast has
/// one `DurableTimer` (kind `broadcast.wave`, key `partnerId/requestId`) due at the next moment
/// something must happen to it (its wave closes, the start window opens, someone is recycled,
/// the job starts). `TimerService` deletes it and runs `timerFired` in one transaction, which
/// closes the wave (`NO_RESPONSE` for the silent), applies the advance rule and sets the next
/// timer, so a restart loses no wave and sends none twice. Planning a wave needs a fresh ranking
/// from matching, so the rule only marks it due; the `WaveSender` ranks, then `planWave` plans
/// it here, again in one transaction.
enum Scheduler {
    /// The timers' kind in the shared `durableTimer` table.
    static let timerKind = "broadcast.wave"

    /// One timer per broadcast: `partnerId/requestId`.
    static func timerKey(_ key: BroadcastKey) -> String { "\(key.partnerId)/\(key.requestId)" }

    /// The broadcast a timer is for. Request ids never hold a `/`, so the key splits at its last one.
    static func broadcast(of timer: DurableTimer) -> BroadcastKey? {
        guard let slash = timer.key.lastIndex(of: "/") else { return nil }
        return BroadcastKey(String(timer.key[..<slash]), String(timer.key[timer.key.index(after: slash)...]))
    }

    /// What firing a broadcast's timer does, for `TimerService` (the store wakes the sender for
    /// a wave it made due).
    static func timerHandlers(store: BroadcastStore, clock: any ServiceClock) -> [String: TimerService.Handler] {
        [
            timerKind: { db, timer in
                guard let key = broadcast(of: timer) else { return }
                try store.within(db, partnerId: key.partnerId) { try $0.timerFired(key.requestId, at: clock.now) }
            }
        ]
    }
}

extension BroadcastWriter {
    /// A broadcast's timer fired: its wave closes if due, and the advance rule applies (time is
    /// what it reads: the start window, a recycle, the job's start).
    func timerFired(_ requestId: String, at now: Date) throws {
        guard let broadcast = try existingBroadcast(requestId) else { return }
        if var wave = try wave(broadcast.currentWave, onRequest: requestId), wave.isOut,
            let closes = wave.closesAt, closes <= now
        {
            try close(&wave, at: now)
        }
        touch(requestId, at: now)
    }

    /// Closes a wave: whoever of it has not answered gets `NO_RESPONSE`.
    func close(_ wave: inout WaveRow, at now: Date) throws {
        for var attempt in try attempts(onRequest: wave.requestId)
        where attempt.wave == wave.number && attempt.isAwaiting {
            try setDisposition(&attempt, Dispositions.noResponse, by: "system", at: now)
        }
        wave.closedAt = now
        try wave.update(db)
    }

    /// Applies the advance rule (`WavePlanner.advance`) to the request's broadcast now, and sets
    /// its timer; run only before a commit (`SettleOnCommit`). Returns whether its next wave is due.
    @discardableResult
    func advance(_ requestId: String, at now: Date) throws -> Bool {
        guard var broadcast = try existingBroadcast(requestId), let job = try job(requestId) else { return false }
        let attempts = try attempts(onRequest: requestId)
        let slots = try slots(of: job)
        let situation = WavePlanner.Situation(
            state: broadcast.state, requestCancelled: job.status == .cancelled, requestStatus: job.status,
            openings: slots.openings, pendingInterest: slots.pending, unsent: attempts.filter(\.isUnsent).count,
            awaiting: attempts.filter(\.isAwaiting).count, now: now, startsAt: job.startsAt, policy: try policy())
        switch WavePlanner.advance(situation) {
        case .hold:
            break
        case .stop(let reason):
            try end(&broadcast, .stopped, reason: reason, attempts: attempts, at: now)
        case .fill:
            if broadcast.state != .filled { try end(&broadcast, .filled, reason: nil, attempts: attempts, at: now) }
        case .waitForInterest:
            (broadcast.waveDue, broadcast.nextWaveAt) = (false, nil)
            try transition(&broadcast, to: .waiting, waitingFor: .interest, at: now)
        case .waitForStartWindow(let opens):
            (broadcast.waveDue, broadcast.nextWaveAt) = (false, opens)
            try transition(&broadcast, to: .waiting, waitingFor: .startWindow, at: now)
        case .nextWave:
            // Every provider of the current wave answered: it closes now, before its interval.
            if var wave = try wave(broadcast.currentWave, onRequest: requestId), wave.isOut {
                try close(&wave, at: now)
            }
            if !(broadcast.state == .running && broadcast.waveDue) {
                (broadcast.waveDue, broadcast.nextWaveAt) = (true, now)
                try transition(&broadcast, to: .running, at: now)
            }
        }
        try reschedule(broadcast, job: job, at: now)
        return broadcast.state == .running && broadcast.waveDue
    }

    /// Ends a broadcast (filled, or stopped): attempts still open get `WITHDRAWN` (`NO_RESPONSE`
    /// once the job has started), those never sent `SKIPPED`; no wave is due any more.
    func end(
        _ broadcast: inout BroadcastRow, _ state: BroadcastState, reason: String?, attempts: [AttemptRow], at now: Date
    ) throws {
        let started = StopReason.isStart(reason)
        for var attempt in attempts where attempt.disposition == nil {
            switch attempt.status {
            case .planned:
                attempt.status = .notSent
                let why = "not sent: the broadcast was \(state == .filled ? "filled" : "stopped") first"
                try setDisposition(&attempt, Dispositions.skipped, by: "system", reason: why, at: now)
            case .sending:
                // The offer may have been made, the message was not sent.
                attempt.status = .notSent
                try setDisposition(&attempt, Dispositions.withdrawn, by: "system", at: now)
            case .sent:
                let code = started ? Dispositions.noResponse : Dispositions.withdrawn
                try setDisposition(&attempt, code, by: "system", at: now)
            case .notSent:
                break
            }
        }
        if var wave = try wave(broadcast.currentWave, onRequest: broadcast.requestId), wave.closedAt == nil {
            wave.closedAt = now
            try wave.update(db)
        }
        (broadcast.waveDue, broadcast.nextWaveAt) = (false, nil)
        if state == .filled && broadcast.filledAt == nil { broadcast.filledAt = now }
        try transition(&broadcast, to: state, reason: reason, at: now)
    }

    /// Sets the broadcast's one timer to the next moment something must happen to it, or cancels
    /// it once nothing can (filled, stopped).
    func reschedule(_ broadcast: BroadcastRow, job: JobRow, at now: Date) throws {
        let key = Scheduler.timerKey(BroadcastKey(partnerId, broadcast.requestId))
        guard broadcast.isLive else { return try DurableTimer.cancel(db, kind: Scheduler.timerKind, key: key) }
        var due = job.startsAt
        if let wave = try wave(broadcast.currentWave, onRequest: broadcast.requestId), wave.isOut,
            let closes = wave.closesAt
        {
            due = min(due, closes)
        }
        if [.startWindow, .recycle].contains(broadcast.waitingFor), let next = broadcast.nextWaveAt {
            due = min(due, next)
        }
        // Never due again at once: the timer service fires what is due in a loop at one `now`.
        if due <= now { due = now.addingTimeInterval(1) }
        try DurableTimer.schedule(
            db, DurableTimer(kind: Scheduler.timerKind, key: key, dueAt: due, partnerId: partnerId))
    }

    // MARK: Planning a wave

    /// Plans the next wave of a running broadcast whose wave is due, from `ranking` (matching's,
    /// fresh): the considered list is stored, the overrides, the block list, who holds the job
    /// and the recycle rules pick who may be contacted now (those never contacted before the
    /// recycled, unless the policy says otherwise), and the band of the lead time picks how many.
    /// Returns whether a wave was planned.
    @discardableResult
    func planWave(_ requestId: String, ranking: RankResponse, at now: Date) throws -> Bool {
        // Planned from where the advance rule puts the broadcast now: the job may have started
        // since the sender found its wave due. What planning decides is the rule's own output,
        // so the broadcast is not settled again before the commit.
        touch(requestId, at: now)
        guard var broadcast = try settled(requestId), broadcast.isWaveDue, let job = try job(requestId) else {
            return false
        }
        try ConsideredListRow(
            partnerId: partnerId, requestId: requestId, rankedAt: now, ranked: ranking.ranked,
            filtered: ranking.filtered, counts: ranking.counts
        ).save(db)
        let attempts = try attempts(onRequest: requestId)
        let held = try offerStates(requestId).filter { OfferStateRow.outOfRotation.contains($0.state) }
        let policy = try policy()
        let rotation = WavePlanner.rotation(
            order: WavePlanner.contactOrder(ranked: ranking.ranked.map(\.providerId), overrides: broadcast.overrides),
            blocked: Set(try blocked(forCustomer: job.customerId).keys), holding: Set(held.map(\.providerId)),
            attempts: Dictionary(grouping: attempts.map(\.wire), by: \.providerId), catalogue: try catalogue(),
            now: now, recycledInRankOrder: policy.recycledInRankOrder)
        let plan = WavePlanner.plan(
            now: now, startsAt: job.startsAt, policy: policy, eligibleNow: rotation.now,
            nextEligibleAt: rotation.next)
        broadcast.waveDue = false
        switch plan {
        case .wave(let providerIds, let band, let leadHours):
            let number = broadcast.currentWave + 1
            try WaveRow(
                partnerId: partnerId, requestId: requestId, number: number, plannedAt: now, leadHours: leadHours,
                waveSize: band.waveSize, intervalMinutes: band.intervalMinutes, providerIds: providerIds
            ).insert(db)
            let tried = Dictionary(grouping: attempts, by: \.providerId).mapValues(\.count)
            for providerId in providerIds {
                try AttemptRow(
                    partnerId: partnerId, id: Identifier.make("at"), requestId: requestId, providerId: providerId,
                    wave: number, attemptNumber: (tried[providerId] ?? 0) + 1, status: .planned, plannedAt: now,
                    late: false
                ).insert(db)
            }
            (broadcast.currentWave, broadcast.nextWaveAt, broadcast.lastError) = (number, nil, nil)
            try transition(&broadcast, to: .running, at: now)
        case .waitUntil(let at):
            broadcast.nextWaveAt = at
            try transition(&broadcast, to: .running, waitingFor: .recycle, at: now)
        case .exhausted:
            broadcast.nextWaveAt = nil
            try transition(&broadcast, to: .exhausted, at: now)
        case .jobStarted:
            try end(&broadcast, .stopped, reason: StopReason.started(job.status), attempts: attempts, at: now)
        }
        try reschedule(broadcast, job: job, at: now)
        return broadcast.state == .running && broadcast.waitingFor == nil
    }
}
